import { ruleTable } from './harness';

ruleTable('final-stage-no-user', {
  valid: [
    'FROM debian:bookworm\nUSER app\n',
    'FROM debian:bookworm AS base\nUSER 10001\nFROM base\nCMD ["app"]\n',
    'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n',
    'FROM cgr.dev/chainguard/static:latest\nCOPY app /app\n',
    'FROM scratch AS export\nCOPY --from=build /out /\n',
    'ARG BASE\nFROM $BASE\nCOPY app /app\n',
    'RUN foo\n',
  ],
  invalid: [
    { code: 'FROM python:3.12-slim\nCMD ["python"]\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 22, message: /python:3\.12-slim/ }] },
    { code: 'FROM debian:bookworm AS build\nUSER app\nFROM debian:bookworm\nCOPY --from=build /out /out\n', errors: [{ line: 3, column: 6 }] },
    { code: 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 13, message: /root \(uid 0\)/ }] },
    { code: 'ARG TAG=3.20\nFROM alpine:${TAG}\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 19, message: /alpine:3\.20/ }] },
  ],
});
