import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PATHOLOGIES } from '../support/fuzz';
import { LspClient } from '../support/lsp-client';

/**
 * Validation runs in steps with turns of the event loop between them (engine/cooperative.ts): a
 * small document opened after a large one is published first, and a version that changes while
 * it is linted is abandoned instead of published. Order only, no clock.
 */
const SERVER = path.resolve('server/out/server.js');
/** A hang detector for a loaded machine, not a speed assertion. */
const DEADLINE_MS = 120_000;

describe('validation yields to other documents', () => {
  let client: LspClient;

  before(async () => {
    client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], settings: { layerwise: { docker: { host: 'unix:///nonexistent/layerwise-test.sock' } } } });
    await client.initialize({ timeoutMs: DEADLINE_MS });
  });
  after(async () => {
    await client.shutdown();
  });

  it('a small document opened after a large one gets its diagnostics first; the large one changed meanwhile is published for its new version only', async () => {
    // 600 stages (1,800 instructions, under the 2,000 limit): hundreds of steps of linting.
    const large = PATHOLOGIES['thousands of stages']!(36_000);
    const big = 'untitled:yields-big';
    const small = 'untitled:yields-small';
    const smallDone = client.waitForDiagnostics(small, { version: 1 }, DEADLINE_MS);
    await client.didOpen(big, large, 1);
    await client.didOpen(small, 'FROM alpine:3.20\nRUN cd /tmp\n', 1);
    const first = await smallDone;
    assert.ok(first.diagnostics.some((d) => d.code === 'run-cd-instead-of-workdir'));
    assert.deepEqual(client.diagnostics.filter((p) => p.uri === big), [], 'the large document was published before the small one');

    const bigDone = client.waitForDiagnostics(big, { version: 2 }, DEADLINE_MS);
    await client.didChange(big, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
    const second = await bigDone;
    assert.ok(second.seq > first.seq);
    assert.ok(second.diagnostics.length >= 600, `${second.diagnostics.length} diagnostics`);
    assert.deepEqual(
      client.diagnostics.filter((p) => p.uri === big).map((p) => p.version),
      [2],
      'version 1 was published although version 2 had arrived while it was linted',
    );
  });
});
