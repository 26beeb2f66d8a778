import { ruleTable } from './harness';

ruleTable('expose-invalid-format', {
  valid: [
    'FROM alpine\nEXPOSE 80\n',
    'FROM alpine\nEXPOSE 80/tcp 53/udp 8000-8010\n',
    'FROM alpine\nARG PORT\nEXPOSE $PORT\n',
    'FROM alpine\nARG PORT=8080\nEXPOSE ${PORT}/tcp\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nEXPOSE 127.0.0.1:80:80\n',
      errors: [{ line: 2, column: 8, endLine: 2, endColumn: 23, message: /address `127.0.0.1` and the host port `80`.*`EXPOSE 80`/ }],
      output: 'FROM alpine\nEXPOSE 80\n',
    },
    { code: 'FROM alpine\nEXPOSE 80:80\n', errors: [{ line: 2, column: 8, endColumn: 13, message: /host port `80`/ }], output: 'FROM alpine\nEXPOSE 80\n' },
    {
      code: 'FROM alpine\nEXPOSE 443 \\\n  # web\n  8080:80/tcp\n',
      errors: [{ line: 4, column: 3, endLine: 4, endColumn: 14, message: /records only `80\/tcp`/ }],
      output: 'FROM alpine\nEXPOSE 443 \\\n  # web\n  80/tcp\n',
    },
    // A value from an ARG is checked, but not rewritten.
    { code: 'FROM alpine\nARG MAP=8080:80\nEXPOSE $MAP\n', errors: [{ line: 3, column: 8, endColumn: 12, message: /EXPOSE 8080:80/ }] },
    { code: 'FROM alpine\nONBUILD EXPOSE 80:80\n', errors: [{ line: 2, column: 16 }] },
  ],
});
