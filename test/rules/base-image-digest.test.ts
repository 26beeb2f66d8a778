import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import type { Fix, LocalImageFacts } from '../../server/src/rules/rule';
import { findingsOf, ruleTable, type DaemonFacts } from './harness';

const DIGEST = 'sha256:2ec5a4a5c3e919570f57675471f081d6299668d909feabd8d4803c6c61af666c';
const LOCAL = 'sha256:00b67d4105ee0be729f45fe25a13c0704c9b01851a29cf7a7602a39fbe32860e';
const local = (repoDigests: string[]): LocalImageFacts => ({ id: `sha256:${'1'.repeat(64)}`, os: 'linux', architecture: 'amd64', repoDigests });

ruleTable('base-image-digest', {
  valid: [
    `FROM python:3.12-slim@${DIGEST}\n`,
    `FROM python@${DIGEST}\n`,
    'FROM scratch\nCOPY app /\n',
    `FROM golang:1.22@${DIGEST} AS build\nFROM build AS test\n`,
    // An image named by an ARG without a value is not guessed at.
    'ARG BASE\nFROM $BASE\n',
    `ARG BASE=alpine:3.20@${DIGEST}\nFROM \${BASE}\n`,
    `FROM --platform=$BUILDPLATFORM golang:1.22@${DIGEST}\n`,
  ],
  invalid: [
    { code: 'FROM python:3.12-slim\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 22, message: /`python:3\.12-slim` is pulled by tag.*`python:3\.12-slim@sha256:…`/ }] },
    { code: 'FROM ubuntu\n', errors: [{ line: 1, column: 6, endColumn: 12, message: /`ubuntu`/ }] },
    { code: 'FROM --platform=linux/amd64 ghcr.io/org/img:1.0 AS base\nFROM base\nFROM scratch\n', errors: [{ line: 1, column: 29, endColumn: 48 }] },
    { code: 'ARG TAG=3.20\nFROM alpine:${TAG}\n', errors: [{ line: 2, column: 6, endColumn: 19, message: /`alpine:3\.20`/ }] },
    { code: 'FROM node:20 AS a\nFROM nginx:1.27\n', errors: [{ line: 1 }, { line: 2 }] },
    { code: 'FROM alpine\n', buildArgs: {}, errors: [{ line: 1 }] },
    // The daemon has the image and knows its registry digest: the fix pins to it and keeps the tag.
    { code: 'FROM busybox:1.36\nRUN true\n', images: { 'busybox:1.36': local([`busybox@${LOCAL}`]) }, errors: [{ line: 1 }], output: `FROM busybox:1.36@${LOCAL}\nRUN true\n` },
    // The registry's digest now comes first (registry queries allowed), the local one after it.
    {
      code: 'FROM busybox:1.36\nRUN true\n',
      images: { 'busybox:1.36': local([`busybox@${LOCAL}`]) },
      registryDigests: { 'busybox:1.36': DIGEST },
      errors: [{ line: 1 }],
      output: `FROM busybox:1.36@${DIGEST}\nRUN true\n`,
    },
    { code: 'FROM busybox\n', images: { 'busybox:latest': local([`docker.io/library/busybox@${LOCAL}`]) }, errors: [{ line: 1 }], output: `FROM busybox@${LOCAL}\n` },
    {
      code: 'FROM 127.0.0.1:5000/lw-test/busybox:1 AS base\n',
      images: { '127.0.0.1:5000/lw-test/busybox:1': local([`other/busybox@${DIGEST}`, `127.0.0.1:5000/lw-test/busybox@${LOCAL}`]) },
      errors: [{ line: 1 }],
      output: `FROM 127.0.0.1:5000/lw-test/busybox:1@${LOCAL} AS base\n`,
    },
  ],
});

describe('base-image-digest: pin to the local digest', () => {
  before(() => initShellParser());
  const fixesOf = (code: string, images: DaemonFacts['images']): Fix[] =>
    findingsOf('base-image-digest', code, { images }).diagnostics.flatMap((d) => (d.data as RuleDiagnosticData).fixes);

  it('is a safe fix titled with the digest', () => {
    const [fix, ...rest] = fixesOf('FROM busybox:1.36\n', { 'busybox:1.36': local([`busybox@${LOCAL}`]) });
    assert.equal(rest.length, 0);
    assert.equal(fix!.safe, true);
    assert.equal(fix!.title, `Pin to ${LOCAL.slice(0, 19)}…, the digest of the local busybox:1.36`);
  });
  it('is not offered without a digest in the same repository, nor without facts', () => {
    assert.deepEqual(fixesOf('FROM busybox:1.36\n', { 'busybox:1.36': local([]) }), []);
    assert.deepEqual(fixesOf('FROM busybox:1.36\n', { 'busybox:1.36': local([`myorg/busybox@${LOCAL}`]) }), []);
    assert.deepEqual(fixesOf('FROM busybox:1.36\n', { 'busybox:1.36': null }), []);
    assert.deepEqual(fixesOf('FROM busybox:1.36\n', undefined), []);
  });
  it('is not offered where an ARG writes the reference (its default would need the edit)', () => {
    assert.deepEqual(fixesOf('ARG TAG=1.36\nFROM busybox:${TAG}\n', { 'busybox:1.36': local([`busybox@${LOCAL}`]) }), []);
  });
  it('offers each digest of that repository', () => {
    const fixes = fixesOf('FROM busybox:1.36\n', { 'busybox:1.36': local([`busybox@${LOCAL}`, `busybox@${DIGEST}`, `busybox@${LOCAL}`]) });
    assert.deepEqual(fixes.map((f) => f.edits[0]!.newText), [`@${LOCAL}`, `@${DIGEST}`]);
  });
});
