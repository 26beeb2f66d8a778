import { ruleTable } from './harness';

const CRLF = '#!/bin/sh\r\nset -e\r\nexec "$@"\r\n';
const LF = '#!/bin/sh\nset -e\nexec "$@"\n';

ruleTable('crlf-script-copied', {
  valid: [
    'FROM alpine\nCOPY entrypoint.sh /\n',
    { code: 'FROM alpine\nCOPY entrypoint.sh /\n', files: { 'entrypoint.sh': LF } },
    { code: 'FROM alpine\nCOPY notes.txt /\n', files: { 'notes.txt': 'a\r\nb\r\n' } },
    { code: 'FROM alpine\nCOPY entrypoint.sh /\n', files: { 'entrypoint.sh': CRLF }, dockerignore: 'entrypoint.sh\n' },
    { code: 'FROM alpine\nCOPY entrypoint.sh /\nRUN sed -i "s/\\r$//" /entrypoint.sh\n', files: { 'entrypoint.sh': CRLF } },
    { code: 'FROM alpine\nCOPY scripts/ /scripts/\nRUN apk add dos2unix && dos2unix /scripts/*.sh\n', files: { 'scripts/a.sh': CRLF } },
    // Folder contents are judged by extension only; a named file by its shebang too.
    { code: 'FROM alpine\nCOPY bin/ /usr/local/bin/\n', files: { 'bin/tool': CRLF } },
    { code: 'FROM alpine AS a\nFROM alpine\nCOPY --from=a /entrypoint.sh /\n', files: { 'entrypoint.sh': CRLF } },
    { code: 'FROM alpine\nONBUILD COPY entrypoint.sh /\n', files: { 'entrypoint.sh': CRLF } },
  ],
  invalid: [
    {
      code: 'FROM alpine\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\n',
      files: { 'docker-entrypoint.sh': CRLF },
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 26, message: /`docker-entrypoint\.sh` has Windows \(CRLF\) line endings.*\/bin\/sh\^M: not found/ }],
    },
    { code: 'FROM alpine\nCOPY --chmod=755 start /start\n', files: { start: CRLF }, errors: [{ line: 2, column: 18, endColumn: 23 }] },
    { code: 'FROM alpine\nCOPY . /app/\n', files: { 'a.sh': CRLF, 'b.sh': LF, 'lib/c.bash': CRLF, 'README.md': 'x\r\n' }, errors: [{ line: 2, column: 6, endColumn: 7, message: /`a\.sh`, `lib\/c\.bash` have/ }] },
    { code: 'FROM alpine\nCOPY . /app/\nCOPY a.sh /\n', files: { 'a.sh': CRLF, 'b.sh': CRLF }, errors: [{ line: 2, message: /^`b\.sh` has/ }, { line: 3, message: /^`a\.sh` has/ }] },
    { code: 'FROM alpine\nADD scripts/*.sh /opt/\n', files: { 'scripts/a.sh': CRLF }, errors: [{ line: 2, column: 5, endColumn: 17 }] },
    { code: 'FROM alpine\nARG S=run.sh\nCOPY ["$S", "/"]\n', files: { 'run.sh': CRLF }, errors: [{ line: 3, column: 7, endColumn: 11, message: /`run\.sh`/ }] },
    { code: 'FROM alpine\nCOPY \\\n  # the entrypoint\n  run.sh \\\n  /\n', files: { 'run.sh': CRLF }, errors: [{ line: 4, column: 3, endColumn: 9 }] },
  ],
});
