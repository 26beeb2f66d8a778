import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyzeOnDaemon } from '../../server/src/analyze/run';
import type { ImageAnalysis, LayerReport } from '../../server/src/analyze/types';
import { runCli } from '../../server/src/cli';
import type { DaemonClient } from '../../server/src/docker/client';
import type { AnalyzeImageResult, ListImagesResult } from '../../server/src/docker/protocol';
import { ParsedDocument } from '../../server/src/engine/document';
import { initShellParser } from '../../server/src/model/shell';
import { defaultBuilder, testDaemon } from '../support/daemon';
import { BUSYBOX_IMAGE, ensureBusyboxImage, dockerFor } from '../support/images';
import { LspClient } from '../support/lsp-client';
import { apiBuild, connect, fixtureDir, removeImage, RUN_ID } from './docker-fixtures';

/**
 * Analyze Image against the private daemon: images built by the test with known answers, read
 * through `GET /images/{name}/get` exactly as the editor and `layerwise analyze` read them.
 */

const daemon = testDaemon();
const SERVER = path.resolve('server/out/server.js');
const MiB = 1024 * 1024;

const WASTE_DOCKERFILE = [
  `FROM ${BUSYBOX_IMAGE}`,
  'RUN dd if=/dev/zero of=/big.bin bs=1048576 count=8',
  'RUN echo one > /etc/conf.txt',
  'RUN echo twotwo > /etc/conf.txt',
  'RUN echo three33 > /etc/conf.txt',
  'RUN mkdir -p /data/cache && dd if=/dev/zero of=/data/cache/a bs=1024 count=100 && dd if=/dev/zero of=/data/cache/b bs=1024 count=50',
  'RUN rm -rf /data/cache && mkdir -p /data/cache && echo fresh > /data/cache/new',
  'ENV DONE=1',
  'RUN rm /big.bin',
  '',
].join('\n');
/** 8 MiB deleted, two superseded versions of conf.txt ("one\n", "twotwo\n"), 150 KiB under an opaque directory. */
const WASTE_EXPECTED = 8 * MiB + 4 + 7 + 100 * 1024 + 50 * 1024;

const MULTI_DOCKERFILE = [
  `FROM ${BUSYBOX_IMAGE} AS build`,
  'RUN mkdir /out && dd if=/dev/zero of=/out/app.bin bs=1024 count=300 && dd if=/dev/zero of=/junk bs=1048576 count=2',
  `FROM ${BUSYBOX_IMAGE}`,
  'COPY --from=build /out/app.bin /app/app.bin',
  'CMD ["/app/app.bin"]',
  '',
].join('\n');

function modelOf(file: string): ReturnType<ParsedDocument['model']> {
  return new ParsedDocument(pathToFileURL(file).href, 1, fs.readFileSync(file, 'utf8')).model();
}

function atLine(a: ImageAnalysis, line: number): LayerReport {
  const l = a.layers.filter((x) => x.line === line);
  assert.equal(l.length, 1, `one layer for line ${line}: ${JSON.stringify(a.layers.map((x) => [x.index, x.line, x.createdBy]))}`);
  return l[0]!;
}

async function analyzed(client: DaemonClient, image: string, dockerfile: string | undefined): Promise<ImageAnalysis> {
  const r = await analyzeOnDaemon(client, image, dockerfile ? { model: modelOf(dockerfile), dockerfile } : {});
  assert.ok(r.ok, JSON.stringify(r));
  return r.analysis;
}

