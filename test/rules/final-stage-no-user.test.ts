import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { findingsOf, ruleTable } from './harness';

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
    {
      code: 'FROM python:3.12-slim\nCMD ["python"]\n',
      errors: [{ line: 1, column: 6, endLine: 1, endColumn: 22, message: /python:3\.12-slim/ }],
      output: 'FROM python:3.12-slim\nRUN groupadd --system --gid 10001 app \\\n    && useradd --system --uid 10001 --gid app --no-log-init --create-home app\nUSER 10001:10001\nCMD ["python"]\n',
    },
    // Several stages: the final one gets the user, at its end when it has no CMD.
    {
      code: 'FROM debian:bookworm AS build\nUSER app\nFROM debian:bookworm\nCOPY --from=build /out /out\n',
      errors: [{ line: 3, column: 6 }],
      output: 'FROM debian:bookworm AS build\nUSER app\nFROM debian:bookworm\nCOPY --from=build /out /out\nRUN groupadd --system --gid 10001 app \\\n    && useradd --system --uid 10001 --gid app --no-log-init --create-home app\nUSER 10001:10001\n',
    },
    { code: 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 13, message: /root \(uid 0\)/ }], output: 'FROM scratch\nCOPY app /app\nUSER 65534:65534\nENTRYPOINT ["/app"]\n' },
    // An ARG-substituted Alpine image: BusyBox's addgroup/adduser, in the file's trailing-&& style.
    {
      code: 'ARG TAG=3.20\nFROM alpine:${TAG}\nRUN apk add --no-cache curl && \\\n  curl --version\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 19, message: /alpine:3\.20/ }],
      output: 'ARG TAG=3.20\nFROM alpine:${TAG}\nRUN apk add --no-cache curl && \\\n  curl --version\nRUN addgroup -S -g 10001 app && \\\n  adduser -S -D -u 10001 -G app app\nUSER 10001:10001\n',
    },
    // The image already creates a user: switch to it, after the last RUN, the comment above CMD kept with it.
    {
      code: 'FROM python:3.12\nRUN useradd --create-home -u 1001 worker\nRUN pip install --no-cache-dir flask\n# start\nCMD ["flask", "run"]\n',
      errors: [{ line: 1 }],
      output: 'FROM python:3.12\nRUN useradd --create-home -u 1001 worker\nRUN pip install --no-cache-dir flask\nUSER worker\n# start\nCMD ["flask", "run"]\n',
    },
    { code: 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n', errors: [{ line: 1 }], output: 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nUSER 1000:1000\nCMD ["node", "server.js"]\n' },
    { code: 'FROM gcr.io/distroless/python3-debian12\nCOPY app.py /\nCMD ["/app.py"]\n', errors: [{ line: 1 }], output: 'FROM gcr.io/distroless/python3-debian12\nCOPY app.py /\nUSER 65532:65532\nCMD ["/app.py"]\n' },
    // The backtick escape character continues the created RUN.
    {
      code: '# escape=`\nFROM ubuntu:24.04\nRUN apt-get update `\n    && apt-get install -y --no-install-recommends curl\nENTRYPOINT ["curl"]\n',
      errors: [{ line: 2 }],
      output: '# escape=`\nFROM ubuntu:24.04\nRUN apt-get update `\n    && apt-get install -y --no-install-recommends curl\nRUN groupadd --system --gid 10001 app `\n    && useradd --system --uid 10001 --gid app --no-log-init --create-home app\nUSER 10001:10001\nENTRYPOINT ["curl"]\n',
    },
    // A stage built on another: the image it comes from decides (here Alpine); no final newline.
    {
      code: 'FROM alpine:3.20 AS base\nRUN apk add --no-cache tini\nFROM base\nCOPY app /app\nCMD ["/app"]',
      errors: [{ line: 3 }],
      output: 'FROM alpine:3.20 AS base\nRUN apk add --no-cache tini\nFROM base\nCOPY app /app\nRUN addgroup -S -g 10001 app \\\n    && adduser -S -D -u 10001 -G app app\nUSER 10001:10001\nCMD ["/app"]',
    },
    { code: 'FROM debian:bookworm\nCOPY app /app', errors: [{ line: 1 }], output: 'FROM debian:bookworm\nCOPY app /app\nRUN groupadd --system --gid 10001 app \\\n    && useradd --system --uid 10001 --gid app --no-log-init --create-home app\nUSER 10001:10001' },
    // An image we know nothing about: which tools it has is not guessed.
    { code: 'FROM registry.example.com/base:1\nCMD ["app"]\n', errors: [{ line: 1 }] },
    { code: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD ["app.exe"]\n', errors: [{ line: 1 }] },
    // A user whose name comes from an unknown variable.
    { code: 'FROM debian\nARG NAME\nRUN useradd "$NAME"\nCMD ["app"]\n', errors: [{ line: 1 }] },
  ],
});

describe('final-stage-no-user fixes', () => {
  before(() => initShellParser());
  it('are never safe (root-owned files, low ports)', () => {
    const { diagnostics } = findingsOf('final-stage-no-user', 'FROM python:3.12-slim\nCMD ["python"]\n');
    assert.deepEqual((diagnostics[0]!.data as RuleDiagnosticData).fixes.map((f) => f.safe), [false]);
  });
});
