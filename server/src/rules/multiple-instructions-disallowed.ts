import type { Inst } from '../model/model';
import { deleteLines } from './lib/buildkit-checks';
import { defineRule } from './rule';

const KINDS = ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'] as const;

export default defineRule(
  {
    id: 'multiple-instructions-disallowed',
    severity: 'warning',
    category: 'maintainability',
    description: 'A stage should have at most one CMD, one ENTRYPOINT and one HEALTHCHECK: only the last one counts.',
    docs: {
      why:
        'CMD, ENTRYPOINT and HEALTHCHECK are settings of the image config, not steps: each one replaces the previous value, ' +
        'so in a stage with two CMDs the first one never reaches the image. Readers (and the author, after a merge) easily take the first one ' +
        'for the command that runs. Keep one; to run several things, use a script or a process manager. Stages are separate: ' +
        'a CMD in each stage is fine.',
      bad: 'FROM alpine\nENTRYPOINT ["echo", "Hello, Norway!"]\nENTRYPOINT ["echo", "Hello, Sweden!"]',
      good: 'FROM alpine\nENTRYPOINT ["echo", "Hello, Norway!\\nHello, Sweden!"]',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL4003', 'DL4004', 'DL3012'], buildkit: 'MultipleInstructionsDisallowed' },
  },
  (ctx) => {
    const text = ctx.model.text;
    const alone = (inst: Inst): boolean => {
      const start = ctx.model.offsetAt(inst.range.start);
      const end = ctx.model.offsetAt(inst.range.end);
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      let lineEnd = text.indexOf('\n', end);
      if (lineEnd < 0) lineEnd = text.length;
      return !text.slice(lineStart, start).trim() && !text.slice(end, lineEnd).trim();
    };
    for (const stage of ctx.model.stages) {
      const overridden: { inst: Inst; last: Inst }[] = [];
      for (const kind of KINDS) {
        const all = stage.instructions.filter((i) => i.keyword === kind);
        for (const inst of all.slice(0, -1)) overridden.push({ inst, last: all[all.length - 1]! });
      }
      overridden.sort((a, b) => a.inst.index - b.inst.index);
      for (const { inst, last } of overridden) {
        const kind = inst.keyword;
        ctx.report({
          range: inst.range,
          message: `This ${kind} has no effect: the ${kind} on line ${last.range.start.line + 1} replaces it, and only the last ${kind} of a stage reaches the image.`,
          fixes: alone(inst)
            ? [{ title: `Remove the overridden ${kind}`, safe: true, edits: [deleteLines(ctx.model, inst.range.start.line, inst.range.end.line)] }]
            : undefined,
        });
      }
    }
  },
);
