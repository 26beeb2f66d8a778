import { defineRule } from './rule';

export default defineRule(
  {
    id: 'base-image-untagged',
    severity: 'warning',
    category: 'cache',
    description: 'FROM without a tag pulls whatever `latest` is on the day of the build.',
    docs: {
      why:
        'An image reference without a tag means `:latest`, which the publisher moves with every release. Two builds of the same Dockerfile get different base layers, ' +
        'a new major version can break the build without any change on your side, and the build cache is thrown away whenever the pulled base differs. ' +
        'Name the version you tested (`debian:bookworm-20240513`, `node:20.12-alpine`), or pin a digest. Earlier stages and `scratch` need no tag.',
      bad: 'FROM debian\nRUN apt-get update',
      good: 'FROM debian:bookworm\nRUN apt-get update',
    },
    aliases: { hadolint: ['DL3006'] },
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      const base = stage.base;
      // Earlier stages, scratch and references whose ARGs have no known value are not reported.
      if (!base || base.stage || base.scratch || !base.ref) continue;
      if (base.ref.tag || base.ref.digest) continue;
      const shown = base.resolved === base.raw ? `"${base.raw}"` : `"${base.raw}" (= "${base.resolved}")`;
      ctx.report({
        range: base.range,
        message: `${shown} has no tag, so it pulls ${base.resolved}:latest as it is on the day of the build: base layers and cache change under you. Name a version tag (or pin a digest).`,
      });
    }
  },
);
