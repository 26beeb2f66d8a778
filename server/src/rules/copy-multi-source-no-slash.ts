import { argEndOffset, argRange, copyArgs, target } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'copy-multi-source-no-slash',
    severity: 'warning',
    category: 'maintainability',
    description: 'COPY/ADD with several sources needs a destination ending in `/`.',
    docs: {
      why:
        'With several sources the destination can only be a directory. BuildKit creates it either way, but the classic builder (and `docker build` with ' +
        'DOCKER_BUILDKIT=0, still used by some CI systems) refuses: "When using COPY with more than one source file, the destination must be a directory and end with a /". ' +
        'A trailing `/` states that the destination is a directory and builds everywhere.',
      bad: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json /app',
      good: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json /app/',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3021'], trivy: 'DS011' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const t = target(inst);
      if (t.keyword !== 'COPY' && t.keyword !== 'ADD') continue;
      const { sources, dest } = copyArgs(t);
      if (!dest || sources.length < 2) continue;
      const expanded = t.scope.expand(dest.text, ctx.model.escape);
      if (!expanded.certain || expanded.text.endsWith('/') || expanded.text.endsWith('\\')) continue;
      // Insert the slash inside closing quotes, if any.
      const quoted = /["']$/.test(dest.raw) ? 1 : 0;
      const at = ctx.model.doc.textDocument.positionAt(argEndOffset(t, dest) - quoted);
      ctx.report({
        range: argRange(ctx.model, t, dest),
        message: `${t.keyword} of ${sources.length} sources into "${dest.text}": the destination is a directory, and without a trailing / the classic builder rejects it. Write "${dest.text}/".`,
        fixes: [{ title: `Add / to "${dest.text}"`, safe: true, edits: [{ range: { start: at, end: at }, newText: '/' }] }],
      });
    }
  },
);
