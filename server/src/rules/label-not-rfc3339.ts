import { checkLabelFormat, isRfc3339, shown } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-not-rfc3339',
    severity: 'warning',
    category: 'maintainability',
    description: 'A label that the `label-schema` types `rfc3339` does not hold an RFC 3339 date-time.',
    docs: {
      why:
        'A build date label (`created`, `org.opencontainers.image.created`) is read by tools that sort, expire or audit images; they parse RFC 3339 ' +
        '(`2024-05-01T12:30:00Z`), and a date in another format, or without a time zone, sorts wrong or not at all. `date -u +%Y-%m-%dT%H:%M:%SZ` writes one. ' +
        '`.hadolint.yaml` gives a label this type with `label-schema: { created: rfc3339 }`. ' +
        'Values that hold an ARG without a known value are not checked. The rule does nothing without a `label-schema`.',
      bad: 'FROM alpine:3.20\nLABEL created="01/05/2024"',
      good: 'FROM alpine:3.20\nLABEL created="2024-05-01T12:30:00Z"',
      options: { labelSchema: { created: 'rfc3339' } },
    },
    aliases: { hadolint: ['DL3053'] },
  },
  (ctx) =>
    checkLabelFormat(
      ctx,
      'rfc3339',
      isRfc3339,
      (label, value) => `Label \`${label}\` is ${shown(value)}, not an RFC 3339 date-time (such as 2024-05-01T12:30:00Z): tools that sort or expire images by it cannot read it.`,
    ),
);
