import { ruleTable } from './harness';

ruleTable('expose-proto-casing', {
  valid: ['FROM alpine\nEXPOSE 80/tcp\n', 'FROM alpine\nEXPOSE 80 53/udp 9000/sctp\n', 'FROM alpine\nARG P\nEXPOSE 80/$P\n'],
  invalid: [
    {
      code: 'FROM alpine\nEXPOSE 80/TcP\n',
      errors: [{ line: 2, column: 11, endLine: 2, endColumn: 14, message: /`TcP`.*`tcp`/ }],
      output: 'FROM alpine\nEXPOSE 80/tcp\n',
    },
    { code: 'FROM alpine\nEXPOSE 80 \\\n   53/UDP\n', errors: [{ line: 3, column: 7, endColumn: 10 }], output: 'FROM alpine\nEXPOSE 80 \\\n   53/udp\n' },
    { code: 'FROM alpine\nARG PROTO=UDP\nEXPOSE 53/$PROTO\n', errors: [{ line: 3, column: 8, endColumn: 17 }] },
    { code: 'FROM alpine\nEXPOSE 8080:80/TCP\n', errors: [{ line: 2, column: 16, endColumn: 19 }] },
  ],
});
