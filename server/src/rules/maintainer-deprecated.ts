import { defineRule } from './rule';

export default defineRule(
  {
    id: 'maintainer-deprecated',
    severity: 'info',
    category: 'maintainability',
    description: 'MAINTAINER is deprecated; name the author with a LABEL.',
    docs: {
      why:
        'MAINTAINER writes the legacy `Author` field of the image config, which registries, scanners and `docker inspect` users rarely look at. ' +
        'The OCI label `org.opencontainers.image.authors` is what tools read today, it can be inspected and filtered like any label, ' +
        'and BuildKit warns about MAINTAINER on every build.',
      bad: 'FROM alpine\nMAINTAINER moby@example.com',
      good: 'FROM alpine\nLABEL org.opencontainers.image.authors="moby@example.com"',
    },
    fix: 'unsafe',
    aliases: { hadolint: ['DL4000'], buildkit: 'MaintainerDeprecated' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'MAINTAINER') continue;
      const value = inst.argsText.text.trim();
      const [s, e] = inst.argsText.docSpan(0, inst.argsText.text.trimEnd().length);
      const range = { start: inst.keywordRange.start, end: ctx.model.range(s, e).end };
      // The value moves into a quoted LABEL: only when nothing in it is special inside double quotes.
      const fixable = value && !/["\\$`]/.test(value) && !value.includes(ctx.model.escape) && range.start.line === range.end.line;
      ctx.report({
        range: inst.keywordRange,
        message: 'MAINTAINER is deprecated: it fills the legacy Author field that tools no longer read. Use `LABEL org.opencontainers.image.authors="..."`.',
        fixes: fixable
          ? [{ title: 'Replace with the org.opencontainers.image.authors label', safe: false, edits: [{ range, newText: `LABEL org.opencontainers.image.authors="${value}"` }] }]
          : undefined,
      });
    }
  },
);
