import { checkLabelFormat, isUrl, shown } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-not-url',
    severity: 'warning',
    category: 'maintainability',
    description: 'A label that the `label-schema` types `url` does not hold an absolute URL.',
    docs: {
      why:
        'Registries and portals turn URL labels (`documentation`, `org.opencontainers.image.source`) into links; a value without a scheme, or with spaces, ' +
        'becomes a broken link or none. `.hadolint.yaml` gives a label this type with `label-schema: { documentation: url }`. ' +
        'Values that hold an ARG without a known value are not checked. The rule does nothing without a `label-schema`.',
      bad: 'FROM alpine:3.20\nLABEL documentation="docs.example.com/app"',
      good: 'FROM alpine:3.20\nLABEL documentation="https://docs.example.com/app"',
      options: { labelSchema: { documentation: 'url' } },
    },
    aliases: { hadolint: ['DL3052'] },
  },
  (ctx) =>
    checkLabelFormat(ctx, 'url', isUrl, (label, value) => `Label \`${label}\` is ${shown(value)}, not an absolute URL (such as https://example.com/docs): tools that link to it get a broken link.`),
);
