import { argRange, copyArgs, stageChain } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'copy-relative-dest-without-workdir',
    severity: 'warning',
    category: 'maintainability',
    description: 'COPY/ADD to a relative destination before any WORKDIR in the stage.',
    docs: {
      why:
        'A relative destination is resolved against the working directory the stage has at that point. Without a WORKDIR in the stage (or in the stages it builds on), ' +
        'that is whatever the base image set, often `/`: `COPY . .` then spreads your sources over the root of the image, next to `/bin` and `/etc`, ' +
        'and moves elsewhere the day the base image changes its WORKDIR. Set WORKDIR first, or copy to an absolute path. Stages built FROM scratch are not reported: their working directory is `/` and cannot change.',
      bad: 'FROM node:20\nCOPY package.json .\nRUN npm install',
      good: 'FROM node:20\nWORKDIR /app\nCOPY package.json .\nRUN npm install',
    },
    aliases: { hadolint: ['DL3045'] },
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      // A WORKDIR in a stage this one builds on carries over; a stage built on scratch is in / and stays there.
      const chain = stageChain(stage);
      if (chain[chain.length - 1]!.base?.scratch) continue;
      let workdir = chain.slice(1).some((s) => s.instructions.some((i) => i.keyword === 'WORKDIR'));
      for (const inst of stage.instructions) {
        if (inst.keyword === 'WORKDIR') workdir = true;
        if (workdir || (inst.keyword !== 'COPY' && inst.keyword !== 'ADD')) continue;
        const { dest } = copyArgs(inst);
        if (!dest) continue;
        const expanded = inst.scope.expand(dest.text, ctx.model.escape);
        if (!expanded.certain) continue;
        const path = expanded.text;
        if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path)) continue;
        ctx.report({
          range: argRange(ctx.model, inst, dest),
          message: `${inst.keyword} to the relative "${dest.text}" before any WORKDIR: the files land in the base image's working directory (often /), which can change with the base image. Set WORKDIR first or use an absolute path.`,
        });
      }
    }
  },
);
