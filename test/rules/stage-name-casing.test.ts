import { ruleTable } from './harness';

ruleTable('stage-name-casing', {
  valid: ['FROM alpine AS builder-base\n', 'FROM alpine\n', 'FROM alpine AS build_amd64\nFROM build_amd64\n'],
  invalid: [
    {
      code: 'FROM alpine AS BuilderBase\n',
      errors: [{ line: 1, column: 16, endLine: 1, endColumn: 27, message: /`BuilderBase` should be lowercase.*`builderbase`/ }],
      output: 'FROM alpine AS builderbase\n',
    },
    {
      // The references are renamed with it.
      code: 'FROM golang:1.22 AS Build\nRUN go build -o /app .\nFROM Build AS Test\nRUN go test ./...\nFROM alpine\nCOPY --from=Build /app /app\nRUN --mount=type=bind,from=Build,source=/app,target=/x true\n',
      errors: [{ line: 1, column: 21, endColumn: 26 }, { line: 3, column: 15, endColumn: 19 }],
      output: 'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM build AS Test\nRUN go test ./...\nFROM alpine\nCOPY --from=build /app /app\nRUN --mount=type=bind,from=build,source=/app,target=/x true\n',
    },
    { code: 'FROM --platform=$BUILDPLATFORM \\\n  alpine AS TOOLS\n', errors: [{ line: 2, column: 13, endColumn: 18 }], output: 'FROM --platform=$BUILDPLATFORM \\\n  alpine AS tools\n' },
  ],
});
