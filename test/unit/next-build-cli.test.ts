import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { ContextReader } from '../../server/src/cache/context-snapshot';
import { NEXT_BUILD_USAGE, RECORD_USAGE, runNextBuild, runRecord } from '../../server/src/cache/next-build-cli';
import { BuildInputsStore, recordNow } from '../../server/src/cache/next-build-store';
import { TimingsStore } from '../../server/src/cache/timings';
import { runCli } from '../../server/src/cli';

/**
 * `layerwise next-build` and `layerwise record` without a daemon: a Dockerfile FROM scratch
 * (no base image to ask about), recorded through the store as Build Image does.
 */

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

const NO_DAEMON = ['--host', 'unix:///nonexistent/layerwise-next-build.sock'];

describe('layerwise next-build / record', () => {
  it('--help prints the usage; the top-level usage lists both', async () => {
    for (const [run, usage] of [
      [runNextBuild, NEXT_BUILD_USAGE],
      [runRecord, RECORD_USAGE],
    ] as const) {
      const c = io();
      assert.equal(await run(['--help'], c.io), 0);
      assert.equal(c.out.join('\n'), usage);
    }
    const c = io();
    await runCli(['--help'], c.io);
    assert.match(c.out.join('\n'), /layerwise next-build \[--json\]/);
    assert.match(c.out.join('\n'), /layerwise record \[--target STAGE\]/);
  });

  it('usage problems exit 2: no Dockerfile, record without --image, an unknown option', async () => {
    const a = io();
    assert.equal(await runNextBuild(['--json'], a.io), 2);
    const b = io();
    assert.equal(await runRecord(['Dockerfile'], b.io), 2);
    assert.match(b.err.join('\n'), /--image REF/);
    const c = io();
    assert.equal(await runNextBuild(['--bogus', 'Dockerfile'], c.io), 2);
  });

  it('without a recorded build it says what the prediction needs; after one, --json names what re-runs and why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-next-cli-'));
    dirs.push(dir);
    const dockerfile = path.join(dir, 'Dockerfile');
    fs.writeFileSync(dockerfile, 'FROM scratch AS app\nARG VERSION=1\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    fs.writeFileSync(path.join(dir, 'b.txt'), 'b');
    const inputsStore = new BuildInputsStore(path.join(dir, '.store', 'inputs'));
    const timingsStore = new TimingsStore(path.join(dir, '.store', 'timings'));
    const none = io();
    assert.equal(await runNextBuild(['--json', ...NO_DAEMON, dockerfile], none.io, { inputsStore, timingsStore }), 1);
    assert.match(none.err.join('\n'), /needs one build from the editor \(Build Image\) or a `layerwise record/);

    await recordNow({ dockerfilePath: dockerfile, settings: { buildArgs: {} }, imageId: async () => undefined, reader: new ContextReader() }, inputsStore, 'sha256:0');
    await timingsStore.record(dockerfile, [{ step: '[app 4/4] COPY b.txt /b.txt', seconds: 2.5, cached: false }]);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a2');
    const c = io();
    assert.equal(await runNextBuild(['--json', ...NO_DAEMON, dockerfile], c.io, { inputsStore, timingsStore }), 0, c.err.join('\n'));
    assert.deepEqual(JSON.parse(c.out.join('\n')), {
      steps: [
        { line: 3, instruction: 'COPY a.txt /a.txt', willRun: true, reason: 'a.txt changed', seconds: null },
        { line: 4, instruction: 'COPY b.txt /b.txt', willRun: true, reason: 'line 3 re-runs', seconds: 2.5 },
      ],
      seconds: 2.5,
    });
    const text = io();
    assert.equal(await runNextBuild([...NO_DAEMON, dockerfile], text.io, { inputsStore, timingsStore }), 0);
    assert.match(text.out.join('\n'), /Next build ≈ 2\.5 s \(plus 1 step\(s\) never timed\), re-runs from line 3\./);
  });
});
