import { defineRule } from './rule';

export default defineRule(
  {
    id: 'instruction-before-from',
    severity: 'error',
    category: 'syntax',
    description: 'Only ARG (and comments or parser directives) may come before the first FROM.',
    docs: {
      why:
        'Every instruction except ARG belongs to a build stage, and a stage starts with FROM. An instruction above the first FROM has no image to apply to, ' +
        'so `docker build` rejects the Dockerfile. ARGs there are global: they can be used in FROM lines and re-declared inside stages.',
      bad: 'LABEL org.opencontainers.image.authors="team@example.com"\nFROM debian:bookworm',
      good: 'ARG DEBIAN_TAG=bookworm\nFROM debian:${DEBIAN_TAG}\nLABEL org.opencontainers.image.authors="team@example.com"',
    },
    aliases: { hadolint: ['DL3061'] },
  },
  (ctx) => {
    const first = ctx.model.instructions.findIndex((i) => i.keyword === 'FROM');
    // Without any FROM the syntax check already reports the missing stage (and fragments are common while editing).
    if (first < 0) return;
    for (const inst of ctx.model.instructions.slice(0, first)) {
      if (inst.keyword === 'ARG') continue;
      ctx.report({ range: inst.keywordRange, message: `${inst.keyword} before the first FROM belongs to no build stage: docker build rejects it. Move it below FROM (only ARG may come first).` });
    }
  },
);
