import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { findingsOf, ruleTable } from './harness';

ruleTable('final-user-root', {
  valid: [
    'FROM scratch\nUSER foo\n',
    'FROM debian as base\nUSER root\nRUN something\nUSER foo\nFROM scratch\nRUN something else\n',
    'FROM debian AS build\nUSER root\nRUN make\nFROM debian\nUSER 10001\n',
    'FROM debian\nUSER root\nRUN apt-get update\nUSER app:app\n',
    'FROM debian\nARG RUNTIME_USER\nUSER $RUNTIME_USER\n',
    'FROM debian\nONBUILD USER root\n',
    'FROM debian\nUSER rootless\n',
  ],
  invalid: [
    { code: 'FROM scratch\nUSER root\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 10, message: /USER root/ }], output: 'FROM scratch\nUSER 65534:65534\n' },
    // Back to the user the image ran as before; nothing after needs root, so the value is replaced.
    { code: 'FROM debian\nUSER app\nRUN make\nUSER 0:0\n', errors: [{ line: 4, column: 6, endLine: 4, endColumn: 9 }], output: 'FROM debian\nUSER app\nRUN make\nUSER app\n' },
    // A RUN follows `USER root`: it keeps running as root, the USER goes after it.
    {
      code: 'FROM node:20\nUSER node\nCOPY . .\nUSER root\nRUN npm ci && npm cache clean --force\n# serve\nCMD ["node", "server.js"]\n',
      errors: [{ line: 4 }],
      output: 'FROM node:20\nUSER node\nCOPY . .\nUSER root\nRUN npm ci && npm cache clean --force\nUSER node\n# serve\nCMD ["node", "server.js"]\n',
    },
    // `USER root` in a stage the final one builds on: the final stage gets the user.
    {
      code: 'FROM debian AS base\nUSER root:staff\nFROM base\nRUN make\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 16 }],
      output: 'FROM debian AS base\nUSER root:staff\nFROM base\nRUN make\nRUN groupadd --system --gid 10001 app \\\n    && useradd --system --uid 10001 --gid app --no-log-init --create-home app\nUSER 10001:10001\n',
    },
    // An ARG-substituted USER is a knob the build sets: reported, not rewritten.
    { code: 'ARG U=0\nFROM debian\nARG U\nUSER ${U}\nCMD ["bash"]\n', errors: [{ line: 4, column: 6, endLine: 4, endColumn: 10, message: /\(= 0\)/ }] },
    // No user yet, on an ARG-substituted image: one is created after USER root (its RUN needs root).
    {
      code: 'ARG TAG=bookworm\nFROM debian:${TAG}\nUSER root\nCMD ["bash"]\n',
      errors: [{ line: 3 }],
      output: 'ARG TAG=bookworm\nFROM debian:${TAG}\nUSER root\nRUN groupadd --system --gid 10001 app \\\n    && useradd --system --uid 10001 --gid app --no-log-init --create-home app\nUSER 10001:10001\nCMD ["bash"]\n',
    },
    { code: 'FROM debian\nARG U\nUSER $U\n', buildArgs: { U: 'root' }, errors: [{ line: 3 }] },
    // A user created by the image (Alpine's adduser), no RUN after USER root: replaced in place.
    {
      code: 'FROM alpine:3.20\nRUN adduser -D -u 1000 appuser\nUSER root\nENTRYPOINT ["/app"]\n',
      errors: [{ line: 3 }],
      output: 'FROM alpine:3.20\nRUN adduser -D -u 1000 appuser\nUSER appuser\nENTRYPOINT ["/app"]\n',
    },
    { code: 'FROM node:20-alpine\nUSER root\nCMD ["node"]\n', errors: [{ line: 2 }], output: 'FROM node:20-alpine\nUSER 1000:1000\nCMD ["node"]\n' },
    { code: 'FROM registry.example.com/base:1\nUSER root\nCMD ["app"]\n', errors: [{ line: 2 }] },
  ],
});

describe('final-user-root fixes', () => {
  before(() => initShellParser());
  it('are never safe', () => {
    const { diagnostics } = findingsOf('final-user-root', 'FROM debian\nUSER app\nRUN make\nUSER 0:0\n');
    assert.deepEqual((diagnostics[0]!.data as RuleDiagnosticData).fixes.map((f) => f.safe), [false]);
  });
});

ruleTable('final-user-root', {
  valid: [],
  invalid: [
    // The user is created only when a build arg asks for it, and USER is a knob: no fix.
    {
      code: 'FROM python:3.12-slim\nARG UID=0\nRUN if [ $UID -ne 0 ]; then useradd --uid $UID app; fi\nUSER $UID\n',
      errors: [{ line: 4 }],
    },
    { code: 'FROM python:3.12-slim\nRUN [ -n "$X" ] || useradd app\nUSER root\nCMD ["python"]\n', errors: [{ line: 3 }] },
  ],
});
