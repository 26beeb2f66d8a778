import { defineRule } from './rule';

export default defineRule(
  {
    id: 'from-as-casing',
    severity: 'info',
    category: 'style',
    description: 'The `AS` of `FROM ... AS name` should have the same casing as `FROM`.',
    docs: {
      why:
        '`FROM image as name` and `FROM image AS name` build the same stage; the keywords are case-insensitive. ' +
        'Matching the casing of `FROM` keeps the file consistent, and BuildKit warns about the mismatch on every build (`FromAsCasing`). ' +
        'When `FROM` itself is in mixed case, that is reported by consistent-instruction-casing instead.',
      bad: 'FROM debian:bookworm as builder',
      good: 'FROM debian:bookworm AS builder',
    },
    fix: 'safe',
    aliases: { buildkit: 'FromAsCasing' },
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      const from = stage.from;
      if (!from || from.args.length < 3) continue;
      const as = from.args[1]!;
      if (as.value.toLowerCase() !== 'as') continue;
      const keyword = from.ast.getInstruction();
      const lower = keyword === keyword.toLowerCase();
      if (!lower && keyword !== keyword.toUpperCase()) continue;
      const wanted = lower ? 'as' : 'AS';
      if (as.value === wanted) continue;
      ctx.report({
        range: as.range,
        message: `\`${as.value}\` does not match the casing of \`${keyword}\`; write \`${keyword} ... ${wanted}\`. BuildKit warns about it on every build.`,
        fixes: [{ title: `Write \`${wanted}\``, safe: true, edits: [{ range: as.range, newText: wanted }] }],
      });
    }
  },
);
