import { ruleTable } from './harness';

ruleTable('redundant-target-platform', {
  valid: ['FROM alpine AS builder\n', 'FROM --platform=$BUILDPLATFORM alpine\n', 'FROM --platform=$FOOBAR alpine:3.24\n', 'FROM --platform=linux/amd64 alpine\n'],
  invalid: [
    {
      code: 'FROM --platform=$TARGETPLATFORM alpine AS builder\nRUN apk add --no-cache git\n',
      errors: [{ line: 1, column: 6, endLine: 1, endColumn: 32, message: /what FROM does without the flag/ }],
      output: 'FROM alpine AS builder\nRUN apk add --no-cache git\n',
    },
    { code: 'FROM --platform=${TARGETPLATFORM} alpine:3.24\n', errors: [{ line: 1, column: 6, endColumn: 34 }], output: 'FROM alpine:3.24\n' },
  ],
});
