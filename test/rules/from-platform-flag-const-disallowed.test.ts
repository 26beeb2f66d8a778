import { ruleTable } from './harness';

ruleTable('from-platform-flag-const-disallowed', {
  valid: [
    'FROM alpine AS base\nRUN apk add --no-cache git\n',
    'FROM --platform=${BUILDPLATFORM} alpine AS base\n',
    'FROM --platform=$TARGETPLATFORM alpine\n',
    // Stages named after their platform are per-platform on purpose.
    'FROM --platform=linux/amd64 alpine AS build_amd64\nFROM --platform=linux/arm64 alpine AS build_arm64\nFROM build_${TARGETARCH} AS build\n',
    'FROM --platform=linux/amd64 scratch AS linux\n',
    'FROM --platform=linux/x86_64 alpine AS tools-amd64\n',
    'FROM --platform=not-a-platform alpine\n',
  ],
  invalid: [
    {
      code: 'FROM --platform=linux/amd64 alpine AS base\nRUN apk add --no-cache git\n',
      errors: [{ line: 1, column: 17, endLine: 1, endColumn: 28, message: /pins this stage to linux\/amd64/ }],
    },
    { code: 'FROM --platform=linux/arm/v7 ubuntu:jammy AS final-image\n', errors: [{ line: 1, column: 17, endColumn: 29 }] },
    { code: 'FROM --platform="linux/arm64" alpine\n', errors: [{ line: 1, message: /linux\/arm64/ }] },
  ],
});
