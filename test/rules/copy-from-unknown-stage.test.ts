import { ruleTable } from './harness';

ruleTable('copy-from-unknown-stage', {
  valid: [
    'FROM scratch as build\nRUN foo\nFROM node\nCOPY --from=build foo .\nRUN baz\n',
    'FROM scratch as build\nRUN foo\nFROM node\nCOPY --from=0 foo .\n',
    'FROM golang:1.22 AS Build\nFROM debian:12\nCOPY --from=build /a /b\n',
    'FROM debian:12\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=ghcr.io/astral-sh/uv /uv /bin/\nCOPY --from=alpine@sha256:abc /x /y\n',
    'FROM debian:12\nARG SRC\nCOPY --from=$SRC /a /b\n',
    'FROM debian:12\nONBUILD COPY --from=assets /a /b\n',
    'FROM debian:12 AS app\nCOPY --from=app /a /b\n',
  ],
  invalid: [
    { code: 'COPY --from=foo bar .\n', errors: [{ line: 1, column: 13, endLine: 1, endColumn: 16, message: /docker\.io\/library\/foo:latest/ }] },
    { code: 'FROM scratch\nCOPY --from=build foo .\nFROM node as build\nRUN baz\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 18, message: /further down \(line 3\)/ }] },
    { code: 'FROM debian:12\nCOPY --chown=1:1 \\\n  --from=biuld /a /b\n', errors: [{ line: 3, column: 10, endLine: 3, endColumn: 15 }] },
    { code: 'FROM debian:12\nCOPY --from=3 /a /b\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 14, message: /no earlier stage 3/ }] },
    { code: 'FROM debian:12\nARG SRC=assets\nCOPY --from=${SRC} /a /b\n', errors: [{ line: 3, message: /--from=assets/ }] },
  ],
});
