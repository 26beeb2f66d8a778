import { defineRule } from './rule';

export default defineRule(
  {
    id: 'onbuild-trigger-disallowed',
    severity: 'error',
    category: 'syntax',
    description: '`ONBUILD` cannot trigger `ONBUILD`, `FROM` or `MAINTAINER`.',
    docs: {
      why:
        'ONBUILD stores an instruction in the image config, to run when another Dockerfile builds `FROM` this image. A trigger cannot start a new stage (`FROM`), ' +
        'cannot register triggers for a further generation (`ONBUILD ONBUILD`), and `MAINTAINER` is not allowed either: `docker build` rejects the Dockerfile.',
      bad: 'FROM node:20\nONBUILD FROM node:20-slim',
      good: 'FROM node:20\nONBUILD COPY package.json /app/',
    },
    aliases: { hadolint: ['DL3043'] },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const t = inst.trigger;
      if (!t || (t.keyword !== 'ONBUILD' && t.keyword !== 'FROM' && t.keyword !== 'MAINTAINER')) continue;
      ctx.report({
        range: t.keywordRange,
        message: t.keyword === 'ONBUILD' ? 'ONBUILD ONBUILD is not allowed: docker build rejects triggers that register triggers.' : `${t.keyword} is not allowed as an ONBUILD trigger: docker build rejects it.`,
      });
    }
  },
);
