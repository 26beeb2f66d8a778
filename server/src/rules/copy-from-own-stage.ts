import { flagNamed, fromTarget } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'copy-from-own-stage',
    severity: 'error',
    category: 'syntax',
    description: '`COPY --from` cannot copy from the stage it is in.',
    docs: {
      why:
        'A stage\'s filesystem is what its instructions are building, so it cannot be the source of its own COPY: BuildKit reports a circular dependency ' +
        '(or "refers to current build stage" for an index) and the build fails. Copy within the stage with `RUN cp`, or from an earlier stage.',
      bad: 'FROM node:20 AS app\nCOPY --from=app /src /dst',
      good: 'FROM node:20 AS build\nRUN npm run build\nFROM node:20 AS app\nCOPY --from=build /src/dist /app',
    },
    aliases: { hadolint: ['DL3023'], trivy: 'DS006' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'COPY' || !inst.stage.from) continue;
      const flag = flagNamed(inst, 'from');
      if (!flag?.value) continue;
      const from = fromTarget(ctx.model, inst, flag.value);
      if (from.kind !== 'stage' && from.kind !== 'index') continue;
      if (from.stage !== inst.stage) continue;
      ctx.report({
        range: flag.valueRange ?? flag.range,
        message: `--from=${from.value} is the stage this COPY is in: a stage cannot copy from itself, and docker build fails. Copy from an earlier stage, or use RUN cp within the stage.`,
      });
    }
  },
);
