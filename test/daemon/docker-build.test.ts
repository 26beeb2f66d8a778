import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import type { DaemonClient } from '../../server/src/docker/client';
import { LayerLensService } from '../../server/src/docker/service';
import { ParsedDocument } from '../../server/src/engine/document';
import { initShellParser } from '../../server/src/model/shell';
import { buildkitSkip, defaultBuilder, testDaemon } from '../support/daemon';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import { apiBuild, connect, fixtureDir, removeImage, RUN_ID } from './docker-fixtures';

/**
 * Build Image: both paths it ships, BuildKit (version=2 with a session) and the classic builder
 * (version=1), through the Engine API of the private daemon; the context as a tar stream that
 * leaves out what .dockerignore excludes; build args; target; cancellation; failures.
 */

const daemon = testDaemon();

describe('Build Image through the Engine API', { skip: daemon.skip }, () => {
  let client: DaemonClient;
  const tags: string[] = [];
  const tag = (name: string): string => {
    const t = `layerwise-test/${name}:${RUN_ID}`;
    tags.push(t);
    return t;
  };

  before(async () => {
    await initShellParser();
    client = await connect(daemon.host!);
    await ensureBusyboxImage(await client.streaming());
  });
  after(async () => {
    for (const t of tags) await removeImage(client, t);
  });

  for (const builder of ['buildkit', 'classic'] as const) {
    const skip = builder === 'buildkit' && buildkitSkip();
    if (skip) {
      it(`${builder} asked of an engine without it (Podman): refused at once with the daemon's answer, no image, no fallback to classic`, async () => {
        const dir = fixtureDir({ Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN echo ${RUN_ID} > /run-id\n` });
        const t = tag(`refused-${builder}`);
        const r = await apiBuild(client, dir, { tag: t, builder, signal: new AbortController().signal });
        assert.equal(r.ok, false);
        assert.equal(r.cancelled, false);
        assert.match(r.error!, /refused the BuildKit session/, r.error);
        assert.ok(!(await client.inspect(t)), 'no image tagged');
      });
    } else
    it(`${builder}: sends the context without what .dockerignore excludes, passes build args, writes ${builder} history`, { skip }, async () => {
      const dir = fixtureDir({
        Dockerfile: [
          `FROM ${BUSYBOX_IMAGE}`,
          'ARG BLOCKS',
          `ENV LW_RUN=${builder}-${RUN_ID}`,
          'COPY . /ctx/',
          // The build fails if anything ignored reached the daemon.
          'RUN test -f /ctx/keep.txt && test ! -e /ctx/secret.env && test ! -e /ctx/node_modules && test ! -e /ctx/logs/debug.log && test -f /ctx/logs/keep.log',
          'RUN dd if=/dev/zero of=/blob bs=1024 count=${BLOCKS}',
          '',
        ].join('\n'),
        '.dockerignore': 'secret.env\nnode_modules\nlogs/*.log\n!logs/keep.log\n',
        'keep.txt': 'keep',
        'secret.env': 'TOKEN=1',
        'node_modules/dep/index.js': 'x'.repeat(10_000),
        'logs/debug.log': 'debug',
        'logs/keep.log': 'keep',
      });
      const lines: string[] = [];
      const r = await apiBuild(client, dir, { tag: tag(`build-${builder}`), builder, buildArgs: { BLOCKS: '20' }, onLine: (l) => lines.push(l) });
      assert.equal(r.ok, true);
      assert.equal(r.builder, builder);
      assert.match(r.imageId!, /^sha256:[0-9a-f]{64}$/);
      assert.equal(r.context?.files, 4); // Dockerfile, .dockerignore, keep.txt, logs/keep.log
      const history = await client.history(r.imageId!);
      const dd = history.find((h) => h.CreatedBy.includes('dd if=/dev/zero'))!;
      // Engine 20.10 counts the file's bytes; Podman its layer tar's (headers, padding), Engine 26's
      // containerd store the snapshot's disk usage (blocks, the directory): a little more.
      if (daemon.engine === 'docker20') assert.equal(dd.Size, 20 * 1024);
      else assert.ok(dd.Size > 20 * 1024 && dd.Size < 2 * 20 * 1024, String(dd.Size));
      if (builder === 'buildkit') {
        assert.equal(dd.Comment, 'buildkit.dockerfile.v0');
        assert.match(dd.CreatedBy, /^RUN \|1 BLOCKS=20 \/bin\/sh -c dd .* # buildkit$/);
        assert.ok(lines.some((l) => /\[\d\/\d\] RUN dd/.test(l)), lines.join('\n'));
      } else {
        assert.match(dd.Comment, daemon.engine === 'podman' ? /^FROM [0-9a-f]+$/ : /^$/); // buildah notes the parent
        assert.match(dd.CreatedBy, /^\|1 BLOCKS=20 \/bin\/sh -c dd /);
        assert.ok(history.some((h) => h.CreatedBy.includes('#(nop) COPY dir:')), history.map((h) => h.CreatedBy).join('\n'));
        assert.ok(lines.some((l) => /^(Step \d\/\d : |STEP \d\/\d: )RUN dd/.test(l)), lines.join('\n'));
      }
      const inspected = await client.inspect(`layerwise-test/build-${builder}:${RUN_ID}`);
      assert.equal(inspected?.Id, r.imageId);
    });

    it(`${builder}: builds up to --target only`, { skip }, async () => {
      const dir = fixtureDir({
        Dockerfile: `FROM ${BUSYBOX_IMAGE} AS one\nENV LW_RUN=${builder}-${RUN_ID}\nRUN echo one > /one\nFROM one AS two\nRUN false\n`,
      });
      const r = await apiBuild(client, dir, { tag: tag(`target-${builder}`), builder, target: 'one' });
      assert.equal(r.ok, true);
      assert.equal(r.target, 'one');
    });

    it(`${builder}: a failing step fails the build with the daemon's message`, { skip }, async () => {
      const dir = fixtureDir({ Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN echo ${RUN_ID} && exit 3\n` });
      const r = await apiBuild(client, dir, { tag: tag(`fail-${builder}`), builder, signal: new AbortController().signal });
      assert.equal(r.ok, false);
      assert.equal(r.cancelled, false);
      assert.match(r.error!, /exit code: 3|returned a non-zero code: 3|exit status 3/);
    });

    it(`${builder}: cancelling aborts the request and the daemon stops the build`, { skip }, async () => {
      const marker = `cancel-${builder}-${RUN_ID}`;
      const dir = fixtureDir({ Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN echo ${marker} && sleep 60\n` });
      const ac = new AbortController();
      const t0 = Date.now();
      let cancelledAt = 0;
      const lines: string[] = [];
      const r = await apiBuild(client, dir, {
        tag: tag(`cancel-${builder}`),
        builder,
        signal: ac.signal,
        onLine: (l) => {
          lines.push(l);
          if (!cancelledAt && /sleep 60/.test(l)) {
            cancelledAt = Date.now();
            setTimeout(() => ac.abort(), 300);
          }
        },
      });
      assert.equal(r.cancelled, true, lines.join('\n'));
      assert.equal(r.ok, false);
      assert.ok(cancelledAt > 0, lines.join('\n'));
      assert.ok(Date.now() - cancelledAt < 5000, `took ${Date.now() - cancelledAt} ms after the cancel`);
      assert.ok(Date.now() - t0 < 30_000);
      assert.equal(await client.inspect(`layerwise-test/cancel-${builder}:${RUN_ID}`), undefined, 'nothing tagged');
      // The daemon stopped the step: no process of it is left (the daemon runs on this machine).
      const running = (): boolean =>
        fs.readdirSync('/proc').some((pid) => {
          try {
            return /^\d+$/.test(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`echo ${marker}`);
          } catch {
            return false;
          }
        });
      // The step's process may still be starting when the cancel lands: it must be gone for good
      // (absent for a whole second) well before the 60 s it would sleep.
      const until = Date.now() + 15_000;
      let absentSince = running() ? 0 : Date.now();
      while (Date.now() < until && !(absentSince && Date.now() - absentSince >= 1000)) {
        await new Promise((res) => setTimeout(res, 100));
        if (running()) absentSince = 0;
        else absentSince ||= Date.now();
      }
      assert.ok(absentSince && Date.now() - absentSince >= 1000, 'the build step was stopped');
    });
  }

  it('the service builds the open Dockerfile (comment binding: tag and target), then asks for a refresh', async () => {
    const text = `# layerwise image=layerwise-test/bound:${RUN_ID} target=app\nFROM ${BUSYBOX_IMAGE} AS app\nENV LW_RUN=svc-${RUN_ID}\nRUN dd if=/dev/zero of=/f bs=1024 count=8\nFROM app AS later\nRUN false\n`;
    tags.push(`layerwise-test/bound:${RUN_ID}`);
    const dir = fixtureDir({ Dockerfile: text });
    let refreshes = 0;
    const service = new LayerLensService({ log: () => undefined, refresh: () => refreshes++, lensWaitMs: 30_000, client: { timeoutMs: 10_000 } });
    try {
      const model = new ParsedDocument('file:///x', 1, text).model();
      const docker = { ...DEFAULT_SETTINGS.docker, host: daemon.host! };
      const before = await service.lenses({ model, docker });
      assert.equal(before.kind, 'bound-missing');
      const steps: string[] = [];
      const r = await service.build({ model, docker, dockerfilePath: `${dir}/Dockerfile`, buildArgs: {} }, { onStep: (s) => steps.push(s) });
      assert.ok('tag' in r && r.ok, JSON.stringify(r));
      assert.equal(r.tag, `layerwise-test/bound:${RUN_ID}`);
      assert.equal(r.target, 'app');
      assert.equal(r.builder, defaultBuilder());
      assert.ok(steps.some((s) => s.includes('RUN dd')), steps.join('\n'));
      const deadline = Date.now() + 5000;
      while (!refreshes && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      assert.ok(refreshes > 0, 'lenses refresh after the build');
      const now = await service.lenses({ model, docker });
      assert.equal(now.kind, 'layers');
      assert.equal((now as { imageId: string }).imageId, r.imageId);
    } finally {
      service.dispose();
    }
  });
});
