import { checkLabelFormat, isEmail, shown } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-not-email',
    severity: 'warning',
    category: 'maintainability',
    description: 'A label that the `label-schema` types `email` does not hold an email address.',
    docs: {
      why:
        'A contact label is how someone who finds the image running, or flagged by a scanner, reaches its owner. A team name or a chat handle there is not an address anyone can write to. ' +
        'An RFC 5322 address (`team@example.com`) is accepted, with or without a display name (`Payments Team <team@example.com>`). ' +
        '`.hadolint.yaml` gives a label this type with `label-schema: { contact: email }`. ' +
        'Values that hold an ARG without a known value are not checked. The rule does nothing without a `label-schema`.',
      bad: 'FROM alpine:3.20\nLABEL contact="payments team"',
      good: 'FROM alpine:3.20\nLABEL contact="payments@example.com"',
      options: { labelSchema: { contact: 'email' } },
    },
    aliases: { hadolint: ['DL3058'] },
  },
  (ctx) =>
    checkLabelFormat(ctx, 'email', isEmail, (label, value) => `Label \`${label}\` is ${shown(value)}, not an email address (such as team@example.com): nobody can reach the image's owner through it.`),
);
