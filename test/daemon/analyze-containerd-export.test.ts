import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import * as tar from 'tar-stream';
import { analyzeExport } from '../../server/src/analyze/analyze';
import type { ImageAnalysis } from '../../server/src/analyze/types';
import type { DaemonClient } from '../../server/src/docker/client';
import { testDaemon } from '../support/daemon';
import { BUSYBOX_IMAGE, dockerFor, ensureBusyboxImage } from '../support/images';
import { apiBuild, connect, fixtureDir, removeImage, RUN_ID } from './docker-fixtures';

/**
 * The OCI layout as containerd writes it: the containerd image store's export (Docker 25+ with
 * the containerd store) is containerd's archive exporter, the same code `ctr images export` runs.
 * Docker here (20.10) has no containerd store, but the private daemon runs its own containerd:
 * the test imports its image there, in a namespace of its own, exports it with ctr, and checks the
 * analysis of that OCI layout equals the analysis of Docker's own export of the same image.
 */

const daemon = testDaemon({
  podman: 'it exports through the containerd of the Engine 20.10 daemon; Podman has none',
  docker26: 'Engine 26 with the containerd image store exports an OCI layout itself: analyze-image.test.ts covers it there',
});
const CTR = '/usr/bin/ctr';
const NAMESPACE = `layerwise-test-${RUN_ID}`;
const MiB = 1024 * 1024;

function containerdSocket(): string | undefined {
  if (!daemon.host) return undefined;
  const socket = path.join(path.dirname(daemon.host.replace(/^unix:\/\//, '')), 'exec', 'containerd', 'containerd.sock');
  return fs.existsSync(socket) ? socket : undefined;
}
const socket = containerdSocket();
const skip = daemon.skip || (!fs.existsSync(CTR) ? 'no ctr (containerd) on this machine' : !socket ? 'the private daemon runs no containerd of its own' : false);

function ctr(args: string[]): string {
  return execFileSync(CTR, ['-a', socket!, '-n', NAMESPACE, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The same archive without Docker's manifest.json: a pure OCI layout, as skopeo or `buildx --output type=oci` write it. */
async function withoutManifestJson(from: string, to: string): Promise<void> {
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on('entry', (header, stream, next) => {
    if (header.name === 'manifest.json') {
      stream.resume();
      stream.on('end', next);
      return;
    }
    stream.pipe(pack.entry(header, next));
  });
  extract.on('finish', () => pack.finalize());
  await Promise.all([pipeline(fs.createReadStream(from), extract), pipeline(pack, fs.createWriteStream(to))]);
}

function names(file: string): string[] {
  return execFileSync('tar', ['tf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** What must not depend on the layout: every layer's figures, the waste, the efficiency. */
function figures(a: ImageAnalysis): unknown {
  return {
    id: a.id,
    size: a.size,
    wastedBytes: a.wastedBytes,
    efficiency: a.efficiency,
    layers: a.layers.map((l) => [l.index, l.empty, l.diffId, l.size, l.createdBy, l.added, l.modified, l.removed, l.wastedBytes]),
    waste: a.waste,
    largestFiles: a.largestFiles,
  };
}

describe('Analyze Image on an OCI layout exported by containerd', { skip }, () => {
  let client: DaemonClient;
  let dir: string;
  const tag = `layerwise-test/analyze-oci:${RUN_ID}`;
  let dockerArchive: ImageAnalysis;

  before(async () => {
    await ensureBusyboxImage(dockerFor(daemon.host!));
    client = await connect(daemon.host!);
    const ctx = fixtureDir({
      Dockerfile: [
        `FROM ${BUSYBOX_IMAGE}`,
        'RUN dd if=/dev/zero of=/big.bin bs=1048576 count=8',
        'RUN echo one > /etc/conf.txt && mkdir -p /data/cache && echo x > /data/cache/a',
        'RUN echo twotwo > /etc/conf.txt && rm -rf /data/cache && mkdir /data/cache',
        'RUN rm /big.bin',
        '',
      ].join('\n'),
    });
    await apiBuild(client, ctx, { tag, builder: 'buildkit' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-oci-'));
    await pipeline((await client.exportImage(tag)) as NodeJS.ReadableStream, fs.createWriteStream(path.join(dir, 'docker.tar')));
    dockerArchive = await analyzeExport(fs.createReadStream(path.join(dir, 'docker.tar')), { image: tag });
    ctr(['images', 'import', '--no-unpack', path.join(dir, 'docker.tar')]);
    ctr(['images', 'export', path.join(dir, 'containerd.tar'), `docker.io/${tag}`]);
    await withoutManifestJson(path.join(dir, 'containerd.tar'), path.join(dir, 'oci.tar'));
  });

  after(async () => {
    if (socket && fs.existsSync(CTR)) {
      // The namespace goes only once empty: the image, then its blobs.
      const run = (args: string[]): string => spawnSync(CTR, ['-a', socket, '-n', NAMESPACE, ...args], { encoding: 'utf8' }).stdout ?? '';
      run(['images', 'rm', `docker.io/${tag}`]);
      const blobs = run(['content', 'ls', '-q']).split('\n').filter(Boolean);
      if (blobs.length) run(['content', 'rm', ...blobs]);
      const gone = spawnSync(CTR, ['-a', socket, 'namespaces', 'rm', NAMESPACE], { encoding: 'utf8' });
      assert.equal(gone.status, 0, `containerd namespace ${NAMESPACE} left behind: ${gone.stderr}`);
    }
    if (client) await removeImage(client, tag);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('containerd writes an OCI layout: oci-layout, index.json, blobs/sha256', () => {
    const entries = names(path.join(dir, 'containerd.tar'));
    assert.ok(entries.includes('oci-layout') && entries.includes('index.json'), entries.join(' '));
    assert.ok(entries.some((e) => /^blobs\/sha256\/[0-9a-f]{64}$/.test(e)));
    assert.ok(!names(path.join(dir, 'oci.tar')).includes('manifest.json'));
  });

  it('the pure OCI layout gives the same figures as Docker\'s export of the same image', async () => {
    const oci = await analyzeExport(fs.createReadStream(path.join(dir, 'oci.tar')), { image: tag });
    assert.equal(oci.format, 'oci-layout');
    assert.equal(dockerArchive.format, 'docker-archive');
    assert.deepEqual(figures(oci), figures(dockerArchive));
    // And the figures are the known answers: the 8 MiB file deleted, "one\n" overwritten, a/ removed with its directory.
    assert.equal(oci.wastedBytes, 8 * MiB + 4 + 2);
    assert.equal(oci.waste.find((w) => w.path === 'big.bin')?.wastedBytes, 8 * MiB);
  });

  it('containerd\'s own archive (index.json and manifest.json both, as Docker 25+ writes) reads the same, found by its name annotation', async () => {
    const both = await analyzeExport(fs.createReadStream(path.join(dir, 'containerd.tar')), { image: tag });
    assert.deepEqual(figures(both), figures(dockerArchive));
  });
});
