import { ruleTable } from './harness';

const labelSchema = { created: 'rfc3339' } as const;
const c = (code: string) => ({ code, labelSchema });
const at = (value: string) => c(`FROM alpine:3.20\nLABEL created="${value}"\n`);

ruleTable('label-not-rfc3339', {
  valid: [
    'FROM alpine:3.20\nLABEL created="yesterday"\n',
    at('2024-05-01T12:30:00Z'),
    at('2024-05-01T12:30:00.123456+02:00'),
    // `date --rfc-3339=seconds` writes a space; RFC 3339 allows it.
    at('2024-05-01 12:30:00+00:00'),
    at('2024-05-01t12:30:00z'),
    at('2024-02-29T23:59:60Z'),
    c('FROM alpine:3.20\nARG BUILD_DATE\nLABEL created=${BUILD_DATE}\n'),
  ],
  invalid: [
    { ...at('01/05/2024'), errors: [{ line: 2, column: 15, endLine: 2, endColumn: 27, message: /^Label `created` is "01\/05\/2024", not an RFC 3339 date-time/ }] },
    { ...at('2024-05-01'), errors: [{ line: 2 }] },
    { ...at('2024-05-01T12:30:00'), errors: [{ line: 2 }] },
    { ...at('2023-02-29T00:00:00Z'), errors: [{ line: 2 }] },
    { ...at('2024-13-01T00:00:00Z'), errors: [{ line: 2 }] },
    { ...at('2024-05-01T24:00:00Z'), errors: [{ line: 2 }] },
    { ...at('2024-05-01T12:30:00+2:00'), errors: [{ line: 2 }] },
    { ...c('FROM alpine:3.20\nARG BUILD_DATE=unknown\nLABEL created=$BUILD_DATE\n'), errors: [{ line: 3, column: 15, endColumn: 26, message: /"unknown"/ }] },
  ],
});
