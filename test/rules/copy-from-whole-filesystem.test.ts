import { ruleTable } from './harness';

ruleTable('copy-from-whole-filesystem', {
  valid: [
    'COPY / /\n',
    'COPY --from=build /app /\n',
    'FROM scratch AS out\nCOPY app /app\nFROM debian\nCOPY --from=out / /\n',
    'FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6.1 AS xx\nFROM golang:1.22\nCOPY --from=xx / /\n',
    'FROM debian AS rootfs\nRUN make install\nFROM scratch\nCOPY --from=rootfs / /\n',
  ],
  invalid: [
    { code: 'COPY --from=build / /\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 22, message: /whole filesystem of build/ }] },
    { code: 'COPY --from=build "/" "/"\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 26 }] },
    { code: 'FROM golang:1.22 AS build\nRUN go build\nFROM debian\nCOPY --link \\\n  --from=build / /\n', errors: [{ line: 5, column: 3, endLine: 5, endColumn: 19 }] },
    { code: 'FROM debian\nCOPY --from=ubuntu:24.04 / /\n', errors: [{ line: 2, column: 6 }] },
  ],
});
