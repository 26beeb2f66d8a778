import { argRange, copyArgs, flagNamed, fromTarget, stageChain } from './lib/instruction-words';
import { defineRule } from './rule';

/** Images made to be copied whole: tonistiigi/xx holds only cross-compilation helper scripts (Docker's documented pattern). */
const HELPER_IMAGES = /^tonistiigi\/xx$/;

export default defineRule(
  {
    id: 'copy-from-whole-filesystem',
    severity: 'warning',
    category: 'layers',
    description: '`COPY --from=<stage> / /` copies the whole filesystem of another stage or image.',
    docs: {
      why:
        'Multi-stage builds exist to leave compilers, package caches and sources behind. Copying `/` of a build stage brings all of it back into one new layer: ' +
        'the image is at least as big as the builder, and secrets or credentials used during the build come along. Copy the directories the application needs. ' +
        'A stage built FROM scratch holds only what was copied into it, so copying its `/` is not reported; neither is copying `/` into a scratch stage ' +
        '(squashing an image into one layer) or from helper images made for it (`tonistiigi/xx`).',
      bad: 'FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM debian:bookworm\nCOPY --from=build / /',
      good: 'FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM debian:bookworm\nCOPY --from=build /out/app /usr/local/bin/app',
    },
    aliases: { hadolint: ['DL3067'] },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const t = inst.trigger ?? inst;
      if (t.keyword !== 'COPY') continue;
      const flag = flagNamed(t, 'from');
      if (!flag?.value) continue;
      const { sources, dest } = copyArgs(t);
      const root = sources.find((s) => s.text === '/');
      if (!root || dest?.text !== '/') continue;
      if (!t.inOnbuild) {
        const from = fromTarget(ctx.model, t, flag.value);
        const stage = from.kind === 'stage' || from.kind === 'index' ? from.stage : undefined;
        const root = stage && stageChain(stage).pop()!.base;
        if (root?.scratch || (root?.ref && HELPER_IMAGES.test(root.ref.name))) continue;
        // Into an empty (scratch) stage, copying / is the way to squash an image into one layer.
        if (stageChain(t.stage).pop()!.base?.scratch) continue;
      }
      ctx.report({
        range: { start: flag.range.start, end: argRange(ctx.model, t, dest).end },
        message: `COPY --from=${flag.value} / / copies the whole filesystem of ${flag.value}: its compilers, caches and build-time files return as one layer. Copy only the directories the application needs.`,
      });
    }
  },
);
