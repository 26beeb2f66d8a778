import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCacheReport } from '../../server/src/cache/report';
import { TimingsStore } from '../../server/src/cache/timings';
import { GitRepo } from '../support/git-fixture';

/** `layerwise cache-report [--json] [--commits N] DOCKERFILE` on a scripted repository. */

async function run(argv: string[], store?: TimingsStore): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCacheReport(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, { timingsStore: store });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('layerwise cache-report', () => {
  const r = GitRepo.create();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-timings-'));
  after(() => {
    r.remove();
    fs.rmSync(storeDir, { recursive: true, force: true });
  });
  r.commit('init', { Dockerfile: 'FROM busybox\nCOPY app.sh /app.sh\nRUN sh /app.sh\n', '.dockerignore': 'Dockerfile\n', 'app.sh': 'echo 1' });
  r.commit('app', { 'app.sh': 'echo 2' });
  r.commit('docs', { 'notes.txt': 'x' });
  r.commit('app again', { 'app.sh': 'echo 3' });

  it('--json prints the instructions with line, text, rerunShare and seconds (null when unknown)', async () => {
    const { code, out } = await run(['--json', r.path('Dockerfile')]);
    assert.equal(code, 0);
    const json = JSON.parse(out) as { instructions: unknown[]; commits: number; head: string; expectedSeconds: number | null };
    assert.deepEqual(json.instructions, [
      { line: 1, instruction: 'FROM busybox', rerunShare: 0.25, seconds: null },
      { line: 2, instruction: 'COPY app.sh /app.sh', rerunShare: 0.75, seconds: null },
      { line: 3, instruction: 'RUN sh /app.sh', rerunShare: 0.75, seconds: null },
    ]);
    assert.equal(json.commits, 4);
    assert.equal(json.head, r.head());
    assert.equal(json.expectedSeconds, null);
  });

  it('--commits N and measured durations: E[T] = Σ rerunShare · seconds', async () => {
    const store = new TimingsStore(storeDir);
    await store.record(r.path('Dockerfile'), [
      { step: '[3/3] RUN sh /app.sh', seconds: 4, cached: false },
      { step: '[2/3] COPY app.sh /app.sh', seconds: 0.5, cached: false },
    ]);
    const { code, out } = await run(['--commits', '2', '--json', r.path('Dockerfile')], store);
    assert.equal(code, 0);
    const json = JSON.parse(out) as { instructions: { rerunShare: number; seconds: number | null }[]; commits: number; expectedSeconds: number };
    assert.equal(json.commits, 2);
    assert.deepEqual(
      json.instructions.map((l) => [l.rerunShare, l.seconds]),
      [[0, null], [0.5, 0.5], [0.5, 4]],
    );
    assert.equal(json.expectedSeconds, 0.5 * 0.5 + 0.5 * 4);
    const table = await run(['--commits=2', r.path('Dockerfile')], store);
    assert.equal(table.code, 0);
    assert.match(table.out, /^\s*3\s+50%\s+4\.0 s\s+RUN sh \/app\.sh$/m);
    assert.match(table.out, /^\s*1\s+0%\s+-\s+FROM busybox$/m);
    assert.match(table.out, /Expected rebuild time per commit: 2\.3 s/);
  });

  it('usage problems, a missing file and a folder outside git exit with 2', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['--commits', '0', r.path('Dockerfile')])).code, 2);
    assert.equal((await run(['--frobnicate', r.path('Dockerfile')])).code, 2);
    assert.equal((await run([r.path('missing/Dockerfile')])).code, 2);
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-nogit-'));
    try {
      fs.writeFileSync(path.join(plain, 'Dockerfile'), 'FROM busybox\n');
      const res = await run([path.join(plain, 'Dockerfile')]);
      assert.equal(res.code, 2);
      assert.match(res.err, /not in a git repository/);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
    assert.equal((await run(['--help'])).code, 0);
  });
});
