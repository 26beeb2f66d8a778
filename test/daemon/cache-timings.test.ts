import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheReport } from '../../server/src/cache/report';
import { TimingsStore, type StepTiming } from '../../server/src/cache/timings';
import { runBuild } from '../../server/src/docker/build';
import type { DaemonClient } from '../../server/src/docker/client';
import { buildkitSkip, testDaemon } from '../support/daemon';
import { GitRepo } from '../support/git-fixture';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import { connect, removeImage, RUN_ID } from './docker-fixtures';

/**
 * c_i from real builds: a fixture repository built twice through the editor's build path
 * (runBuild) with each builder; the step durations it reports go into the store, and the cache
 * report shows them per line. The second build is served from the cache and must not replace the
 * measured duration with its near-zero one.
 */

const daemon = testDaemon();

describe('build step timings as c_i', { skip: daemon.skip }, () => {
  let client: DaemonClient;
  const tags: string[] = [];
  const cleanup: (() => void)[] = [];

  before(async () => {
    client = await connect(daemon.host!);
    await ensureBusyboxImage(await client.streaming());
  });
  after(async () => {
    for (const t of tags) await removeImage(client, t);
    cleanup.forEach((f) => f());
  });

  for (const builder of ['buildkit', 'classic'] as const) {
    it(`${builder}: the RUN's duration is recorded and reported; a cached rebuild keeps it; lines never built stay null`, { skip: builder === 'buildkit' && buildkitSkip() }, async () => {
      const repo = GitRepo.create();
      const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-timings-'));
      cleanup.push(() => repo.remove(), () => fs.rmSync(storeDir, { recursive: true, force: true }));
      repo.commit('init', {
        Dockerfile: [
          `FROM ${BUSYBOX_IMAGE} AS app`, // 1
          `ENV LW_RUN=${RUN_ID}-${builder}`, // 2
          'COPY a.txt /a.txt', // 3
          'RUN sleep 1.3 && cat /a.txt', // 4
          'FROM app AS unused', // 5: after the target, never built
          'RUN echo never', // 6
          '',
        ].join('\n'),
        'a.txt': 'a',
      });
      const dockerfile = repo.path('Dockerfile');
      const store = new TimingsStore(storeDir);
      const tag = `layerwise-test/cache-timings-${builder}:${RUN_ID}`;
      tags.push(tag);
      const build = async (): Promise<StepTiming[]> => {
        const timings: StepTiming[] = [];
        const lines: string[] = [];
        const r = await runBuild(
          client,
          { contextDir: repo.dir, dockerfile: 'Dockerfile', tag, target: 'app', buildArgs: {}, builder },
          { onStepTiming: (t) => timings.push(t), onLine: (l) => lines.push(l) },
        );
        assert.equal(r.ok, true, `${r.error}\n${lines.slice(-20).join('\n')}`);
        await store.record(dockerfile, timings);
        return timings;
      };

      const first = await build();
      const run1 = first.find((t) => /RUN sleep/.test(t.step));
      assert.ok(run1, `no timing for the RUN step: ${JSON.stringify(first)}`);
      assert.equal(run1.cached, false);
      assert.ok(!first.some((t) => /never/.test(t.step)));
      let report = await cacheReport(dockerfile, { timingsStore: store });
      const byLine = new Map(report.instructions.map((l) => [l.line, l]));
      const seconds = byLine.get(4)!.seconds;
      assert.ok(seconds !== null && seconds >= 1.3 && seconds < 10, `RUN sleep 1.3 took ${seconds} s`);
      assert.equal(byLine.get(6)!.seconds, null);
      assert.equal(byLine.get(5)!.seconds, null);
      if (builder === 'buildkit') assert.equal(byLine.get(2)!.seconds, null); // ENV is no BuildKit vertex
      assert.equal(report.expectedSeconds !== null && report.expectedSeconds >= seconds, true);

      const second = await build();
      const run2 = second.find((t) => /RUN sleep/.test(t.step));
      assert.ok(run2, `no timing for the cached RUN step: ${JSON.stringify(second)}`);
      assert.equal(run2.cached, true);
      assert.ok(run2.seconds < 1, `a cached step took ${run2.seconds} s`);
      report = await cacheReport(dockerfile, { timingsStore: store });
      assert.equal(report.instructions.find((l) => l.line === 4)!.seconds, seconds);
    });
  }
});
