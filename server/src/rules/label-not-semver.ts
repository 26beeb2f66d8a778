import { checkLabelFormat, isSemver, shown } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-not-semver',
    severity: 'warning',
    category: 'maintainability',
    description: 'A label that the `label-schema` types `semver` does not hold a semantic version.',
    docs: {
      why:
        'Deployment and update tools compare version labels (`version`, `org.opencontainers.image.version`) as Semantic Versioning 2.0.0: `1.4.2`, `2.0.0-rc.1`. ' +
        'A value such as `1.4`, `latest` or `v1.4.2` does not compare, so an older image can look newer. ' +
        '`.hadolint.yaml` gives a label this type with `label-schema: { version: semver }`. ' +
        'Values that hold an ARG without a known value are not checked. The rule does nothing without a `label-schema`.',
      bad: 'FROM alpine:3.20\nLABEL version="1.4"',
      good: 'FROM alpine:3.20\nLABEL version="1.4.0"',
      options: { labelSchema: { version: 'semver' } },
    },
    aliases: { hadolint: ['DL3056'] },
  },
  (ctx) =>
    checkLabelFormat(ctx, 'semver', isSemver, (label, value) => {
      const hint = /^v/i.test(value) && isSemver(value.slice(1)) ? ' Drop the leading "v".' : '';
      return `Label \`${label}\` is ${shown(value)}, not a semantic version (such as 1.4.0): tools that compare versions cannot order this image.${hint}`;
    }),
);
