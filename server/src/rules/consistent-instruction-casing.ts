import { INSTRUCTIONS, withTriggers } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'consistent-instruction-casing',
    severity: 'info',
    category: 'style',
    description: 'Instruction keywords should all be uppercase or all lowercase, like the majority in the file.',
    docs: {
      why:
        'Keywords are case-insensitive, so `Run` builds the same layer as `RUN`: nothing changes in the image or the cache. ' +
        'But a file that mixes `From`, `run` and `COPY` is harder to scan, and BuildKit warns about it on every build ' +
        '(`ConsistentInstructionCasing`). The majority casing of the file wins; mixed-case keywords such as `EntryPoint` are always reported.',
      bad: 'From alpine\nRun echo hello > /greeting.txt\nENTRYPOINT ["cat", "/greeting.txt"]',
      good: 'FROM alpine\nRUN echo hello > /greeting.txt\nENTRYPOINT ["cat", "/greeting.txt"]',
    },
    fix: 'safe',
    aliases: { buildkit: 'ConsistentInstructionCasing' },
  },
  (ctx) => {
    const all = withTriggers(ctx.model).filter((i) => INSTRUCTIONS.has(i.keyword));
    let lower = 0;
    let upper = 0;
    for (const inst of all) {
      const raw = inst.ast.getInstruction();
      if (raw === raw.toLowerCase()) lower++;
      else if (raw === raw.toUpperCase()) upper++;
    }
    // Ties go to uppercase, as in BuildKit.
    const majorityLower = lower > upper;
    for (const inst of all) {
      const raw = inst.ast.getInstruction();
      const wanted = majorityLower ? raw.toLowerCase() : raw.toUpperCase();
      if (raw === wanted) continue;
      const casing = majorityLower ? 'lowercase' : 'uppercase';
      ctx.report({
        range: inst.keywordRange,
        message: `\`${raw}\` does not match the casing of the other instructions (${casing}); write \`${wanted}\`. Casing does not change the image, but BuildKit warns about it on every build.`,
        fixes: [{ title: `Write \`${wanted}\``, safe: true, edits: [{ range: inst.keywordRange, newText: wanted }] }],
      });
    }
  },
);
