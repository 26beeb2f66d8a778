import { ruleTable } from './harness';

const labelSchema = { version: 'semver' } as const;
const c = (code: string) => ({ code, labelSchema });
const ver = (value: string) => c(`FROM alpine:3.20\nLABEL version="${value}"\n`);

ruleTable('label-not-semver', {
  valid: [
    'FROM alpine:3.20\nLABEL version="1.4"\n',
    ver('1.4.0'),
    ver('0.0.0'),
    ver('2.0.0-rc.1+build.5'),
    ver('1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay'),
    c('FROM alpine:3.20\nARG VERSION\nLABEL version=$VERSION\n'),
    c('FROM alpine:3.20\nARG VERSION=1.2.3\nLABEL version=$VERSION\n'),
  ],
  invalid: [
    { ...ver('1.4'), errors: [{ line: 2, column: 15, endLine: 2, endColumn: 20, message: /^Label `version` is "1\.4", not a semantic version/ }] },
    { ...ver('v1.4.2'), errors: [{ line: 2, message: /Drop the leading "v"\.$/ }] },
    { ...ver('latest'), errors: [{ line: 2 }] },
    { ...ver('01.2.3'), errors: [{ line: 2 }] },
    { ...ver('1.2.3-01'), errors: [{ line: 2 }] },
    { ...ver('1.2.3+'), errors: [{ line: 2 }] },
  ],
});
