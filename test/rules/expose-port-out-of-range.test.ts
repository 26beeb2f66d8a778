import { ruleTable } from './harness';

ruleTable('expose-port-out-of-range', {
  valid: ['EXPOSE 60000\n', 'EXPOSE ${FOOBAR}\n', 'FROM nginx\nEXPOSE 80/tcp 443/udp 8000-8010\n', 'FROM nginx\nARG PORT\nEXPOSE $PORT\n'],
  invalid: [
    { code: 'EXPOSE 80000\n', errors: [{ line: 1, column: 8, endLine: 1, endColumn: 13, message: /80000/ }] },
    { code: 'EXPOSE 40000-80000/tcp\n', errors: [{ line: 1, column: 8, endLine: 1, endColumn: 23 }] },
    { code: 'FROM nginx\nEXPOSE 80 \\\n  # alt\n  "65536"\n', errors: [{ line: 4, column: 3, endLine: 4, endColumn: 10 }] },
    { code: 'FROM nginx\nARG PORT=99999\nEXPOSE ${PORT}/udp\n', errors: [{ line: 3, column: 8, endLine: 3, endColumn: 19, message: /99999/ }] },
    { code: 'FROM nginx\nONBUILD EXPOSE 100000\n', errors: [{ line: 2, column: 16 }] },
  ],
});
