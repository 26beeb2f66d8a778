import { defineRule } from './rule';

const RESERVED = new Map([
  ['scratch', 'a later `FROM scratch` then builds on this stage instead of the empty image'],
  ['context', 'BuildKit uses it for the main build context, so the name is ambiguous'],
]);

export default defineRule(
  {
    id: 'reserved-stage-name',
    severity: 'warning',
    category: 'maintainability',
    description: 'A build stage must not be named `scratch` or `context`.',
    docs: {
      why:
        '`scratch` is the empty image and `context` is the build context; BuildKit looks stage names up before those. ' +
        'A stage named `scratch` turns every later `FROM scratch` into a build on that stage, so an image meant to start empty silently gets its files. ' +
        'Pick a name that says what the stage does.',
      bad: 'FROM alpine AS scratch\nRUN echo hi > /hi',
      good: 'FROM alpine AS builder\nRUN echo hi > /hi',
    },
    aliases: { hadolint: ['DL3063'], buildkit: 'ReservedStageName' },
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      if (!stage.name || !stage.nameRange) continue;
      const name = stage.name.toLowerCase();
      const effect = RESERVED.get(name);
      if (!effect) continue;
      ctx.report({ range: stage.nameRange, message: `\`${name}\` is a reserved name and should not name a stage: ${effect}.` });
    }
  },
);
