import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ParsedDocument } from '../../server/src/engine/document';
import { initShellParser } from '../../server/src/model/shell';

before(async () => {
  await initShellParser();
});

test('the model without build args (syntax checks) and with the user build args (rules) are both kept for a version', () => {
  const doc = new ParsedDocument('file:///w/Dockerfile', 1, 'ARG TAG=1\nFROM alpine:${TAG}\nRUN echo $TAG\n');
  const plain = doc.model();
  const withArgs = doc.model({ TAG: '2' });
  assert.notEqual(plain, withArgs);
  assert.equal(doc.model(), plain);
  assert.equal(doc.model({ TAG: '2' }), withArgs);
  assert.equal(withArgs.stages[0]?.base?.resolved, 'alpine:2');
  assert.equal(plain.stages[0]?.base?.resolved, 'alpine:1');
});
