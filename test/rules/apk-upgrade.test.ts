import { ruleTable } from './harness';

ruleTable('apk-upgrade', {
  valid: ['FROM alpine\nRUN apk add --no-cache curl && apk add --no-cache --upgrade openssl\n', 'FROM alpine\nRUN echo apk upgrade\n'],
  invalid: [
    { code: 'FROM alpine\nRUN apk upgrade --no-cache\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16, message: /second copy of every upgraded package/ }] },
    { code: 'FROM alpine\nRUN apk update \\\n  # all of it\n  && sudo apk --no-cache upgrade\n', errors: [{ line: 4, column: 11, endLine: 4, endColumn: 33 }] },
    { code: 'FROM alpine\nRUN ["apk", "upgrade"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 22 }] },
    { code: 'FROM alpine\nONBUILD RUN apk upgrade\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 24 }] },
    { code: 'FROM alpine\nRUN <<EOF\napk upgrade --available\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 12 }] },
  ],
});
