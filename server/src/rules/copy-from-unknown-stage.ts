import { flagNamed, fromTarget } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'copy-from-unknown-stage',
    severity: 'warning',
    category: 'maintainability',
    description: '`COPY --from` should name an earlier stage, or an image with a tag.',
    docs: {
      why:
        'When `--from` names no earlier stage, BuildKit treats it as an image reference and pulls it: a typo in a stage name (`--from=biuld`) or a stage ' +
        'defined further down becomes a pull of `docker.io/library/biuld:latest`, which fails or, worse, succeeds with someone else\'s image. ' +
        'Name an earlier stage, or write external images with a tag, digest or registry path (`--from=nginx:1.27`, `--from=ghcr.io/astral-sh/uv`), which cannot be mistaken for a stage name. ' +
        '(hadolint also reports untagged paths such as `--from=ghcr.io/astral-sh/uv`; a `/` cannot appear in a stage name, so they are not reported here.)',
      bad: 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM debian:bookworm\nCOPY --from=biuld /app /usr/local/bin/app',
      good: 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM debian:bookworm\nCOPY --from=build /app /usr/local/bin/app',
    },
    aliases: { hadolint: ['DL3022'] },
  },
  (ctx) => {
    // ONBUILD COPY --from refers to the stages of the Dockerfile that builds on this image: not checked.
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'COPY') continue;
      const flag = flagNamed(inst, 'from');
      if (!flag?.value) continue;
      const from = fromTarget(ctx.model, inst, flag.value);
      const range = flag.valueRange ?? flag.range;
      if (from.kind === 'index') {
        if (from.index >= inst.stage.index && from.stage !== inst.stage) {
          ctx.report({ range, message: `--from=${from.index}: there is no earlier stage ${from.index} (this is stage ${inst.stage.index}); BuildKit rejects it. Name an earlier stage.` });
        }
        continue;
      }
      if (from.kind !== 'name') continue;
      const later = ctx.model.stages.find((s) => s.index > inst.stage.index && s.name?.toLowerCase() === from.value.toLowerCase());
      ctx.report({
        range,
        message: later
          ? `--from=${from.value} refers to a stage defined further down (line ${later.from!.range.start.line + 1}): BuildKit builds it first, but the classic builder pulls an image called ${from.value}, and readers expect stages above their use. Move stage ${later.name} above this one.`
          : `--from=${from.value} names no earlier stage: unless the build passes --build-context ${from.value}=…, BuildKit pulls the image docker.io/library/${from.value}:latest. Fix the stage name, or write an image with a tag (--from=${from.value}:<version>).`,
      });
    }
  },
);
