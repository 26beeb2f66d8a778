import { ruleTable } from './harness';

const labelSchema = { author: 'text', 'git-revision': 'hash' } as const;
const c = (code: string) => ({ code, labelSchema });

ruleTable('label-missing', {
  valid: [
    // No schema, no rule (hadolint's default).
    'FROM alpine:3.20\nRUN true\n',
    c('FROM alpine:3.20\nLABEL author="Jane Doe" git-revision=3f2a9c1\n'),
    c('FROM alpine:3.20\nLABEL author Jane Doe\nLABEL git-revision 3f2a9c1\n'),
    // Labels are inherited from the stage an image is built on.
    c('FROM alpine:3.20 AS base\nLABEL author=jane git-revision=3f2a9c1\nFROM base\nRUN true\n'),
    // A stage that only feeds COPY --from or a mount is not shipped.
    c('FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\nLABEL author=jane git-revision=3f2a9c1\nCOPY --from=build /app /app\n'),
    c('FROM golang:1.22 AS build\nRUN true\nFROM alpine:3.20\nLABEL author=jane git-revision=3f2a9c1\nRUN --mount=from=build,target=/b cp /b/app /app\n'),
    c('FROM golang:1.22\nRUN true\nFROM alpine:3.20\nLABEL author=jane git-revision=3f2a9c1\nCOPY --from=0 /app /app\n'),
    // A base stage is not reported on its own: the image built on it is.
    c('FROM alpine:3.20 AS base\nRUN true\nFROM base\nLABEL author=jane git-revision=3f2a9c1\n'),
    // A value that is not known still makes the label present.
    c('FROM alpine:3.20\nARG VCS_REF\nLABEL author=jane git-revision=$VCS_REF\n'),
    // A key that is not known may be the missing label: never guess.
    c('FROM alpine:3.20\nARG KEY\nLABEL author=jane ${KEY}=3f2a9c1\n'),
    // Fragments without FROM are not images (hadolint says nothing either).
    c('LABEL foo=bar\n'),
  ],
  invalid: [
    { ...c('FROM alpine:3.20\nLABEL author="Jane Doe"\n'), errors: [{ line: 1, column: 1, endLine: 1, endColumn: 17, message: /^Label `git-revision` is missing/ }] },
    { ...c('FROM alpine:3.20\nRUN true\n'), errors: [{ line: 1, column: 1, endColumn: 17, message: /^Labels `author`, `git-revision` are missing/ }] },
    { ...c('FROM alpine:3.20 AS base\nLABEL author=jane\nFROM base\nLABEL other=1\n'), errors: [{ line: 3, column: 1, endColumn: 10, message: /`git-revision`/ }] },
    // A LABEL inside ONBUILD labels the images built FROM this one.
    { ...c('FROM alpine:3.20\nLABEL author=jane\nONBUILD LABEL git-revision=3f2a9c1\n'), errors: [{ line: 1, message: /`git-revision`/ }] },
    // Every stage that may be a build target and ships as it is.
    {
      ...c('FROM alpine:3.20 AS one\nRUN true\nFROM alpine:3.20 AS two\nLABEL author=jane git-revision=3f2a9c1\n'),
      errors: [{ line: 1, column: 1, endColumn: 24, message: /`author`, `git-revision`/ }],
    },
    { ...c('# syntax=docker/dockerfile:1\nFROM alpine:3.20 AS app\nLABEL git-revision=3f2a9c1\n'), errors: [{ line: 2, column: 1, endColumn: 24, message: /`author`/ }] },
  ],
});
