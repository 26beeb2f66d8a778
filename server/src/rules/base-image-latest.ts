import { defineRule } from './rule';

export default defineRule(
  {
    id: 'base-image-latest',
    severity: 'warning',
    category: 'cache',
    description: 'FROM with the `latest` tag changes whenever the publisher releases.',
    docs: {
      why:
        '`latest` is not a version: the publisher moves it with every release. Builds of the same Dockerfile get different base layers, ' +
        'a new major version can break the build without any change on your side, and the build cache is thrown away whenever the pulled base differs. ' +
        'Name the version you tested (`alpine:3.20`), or pin a digest (with a digest the tag is ignored and not reported).',
      bad: 'FROM alpine:latest\nRUN apk add --no-cache curl',
      good: 'FROM alpine:3.20\nRUN apk add --no-cache curl',
    },
    aliases: { hadolint: ['DL3007'] },
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      const base = stage.base;
      if (!base || base.stage || !base.ref || base.ref.tag !== 'latest' || base.ref.digest) continue;
      // Point at ":latest" when it is written literally; otherwise at the whole reference.
      let range = base.range;
      const start = ctx.model.offsetAt(base.range.start);
      const written = ctx.model.text.slice(start, ctx.model.offsetAt(base.range.end));
      const at = written === base.raw ? base.raw.lastIndexOf(':latest') : -1;
      if (at >= 0 && at + 7 === base.raw.length) range = ctx.model.range(start + at + 1, start + at + 7);
      ctx.report({
        range,
        message: `"${base.resolved}" uses the latest tag, which moves with every release: base layers and cache change under you and a new major version can break the build. Name a version tag (or pin a digest).`,
      });
    }
  },
);
