import { cacheMountCases, ruleTable } from './harness';

ruleTable('apk-no-cache', {
  valid: [
    'FROM alpine\nRUN apk add --no-cache flex=2.6.4-r1\n',
    'FROM alpine\nRUN apk --no-cache add curl && apk --no-cache upgrade\n',
    'FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add -U curl=7.77.0\n',
    'FROM alpine\nRUN apk update \\\n  # index removed below\n  && apk add curl \\\n  && rm -rf /var/cache/apk/*\n',
    'FROM alpine\nRUN apk add --no-cache --virtual .build gcc && apk add --no-network --virtual .run $deps\n',
    'FROM alpine AS build\nRUN apk add gcc\nFROM scratch\nCOPY --from=build /usr/bin/gcc /gcc\n',
    'FROM alpine\nRUN apk del curl && apk info\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nRUN apk add flex=2.6.4-r1\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 12, message: /without `--no-cache` leaves the package index/ }],
      output: 'FROM alpine\nRUN apk add --no-cache flex=2.6.4-r1\n',
    },
    {
      code: 'FROM alpine\nRUN --mount=type=cache,target=/var/cache/foo apk add -U curl=7.77.0\n',
      errors: [{ line: 2, column: 46, endLine: 2, endColumn: 53 }],
      output: 'FROM alpine\nRUN --mount=type=cache,target=/var/cache/foo apk add --no-cache -U curl=7.77.0\n',
    },
    {
      code: 'FROM alpine\nRUN apk update \\\n  # then install\n  && apk add --no-cache curl\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 15, message: /^`apk update` stores the package index/ }],
    },
    {
      code: 'FROM alpine\nRUN ["apk", "add", "curl"]\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 18 }],
      output: 'FROM alpine\nRUN ["apk", "add", "--no-cache", "curl"]\n',
    },
    { code: 'FROM alpine\nONBUILD RUN apk add git\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 20 }], output: 'FROM alpine\nONBUILD RUN apk add --no-cache git\n' },
    { code: 'FROM alpine\nRUN <<EOF\nrm -rf /var/cache/apk/*\nsudo apk -X http://mirror/alpine add curl\nEOF\n', errors: [{ line: 4, column: 6, endLine: 4, endColumn: 37 }] },
    { code: 'FROM alpine\nRUN apk add curl\nRUN rm -rf /var/cache/apk/*\n', errors: [{ line: 2, column: 5 }] },
  ],
});


cacheMountCases('apk-no-cache', [
  { code: 'FROM alpine\nRUN apk add flex=2.6.4-r1\n', output: 'FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk,sharing=locked apk add flex=2.6.4-r1\n' },
  // `--no-cache` on the other apk commands would bypass the mount.
  {
    code: 'FROM alpine\nRUN apk add --no-cache --virtual .build gcc \\\n  && apk add musl-dev \\\n  && apk del .build\n',
    line: 3,
    output: 'FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk,sharing=locked \\\n     apk add --virtual .build gcc \\\n  && apk add musl-dev \\\n  && apk del .build\n',
  },
  {
    code: '# escape=`\nFROM alpine:3.20\nRUN apk update `\n  # then install`\n  && apk add `\n    --no-cache `\n    curl\n',
    output: '# escape=`\nFROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk,sharing=locked `\n     apk update `\n  # then install`\n  && apk add `\n    curl\n',
  },
  { code: 'FROM alpine\nRUN ["apk", "add", "curl"]\n', output: 'FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk,sharing=locked ["apk", "add", "curl"]\n' },
  { code: 'FROM alpine\nONBUILD RUN apk add git\n' },
]);
