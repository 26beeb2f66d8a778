import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzeExport } from '../../server/src/analyze/analyze';
import { analyzeOnDaemon } from '../../server/src/analyze/run';
import type { ImageAnalysis, TreeNode } from '../../server/src/analyze/types';
import type { DaemonClient } from '../../server/src/docker/client';
import { measureManyFiles } from '../support/analyze-many-files';
import { testDaemon } from '../support/daemon';
import { type HostileEntry, type HostileImage, hostileExport, layerOf, loadIntoDaemon, manySmallFiles, manySmallFilesBytes, truncated } from '../support/hostile-images';
import { connect, removeImage, RUN_ID } from './docker-fixtures';

/**
 * Images nobody vetted, written by the test as streams (test/support/hostile-images.ts). Each is
 * first offered to the private daemon (`POST /images/load`): what it accepts is analyzed through
 * its own export, as the editor does; what it refuses (its answer is asserted) could still come
 * from another engine, so its export stream goes to the analyzer directly. Either way: figures, or
 * one clear error, within the test's time budget (node:test's timeout, a guard against hanging).
 */

// What the daemon accepts is asserted for Engine 20.10; the analyzer's half needs no other engine.
const ONLY_ENGINE_20 = 'what the daemon accepts is asserted for Engine 20.10, and the analyzer needs no second engine';
const daemon = testDaemon({ podman: ONLY_ENGINE_20, docker26: ONLY_ENGINE_20 });
const TB = 2 ** 40;
const BUDGET = { timeout: 60_000 };
const MILLION = 1_000_000;

const file = (name: string, size: number): HostileEntry => ({ name, type: 'file', size });
const dir = (name: string): HostileEntry => ({ name, type: 'dir' });
const symlink = (name: string, linkname: string): HostileEntry => ({ name, type: 'symlink', linkname });
const hardlink = (name: string, linkname: string): HostileEntry => ({ name, type: 'link', linkname });
const whiteout = (name: string): HostileEntry => {
  const slash = name.lastIndexOf('/');
  return { name: `${name.slice(0, slash + 1)}.wh.${name.slice(slash + 1)}`, type: 'file', size: 0 };
};

/** Every path of a layer tree that the layer changed, with its change. */
function changes(t: TreeNode | undefined, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of t?.children ?? []) {
    const p = prefix ? `${prefix}/${c.name}` : c.name;
    if (c.change) out[p] = `${c.change} ${c.type} ${c.size}`;
    Object.assign(out, changes(c, p));
  }
  return out;
}

type Outcome = { analysis: ImageAnalysis; via: 'daemon' | 'stream' } | { error: string; via: 'daemon' | 'stream' };

let client: DaemonClient;
const loaded: string[] = [];

/** Offers the image to the daemon; analyzes its export if loaded, else the stream itself. */
async function analyzeHostile(image: HostileImage, daemonAnswer: 'loads' | RegExp): Promise<Outcome> {
  const load = await loadIntoDaemon(daemon.host!, hostileExport(image));
  if (daemonAnswer === 'loads') {
    assert.deepEqual(load, { ok: true }, 'the daemon loads it');
    loaded.push(image.tag);
    const r = await analyzeOnDaemon(client, image.tag);
    return r.ok ? { analysis: r.analysis, via: 'daemon' } : { error: r.error, via: 'daemon' };
  }
  assert.equal(load.ok, false, 'the daemon refuses it');
  assert.match((load as { error: string }).error, daemonAnswer);
  try {
    return { analysis: await analyzeExport(hostileExport(image), { image: image.tag }), via: 'stream' };
  } catch (e) {
    return { error: (e as Error).message, via: 'stream' };
  }
}

function figures(o: Outcome): ImageAnalysis {
  assert.ok('analysis' in o, `figures expected, got: ${'error' in o ? o.error : ''}`);
  return o.analysis;
}

function failure(o: Outcome): string {
  assert.ok('error' in o, 'a clear error expected, got figures');
  return o.error;
}

const tag = (name: string): string => `layerwise-test/hostile-${name}:${RUN_ID}`;

