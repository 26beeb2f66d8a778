import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

function digests(memo: boolean): Record<string, string> {
  const env = { ...process.env };
  if (memo) delete env.LAYERWISE_NO_AST_MEMO;
  else env.LAYERWISE_NO_AST_MEMO = '1';
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/memo-probe.ts'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

describe('memoized dockerfile-ast getters', () => {
  it('give the library features exactly the same answers on every corpus file', { timeout: 300_000 }, () => {
    const withMemo = digests(true);
    const without = digests(false);
    assert.ok(Object.keys(without).length > 1400);
    const differ = Object.keys(without).filter((f) => withMemo[f] !== without[f]);
    assert.deepEqual(differ, []);
  });
});
