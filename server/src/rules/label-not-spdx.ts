import { checkLabelFormat, isSpdx, shown } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-not-spdx',
    severity: 'warning',
    category: 'maintainability',
    description: 'A label that the `label-schema` types `spdx` does not hold an SPDX license expression.',
    docs: {
      why:
        'License scanners and SBOM tools read the license label (`license`, `org.opencontainers.image.licenses`) as an SPDX expression: `MIT`, `Apache-2.0 OR MIT`, ' +
        '`GPL-2.0-only WITH Classpath-exception-2.0`, `LicenseRef-Proprietary`. Free text such as `Apache 2` or `mit` leaves the image\'s license unknown to them. ' +
        '`.hadolint.yaml` gives a label this type with `label-schema: { license: spdx }`. ' +
        'Values that hold an ARG without a known value are not checked. The rule does nothing without a `label-schema`.',
      bad: 'FROM alpine:3.20\nLABEL license="Apache 2"',
      good: 'FROM alpine:3.20\nLABEL license="Apache-2.0"',
      options: { labelSchema: { license: 'spdx' } },
    },
    aliases: { hadolint: ['DL3054'] },
  },
  (ctx) =>
    checkLabelFormat(
      ctx,
      'spdx',
      isSpdx,
      (label, value) => `Label \`${label}\` is ${shown(value)}, not an SPDX license expression (such as MIT or Apache-2.0 OR MIT): license scanners cannot tell the image's license.`,
    ),
);
