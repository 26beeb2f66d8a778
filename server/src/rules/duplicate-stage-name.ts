import { defineRule } from './rule';

export default defineRule(
  {
    id: 'duplicate-stage-name',
    severity: 'warning',
    category: 'maintainability',
    description: 'Each build stage needs its own name.',
    docs: {
      why:
        'Stage names are how `FROM <stage>`, `COPY --from=<stage>` and `RUN --mount=from=<stage>` pick a stage, and `--target` picks what to build. ' +
        'With two stages of the same name (names are case-insensitive), BuildKit resolves `COPY --from` and `--target` to the last one, ' +
        'while a `FROM <stage>` between the two builds on the first: files come from a stage you did not mean, and `--target` may build something else than you expect.',
      bad: 'FROM debian:bookworm AS builder\nRUN echo deb > /out\n\nFROM golang:1.22 AS builder\nRUN echo go > /out',
      good: 'FROM debian:bookworm AS deb-builder\nRUN echo deb > /out\n\nFROM golang:1.22 AS go-builder\nRUN echo go > /out',
    },
    aliases: { hadolint: ['DL3024'], buildkit: 'DuplicateStageName' },
  },
  (ctx) => {
    const first = new Map<string, number>();
    for (const stage of ctx.model.stages) {
      if (!stage.name || !stage.nameRange || !stage.from) continue;
      const key = stage.name.toLowerCase();
      const line = first.get(key);
      if (line === undefined) {
        first.set(key, stage.from.range.start.line);
        continue;
      }
      ctx.report({
        range: stage.nameRange,
        message: `Stage name \`${stage.name}\` is already used by the stage on line ${line + 1}: \`COPY --from=${key}\` and \`--target ${key}\` resolve to this later stage, so one of the two is never used as you expect. Rename one of them.`,
      });
    }
  },
);
