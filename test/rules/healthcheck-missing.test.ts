import { ruleTable } from './harness';

ruleTable('healthcheck-missing', {
  valid: [
    'FROM scratch\nHEALTHCHECK NONE\n',
    'FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3\nFROM base3 AS end\nHEALTHCHECK NONE\n',
    'FROM nginx:1.27 AS base\nHEALTHCHECK CMD curl -f http://localhost/\nFROM base\nCOPY site /usr/share/nginx/html\n',
    'RUN foo\n',
  ],
  invalid: [
    { code: 'FROM scratch\n', errors: [{ line: 1, column: 1, endLine: 1, endColumn: 5, message: /no HEALTHCHECK/ }] },
    {
      code: 'FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3.1\nFROM base2 AS base3.2\n\nFROM base3.1 AS end1\nHEALTHCHECK NONE\n\nFROM base3.2 AS end2\n',
      errors: [{ line: 9, column: 1, endLine: 9, endColumn: 5 }],
    },
    { code: 'FROM nginx:1.27\nHEALTHCHECK NONE\nFROM nginx:1.27\n', errors: [{ line: 3 }] },
  ],
});
