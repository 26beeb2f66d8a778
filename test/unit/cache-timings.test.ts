import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as protobuf from 'protobufjs';
import { BuildkitStepTimer, ClassicStepTimer, decodeStatusVertexes, stepKey, TimingsStore, type StepTiming } from '../../server/src/cache/timings';

/**
 * Step durations: BuildKit's trace messages encoded with the very proto file dockerode decodes
 * them with, the classic builder's Step lines on a fake clock, and the per-Dockerfile store.
 */

const PROTO = path.join(__dirname, '..', '..', 'node_modules', 'dockerode', 'lib', 'proto', 'buildkit_status.proto');
const StatusResponse = protobuf.loadSync(PROTO).lookupType('moby.buildkit.v1.StatusResponse');

function ts(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

function trace(vertexes: Record<string, unknown>[]): string {
  const aux = Buffer.from(StatusResponse.encode(StatusResponse.fromObject({ vertexes })).finish()).toString('base64');
  return JSON.stringify({ id: 'moby.buildkit.trace', aux }) + '\n';
}

describe('step timings', () => {
  it('decodes StatusResponse vertexes: names, cached, started/completed to the millisecond', () => {
    const aux = JSON.parse(trace([{ digest: 'sha256:aa', name: '[2/3] RUN sleep 1', cached: false, started: ts(1_700_000_000_250), completed: ts(1_700_000_001_750) }])).aux as string;
    const [v] = decodeStatusVertexes(aux);
    assert.equal(v!.name, '[2/3] RUN sleep 1');
    assert.equal(v!.digest, 'sha256:aa');
    assert.equal(v!.cached, false);
    assert.equal(v!.completed! - v!.started!, 1500);
  });

  it('BuildKit: one timing per Dockerfile step when it completes, across chunk boundaries; internal vertexes left out', () => {
    const got: StepTiming[] = [];
    const timer = new BuildkitStepTimer((t) => got.push(t));
    const stream =
      trace([{ digest: 'd0', name: '[internal] load build definition from Dockerfile', started: ts(1000), completed: ts(1100) }]) +
      trace([{ digest: 'd1', name: '[1/3] FROM docker.io/library/busybox:latest', started: ts(1000) }]) +
      trace([{ digest: 'd1', name: '[1/3] FROM docker.io/library/busybox:latest', started: ts(1000), completed: ts(1200), cached: true }]) +
      trace([{ digest: 'd2', name: '[build 2/3] RUN make', started: ts(2000) }]) +
      JSON.stringify({ stream: 'not a trace' }) + '\n' +
      trace([{ digest: 'd2', name: '[build 2/3] RUN make', started: ts(2000), completed: ts(5500) }]) +
      trace([{ digest: 'd2', name: '[build 2/3] RUN make', started: ts(2000), completed: ts(5500) }]) +
      trace([{ digest: 'd3', name: '[3/3] RUN false', started: ts(6000), completed: ts(6100), error: 'exit code 1' }]);
    for (let i = 0; i < stream.length; i += 37) timer.push(Buffer.from(stream.slice(i, i + 37)));
    timer.end();
    assert.deepEqual(got, [
      { step: '[1/3] FROM docker.io/library/busybox:latest', seconds: 0.2, cached: true },
      { step: '[build 2/3] RUN make', seconds: 3.5, cached: false },
    ]);
  });

  it('classic builder: the time between Step lines, "Using cache" marks a step cached, a failed build records no last step', () => {
    let now = 0;
    const got: StepTiming[] = [];
    const timer = new ClassicStepTimer((t) => got.push(t), () => now);
    timer.line('Step 1/3 : FROM busybox');
    now = 100;
    timer.line(' ---> 1a2b3c');
    timer.line('Step 2/3 : COPY a /a');
    timer.line(' ---> Using cache');
    now = 150;
    timer.line('Step 3/3 : RUN sleep 2');
    now = 2150;
    timer.end(true);
    assert.deepEqual(got, [
      { step: 'Step 1/3 : FROM busybox', seconds: 0.1, cached: false },
      { step: 'Step 2/3 : COPY a /a', seconds: 0.05, cached: true },
      { step: 'Step 3/3 : RUN sleep 2', seconds: 2, cached: false },
    ]);
    // Podman's buildah: `STEP n/m: ` and `--> Using cache <id>`.
    const podman: StepTiming[] = [];
    const tp = new ClassicStepTimer((t) => podman.push(t), () => now);
    tp.line('STEP 1/2: COPY a /a');
    tp.line('--> Using cache 5dcdf6a16862e0833512');
    now = 2250;
    tp.line('STEP 2/2: RUN sleep 2');
    now = 4250;
    tp.end(true);
    assert.deepEqual(podman, [
      { step: 'STEP 1/2: COPY a /a', seconds: 0.1, cached: true },
      { step: 'STEP 2/2: RUN sleep 2', seconds: 2, cached: false },
    ]);
    const failed: StepTiming[] = [];
    const t2 = new ClassicStepTimer((t) => failed.push(t), () => now);
    t2.line('Step 1/1 : RUN false');
    t2.end(false);
    assert.deepEqual(failed, []);
  });

  it('step keys: BuildKit and classic names of one instruction agree; FROM compares by the short reference', () => {
    assert.equal(stepKey('[build 2/5] RUN  make   all'), 'RUN make all');
    assert.equal(stepKey('Step 2/5 : RUN make all'), 'RUN make all');
    assert.equal(stepKey('STEP 2/5: RUN make all'), 'RUN make all'); // Podman (buildah)
    assert.equal(stepKey('[1/2] FROM docker.io/library/alpine:3.20@sha256:' + 'a'.repeat(64)), 'FROM alpine:3.20');
    assert.equal(stepKey('FROM alpine:3.20 AS build'), 'FROM alpine:3.20');
    assert.equal(stepKey('[1/2] FROM docker.io/layerwise-test/busybox:local'), stepKey('FROM layerwise-test/busybox:local'));
    assert.equal(stepKey('FROM busybox'), 'FROM busybox:latest');
  });

  it('the store keeps the last non-cached duration per instruction; cached runs and other files do not overwrite it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-timings-'));
    try {
      const store = new TimingsStore(dir);
      const df = path.join(dir, 'Dockerfile');
      await store.record(df, [
        { step: '[2/3] RUN sleep 1', seconds: 1.234, cached: false },
        { step: '[3/3] COPY . .', seconds: 0.1, cached: false },
      ]);
      await Promise.all([
        store.record(df, [{ step: '[2/3] RUN sleep 1', seconds: 0.001, cached: true }]),
        store.record(path.join(dir, 'other', 'Dockerfile'), [{ step: '[2/3] RUN sleep 1', seconds: 9, cached: false }]),
      ]);
      const data = await new TimingsStore(dir).read(df);
      assert.equal(TimingsStore.secondsFor(data, ['RUN sleep 1']), 1.234);
      assert.equal(TimingsStore.secondsFor(data, [undefined, 'COPY . .']), 0.1);
      assert.equal(TimingsStore.secondsFor(data, ['RUN never built']), null);
      assert.equal(data.builds.length, 2);
      await store.record(df, [{ step: 'Step 2/3 : RUN sleep 1', seconds: 2.5, cached: false }]);
      assert.equal(TimingsStore.secondsFor(await store.read(df), ['RUN sleep 1']), 2.5);
      for (let i = 0; i < 12; i++) await store.record(df, []);
      assert.equal((await store.read(df)).builds.length, 10);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