describe('Analyze Image on the private daemon', { skip: daemon.skip }, () => {
  let client: DaemonClient;
  const wasteTag = `layerwise-test/analyze-waste:${RUN_ID}`;
  const multiTag = `layerwise-test/analyze-multi:${RUN_ID}`;
  let wasteDir: string;
  let multiDir: string;
  let wasteId: string;

  before(async () => {
    await initShellParser();
    await ensureBusyboxImage(dockerFor(daemon.host!));
    client = await connect(daemon.host!);
    wasteDir = fixtureDir({ Dockerfile: WASTE_DOCKERFILE });
    multiDir = fixtureDir({ Dockerfile: MULTI_DOCKERFILE });
    wasteId = (await apiBuild(client, wasteDir, { tag: wasteTag, builder: defaultBuilder() })).imageId!;
    await apiBuild(client, multiDir, { tag: multiTag, builder: defaultBuilder() });
  });

  after(async () => {
    if (!client) return;
    for (const t of [wasteTag, multiTag]) await removeImage(client, t);
  });

  it('counts each superseded copy once: a deleted 8 MiB file, a file written three times, an opaque directory', async () => {
    const a = await analyzed(client, wasteTag, path.join(wasteDir, 'Dockerfile'));
    assert.equal(a.wastedBytes, WASTE_EXPECTED);
    assert.equal(atLine(a, 2).wastedBytes, 8 * MiB);
    assert.equal(atLine(a, 3).wastedBytes, 4);
    assert.equal(atLine(a, 4).wastedBytes, 7);
    assert.equal(atLine(a, 5).wastedBytes, 0);
    assert.equal(atLine(a, 6).wastedBytes, 150 * 1024);
    const big = a.waste.find((w) => w.path === 'big.bin');
    assert.deepEqual(big && { bytes: big.wastedBytes, removed: big.removed, by: big.supersededBy }, { bytes: 8 * MiB, removed: true, by: atLine(a, 9).index });
    const conf = a.waste.find((w) => w.path === 'etc/conf.txt')!;
    assert.equal(conf.wastedBytes, 11);
    assert.deepEqual(conf.writtenBy, [atLine(a, 3).index, atLine(a, 4).index]);
    // The deleted file is reported against both lines.
    const f = a.findings.find((x) => x.line === 2 && x.relatedLine === 9);
    assert.ok(f, JSON.stringify(a.findings));
    assert.equal(f.bytes, 8 * MiB);
    assert.equal(f.message, 'line 2 adds 8.39 MB that line 9 deletes');
  });

  it('reports the opaque directory as the removal of what was under it', async () => {
    const a = await analyzed(client, wasteTag, path.join(wasteDir, 'Dockerfile'));
    const opaque = atLine(a, 7);
    assert.equal(opaque.removed, 2, 'data/cache/a and data/cache/b');
    assert.ok(opaque.added >= 1, 'data/cache/new');
    assert.equal(atLine(a, 9).removed, 1);
  });

  it('agrees with GET /images/{id}/history: one report per entry, empty entries included, the same sizes', async () => {
    const a = await analyzed(client, wasteTag, path.join(wasteDir, 'Dockerfile'));
    const history = [...(await client.history(wasteId))].reverse();
    assert.equal(a.layers.length, history.length);
    for (const [k, entry] of history.entries()) {
      const layer = a.layers[k]!;
      assert.equal(layer.index, k);
      assert.equal(layer.createdBy, entry.CreatedBy, `entry ${k}`);
      // Podman's history size is its layer tar's length (headers, padding), Engine 26's containerd
      // store the snapshot's disk usage; the analysis counts file bytes, as 20.10's history does.
      if (daemon.engine !== 'docker20') assert.ok(layer.size <= entry.Size && (entry.Size === 0) === layer.empty, `entry ${k}: ${layer.size} vs ${entry.Size}`);
      else assert.equal(layer.size, entry.Size, `entry ${k}: ${entry.CreatedBy}`);
    }
    assert.equal(atLine(a, 8).empty, true);
    if (daemon.engine === 'docker20') assert.equal(a.size, history.reduce((n, e) => n + e.Size, 0));
    const base = a.layers.filter((l) => l.base);
    const busybox = await client.history(BUSYBOX_IMAGE);
    assert.equal(a.baseLayers, busybox.length);
    assert.equal(base.length, busybox.length);
  });

  it('without a Dockerfile: the same waste, no lines, the first layer taken as the base (as dive does)', async () => {
    const a = await analyzed(client, wasteTag, undefined);
    assert.equal(a.wastedBytes, WASTE_EXPECTED);
    assert.ok(a.layers.every((l) => l.line === undefined));
    assert.ok(a.efficiency < 1 && a.efficiency > 0);
    assert.equal(a.userWastedBytes, WASTE_EXPECTED);
  });

  it('a multi-stage image holds only the final stage: the COPY --from layer, no waste from the build stage', async () => {
    const a = await analyzed(client, multiTag, path.join(multiDir, 'Dockerfile'));
    assert.equal(a.wastedBytes, 0);
    assert.equal(a.efficiency, 1);
    assert.equal(atLine(a, 4).size, 300 * 1024);
    assert.equal(atLine(a, 4).added >= 1, true);
    assert.equal(a.layers.some((l) => l.line === 2), false);
    assert.ok(!a.largestFiles.some((f) => f.path === 'junk' || f.path === 'out/app.bin'));
    assert.deepEqual(a.largestFiles.find((f) => f.path === 'app/app.bin'), { path: 'app/app.bin', size: 300 * 1024, layer: atLine(a, 4).index });
  });

  it('an image that does not exist: a clear answer, notFound', async () => {
    const r = await analyzeOnDaemon(client, `layerwise-test/no-such-image:${RUN_ID}`);
    assert.equal(r.ok, false);
    assert.equal((r as { notFound: boolean }).notFound, true);
    assert.match((r as { error: string }).error, /No image 'layerwise-test\/no-such-image:[0-9a-f]+' on the Docker daemon/);
  });

  it('layerwise analyze --json prints the analysis; --ci fails on thresholds the image misses', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
    const prev = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = daemon.host!;
    try {
      assert.equal(await runCli(['analyze', wasteTag, '--json', '--dockerfile', path.join(wasteDir, 'Dockerfile')], io), 0, err.join('\n'));
      const json = JSON.parse(out.join('\n')) as { image: string; size: number; wastedBytes: number; efficiency: number; userEfficiency: number; layers: { size: number; createdBy: string; line?: number; added: number; modified: number; removed: number; wastedBytes: number }[] };
      assert.equal(json.image, wasteTag);
      assert.equal(json.wastedBytes, WASTE_EXPECTED);
      assert.equal(typeof json.efficiency, 'number');
      assert.equal(typeof json.userEfficiency, 'number');
      const l2 = json.layers.find((l) => l.line === 2)!;
      // The first RUN also adds dev/, proc/ and sys/ (mount points the runtime creates; the busybox base has none).
      assert.deepEqual([l2.size, l2.wastedBytes, l2.modified, l2.removed], [8 * MiB, 8 * MiB, 0, 0]);
      assert.ok(l2.added >= 1);
      assert.ok(json.layers.every((l) => !('tree' in l)));
      out.length = 0;
      assert.equal(await runCli(['analyze', wasteTag, '--ci', '--highest-wasted-bytes', '1MB'], io), 1);
      assert.match(out.join('\n'), /FAIL: highestWastedBytes/);
      assert.match(out.join('\n'), /Result: FAIL/);
      out.length = 0;
      assert.equal(await runCli(['analyze', multiTag, '--ci', '--highest-wasted-bytes', '1MB', '--lowest-efficiency', '0.5', '--highest-user-wasted-percent', '0.5'], io), 0, out.join('\n'));
      assert.match(out.join('\n'), /Result: PASS/);
      assert.equal(await runCli(['analyze', `layerwise-test/no-such-image:${RUN_ID}`], io), 2);
      assert.match(err.join('\n'), /No image/);
    } finally {
      if (prev === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = prev;
    }
  });

  it('through the language server: the image built from the Dockerfile is listed first, and analyzed with progress', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-home-'));
    const server = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], env: { PATH: process.env.PATH, HOME: home, DOCKER_HOST: daemon.host! } });
    try {
      await server.initialize();
      const uri = pathToFileURL(path.join(wasteDir, 'Dockerfile')).href;
      const listed = await server.request<ListImagesResult>('layerwise/listImages', { uri });
      assert.ok(listed.ok, JSON.stringify(listed));
      assert.equal(listed.images[0]!.id, wasteId);
      assert.equal(listed.images[0]!.matched, true);
      // Podman's compatible endpoint lists the tag with its registry: docker.io/….
      assert.ok(listed.images[0]!.tags.includes(daemon.engine === 'podman' ? `docker.io/${wasteTag}` : wasteTag), listed.images[0]!.tags.join());
      assert.equal(listed.images.filter((i) => i.matched).length, 1);
      const progress: { bytes: number }[] = [];
      server.connection.onNotification('layerwise/analyzeProgress', (p: { analysisId: string; bytes: number }) => {
        if (p.analysisId === 'a1') progress.push(p);
      });
      const r = await server.request<AnalyzeImageResult>('layerwise/analyzeImage', { image: wasteTag, uri, analysisId: 'a1' });
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.analysis.wastedBytes, WASTE_EXPECTED);
      assert.equal(atLine(r.analysis, 2).line, 2);
      assert.ok(progress.length >= 1, 'progress notifications');
      assert.ok(progress.at(-1)!.bytes <= r.analysis.archiveSize);
      const missing = await server.request<AnalyzeImageResult>('layerwise/analyzeImage', { image: 'layerwise-test/nope:none', uri: undefined, analysisId: 'a2' });
      assert.deepEqual(missing.ok ? 'ok' : [missing.notFound, missing.cancelled], [true, false]);
    } finally {
      await server.shutdown();
    }
  });
});

