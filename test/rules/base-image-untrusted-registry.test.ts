import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { lintDocument } from '../../server/src/engine/lint';
import { initShellParser } from '../../server/src/model/shell';
import { docOf } from '../support/docs';
import { ruleTable } from './harness';

// Without trustedRegistries the rule says nothing (the harness runs with the default configuration).
ruleTable('base-image-untrusted-registry', {
  valid: ['FROM random.com/debian\n', 'FROM quay.io/evil/base:1.0\nCOPY --from=ghcr.io/x/y:1 /a /b\n'],
  invalid: [],
});

function findings(text: string, trustedRegistries: string[]): string[] {
  const ds = lintDocument(docOf(text), DEFAULT_SETTINGS, {
    ruleConfig: { rules: { 'base-image-untrusted-registry': 'warning' }, hadolint: { ignored: [], override: {}, trustedRegistries } },
  }).filter((d) => d.code === 'base-image-untrusted-registry');
  return ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1}`);
}

describe('base-image-untrusted-registry with trustedRegistries', () => {
  before(() => initShellParser());
  it('reports images from other registries, with their range', () => {
    assert.deepEqual(findings('FROM random.com/debian\n', ['docker.io']), ['1:6-1:23']);
    assert.deepEqual(findings('FROM quay.io/a/b:1 AS x\r\nCOPY --from=ghcr.io/x/y:1 /a /b\r\n', ['docker.io']), ['1:6-1:19', '2:13-2:26']);
  });
  it('treats images without a registry as Docker Hub', () => {
    assert.deepEqual(findings('FROM debian:12\n', ['registry.example.com']), ['1:6-1:15']);
    assert.deepEqual(findings('FROM debian:12\n', ['hub.docker.com']), []);
    assert.deepEqual(findings('FROM debian:12\n', ['docker.io']), []);
  });
  it('accepts listed registries, wildcards, scratch, earlier stages and unknown ARGs', () => {
    assert.deepEqual(findings('FROM registry.example.com/debian:12 AS base\nFROM base\nFROM scratch\nARG IMG\nFROM $IMG\n', ['registry.example.com']), []);
    assert.deepEqual(findings('FROM eu.gcr.io/p/app:1\n', ['*.gcr.io']), []);
    assert.deepEqual(findings('FROM r.example.com/x:1 AS build\nFROM r.example.com/y:1\nCOPY --from=build /a /b\n', ['r.example.com']), []);
  });
});