describe('Analyze Image on hostile images', { skip: daemon.skip }, () => {
  before(async () => {
    client = await connect(daemon.host!);
  });

  after(async () => {
    for (const t of loaded) await removeImage(client, t);
  });

  it('path traversal and absolute names: resolved inside the image, never above its root', BUDGET, async () => {
    const image = { tag: tag('traversal'), layers: [layerOf([file('../../etc/x', 10), file('/etc/abs', 20), file('a/../../b', 5), file('./c/./d', 1)])] };
    // Engine 20.10 loads it (it applies a layer inside a chroot of its root, where `..` stops),
    // but cannot export it again: it reads the entry back from its original, escaping path.
    const viaDaemon = failure(await analyzeHostile(image, 'loads'));
    assert.match(viaDaemon, /^unix:\/\/\S+: the daemon answered HTTP 500: .*open \S+\/etc\/x: no such file or directory/);
    const a = await analyzeExport(hostileExport(image), { image: image.tag });
    assert.equal(a.layers[0]!.size, 36);
    const files = Object.entries(changes(a.layers[0]!.tree)).filter(([, c]) => c.includes(' file '));
    assert.deepEqual(Object.fromEntries(files), { b: 'added file 5', 'c/d': 'added file 1', 'etc/abs': 'added file 20', 'etc/x': 'added file 10' });
  });

  it('absolute names alone: the daemon loads them, and the figures are those of the relative names', BUDGET, async () => {
    const image = { tag: tag('absolute'), layers: [layerOf([dir('/opt'), file('/opt/a', 300), file('//opt//b', 200)])] };
    const a = figures(await analyzeHostile(image, 'loads'));
    const layer = a.layers.at(-1)!;
    assert.equal(layer.size, 500);
    assert.deepEqual(changes(layer.tree), { opt: 'added dir 500', 'opt/a': 'added file 300', 'opt/b': 'added file 200' });
  });

  it('symlink loops: figures, no link is followed', BUDGET, async () => {
    const links = [symlink('a', 'b'), symlink('b', 'a'), symlink('self', 'self'), dir('d'), symlink('d/up', '..'), symlink('d/loop', '../d/loop'), file('d/real', 7)];
    const a = figures(await analyzeHostile({ tag: tag('symlink-loops'), layers: [layerOf(links)] }, 'loads'));
    const layer = a.layers.at(-1)!;
    // Regular files and symlink targets, as the daemon's history counts them.
    assert.equal(layer.size, 7 + 'b'.length + 'a'.length + 'self'.length + '..'.length + '../d/loop'.length);
    assert.equal(layer.added, 7);
  });

  it('hard link loops and hard links to missing files: the daemon refuses, the analyzer gives figures', BUDGET, async () => {
    const links = [hardlink('h1', 'h2'), hardlink('h2', 'h1'), hardlink('h3', 'h3'), hardlink('orphan', 'no/such/file'), file('kept', 11)];
    const a = figures(await analyzeHostile({ tag: tag('hardlink-loops'), layers: [layerOf(links)] }, /no such file|not found|invalid/i));
    assert.equal(a.layers[0]!.size, 11);
    assert.equal(a.layers[0]!.added, 5);
  });

  it('whiteouts of paths that never existed: nothing removed, nothing wasted', BUDGET, async () => {
    const image = {
      tag: tag('whiteouts'),
      layers: [layerOf([dir('keep'), file('keep/a', 40)]), layerOf([whiteout('nope'), whiteout('keep/nope'), whiteout('ghost/deeper/x'), { name: 'ghostdir/.wh..wh..opq', type: 'file', size: 0 }, file('keep/b', 2)])],
    };
    const a = figures(await analyzeHostile(image, 'loads'));
    const last = a.layers.at(-1)!;
    assert.deepEqual([last.removed, last.wastedBytes, a.wastedBytes], [0, 0, 0]);
    assert.deepEqual(a.largestFiles.map((f) => f.path), ['keep/a', 'keep/b']);
  });

  it('a layer claiming a 1 TB sparse file: 1 TB of figures from a few bytes (not loaded: the daemon would write 1 TB)', BUDGET, async () => {
    const image = { tag: tag('sparse'), layers: [layerOf([dir('big'), { name: 'big/sparse.img', type: 'sparse', data: 4096, realSize: TB }, file('big/small', 3)])] };
    const a = await analyzeExport(hostileExport(image), { image: image.tag });
    assert.equal(a.layers[0]!.size, TB + 3);
    assert.deepEqual(a.largestFiles[0], { path: 'big/sparse.img', size: TB, layer: 0 });
    assert.ok(a.archiveSize < 64 * 1024);
  });

  it('a header that claims 1 TB and brings 1,000 bytes: the daemon refuses, the analyzer names the entry', BUDGET, async () => {
    const image = { tag: tag('size-lie'), layers: [layerOf([file('ok', 5), { name: 'big/claim', type: 'file', size: TB, written: 1000 }])] };
    const error = failure(await analyzeHostile(image, /EOF|unexpected|invalid|short/i));
    assert.match(error, /^Layer 1 \(layers\/0\/layer\.tar\) could not be read: the layer tar ends inside an entry: its header claims 1099511627776 bytes for big\/claim/);
  });

  it('a truncated export: the daemon refuses it, the analyzer says it is incomplete', BUDGET, async () => {
    const image = { tag: tag('truncated'), layers: [layerOf([file('a', 100_000), file('b', 100_000)]), layerOf([file('c', 50_000)])] };
    const load = await loadIntoDaemon(daemon.host!, truncated(hostileExport(image), 150_000));
    assert.equal(load.ok, false);
    assert.match((load as { error: string }).error, /EOF|unexpected|incomplete|no such file|manifest/i);
    await assert.rejects(analyzeExport(truncated(hostileExport(image), 150_000), { image: image.tag }), /^Error: The image export ended early, after 150000 bytes: it is incomplete$/);
  });

  for (const compression of ['gzip', 'zstd'] as const) {
    it(`a corrupted ${compression} layer: the daemon refuses it, the analyzer names the layer and why`, BUDGET, async () => {
      const entries = Array.from({ length: 200 }, (_, i) => file(`f/${i}`, 3000 + i));
      const image = { tag: tag(`corrupt-${compression}`), layers: [layerOf([file('fine', 9)]), layerOf(entries, { compression, corrupt: true })] };
      const error = failure(await analyzeHostile(image, /invalid|corrupt|checksum|header|unexpected|zstd|gzip|flate/i));
      assert.match(error, /^Layer 2 \(layers\/1\/layer\.tar\) could not be read: \S/);
    });
  }

  it('a layer whose paths are 100,000 directories deep: figures, no recursion on depth', BUDGET, async () => {
    const deep = `${'d/'.repeat(100_000)}leaf`;
    const image = { tag: tag('deep'), layers: [layerOf([file(deep, 12)]), layerOf([whiteout('d')])] };
    const a = await analyzeExport(hostileExport(image), { image: image.tag });
    assert.deepEqual([a.layers[0]!.size, a.layers[1]!.removed, a.wastedBytes], [12, 1, 12]);
  });

  it(`${MILLION.toLocaleString('en-US')} small files: exact figures, peak RSS under 200 MB (a process of its own)`, { timeout: 300_000 }, async () => {
    const r = await measureManyFiles(MILLION);
    assert.ok(r.ok, r.error);
    assert.equal(r.size, manySmallFilesBytes(MILLION));
    assert.equal(r.added, MILLION + MILLION / 1000 + 1);
    assert.deepEqual(r.largest![0], { path: 'data/d0/f127', size: 64 });
    const peakMB = (r.peakKiB * 1024) / 1e6;
    console.log(`# ${MILLION} files: ${r.archiveBytes} bytes of export in ${r.ms} ms, peak RSS ${peakMB.toFixed(1)} MB (node alone: ${((r.baselineKiB * 1024) / 1e6).toFixed(1)} MB)`);
    assert.ok(peakMB < 200, `peak RSS ${peakMB.toFixed(1)} MB`);
  });

  it('20,000 small files through the daemon: the same figures from its own export', { timeout: 300_000 }, async () => {
    const count = 20_000;
    const a = figures(await analyzeHostile({ tag: tag('many'), layers: [manySmallFiles(count)] }, 'loads'));
    const layer = a.layers.at(-1)!;
    assert.equal(layer.size, manySmallFilesBytes(count));
    assert.equal(layer.added, count + count / 1000 + 1);
  });
});
