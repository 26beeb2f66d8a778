import { ruleTable } from './harness';

const labelSchema = { license: 'spdx' } as const;
const c = (code: string) => ({ code, labelSchema });
const lic = (value: string) => c(`FROM alpine:3.20\nLABEL license="${value}"\n`);

ruleTable('label-not-spdx', {
  valid: [
    'FROM alpine:3.20\nLABEL license="Apache 2"\n',
    lic('MIT'),
    lic('Apache-2.0 OR MIT'),
    lic('(MIT AND BSD-3-Clause) OR GPL-2.0-or-later'),
    lic('GPL-2.0-only WITH Classpath-exception-2.0'),
    lic('LicenseRef-Proprietary'),
    c('FROM alpine:3.20\nARG LICENSE\nLABEL license=$LICENSE\n'),
  ],
  invalid: [
    { ...lic('Apache 2'), errors: [{ line: 2, column: 15, endLine: 2, endColumn: 25, message: /^Label `license` is "Apache 2", not an SPDX license expression/ }] },
    { ...lic('mit'), errors: [{ line: 2 }] },
    { ...lic('MIT OR'), errors: [{ line: 2 }] },
    { ...lic('Proprietary'), errors: [{ line: 2 }] },
  ],
});