/**
 * Faults a real daemon cannot produce on demand: a proxy in front of the private daemon that lets
 * the export start, then stops forwarding it (a daemon hanging mid-stream).
 */
async function stallingProxy(daemonSocket: string, afterBytes: number): Promise<{ host: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-stall-'));
  const socket = path.join(dir, 'docker.sock');
  const conns = new Set<net.Socket>();
  const server = net.createServer((downstream) => {
    const upstream = net.connect(daemonSocket);
    conns.add(downstream).add(upstream);
    let exporting = false;
    let sent = 0;
    downstream.on('data', (chunk: Buffer) => {
      if (/^GET \S+\/images\/[^ ]+\/get[? ]/m.test(chunk.toString('latin1'))) exporting = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!exporting) return void downstream.write(chunk);
      if (sent >= afterBytes) return;
      const part = chunk.subarray(0, afterBytes - sent);
      sent += part.length;
      downstream.write(part);
    });
    const end = (): void => {
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', end).on('close', end);
    // The daemon finishes a small export at once: keep the client's side open, as a hung daemon would.
    upstream.on('error', () => upstream.destroy()).on('close', () => {
      if (!exporting) end();
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    host: `unix://${socket}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('Analyze Image when the daemon hangs mid-export', { skip: daemon.skip }, () => {
  it('a stalled export fails with a clear message after the idle timeout; cancel stops it at once', async () => {
    const proxy = await stallingProxy(daemon.host!.replace(/^unix:\/\//, ''), 256 * 1024);
    try {
      const client = await connect(proxy.host);
      const image = BUSYBOX_IMAGE;
      const started = Date.now();
      const stalled = await analyzeOnDaemon(client, image, { idleTimeoutMs: 1500 });
      assert.equal(stalled.ok, false);
      assert.match((stalled as { error: string }).error, /stopped sending the export of .* \(nothing for 2 s\)/);
      assert.ok(Date.now() - started < 10_000);
      const abort = new AbortController();
      const pending = analyzeOnDaemon(client, image, { signal: abort.signal, idleTimeoutMs: 60_000 });
      setTimeout(() => abort.abort(), 500);
      const t0 = Date.now();
      const cancelled = await pending;
      assert.deepEqual(cancelled.ok ? 'ok' : [cancelled.cancelled, cancelled.error], [true, 'cancelled']);
      assert.ok(Date.now() - t0 < 3_000, `cancel took ${Date.now() - t0} ms`);
    } finally {
      await proxy.close();
    }
  });
});
