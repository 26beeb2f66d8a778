import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeExport, type AnalyzeOptions } from '../../server/src/analyze/analyze';
import type { ImageAnalysis, TreeNode } from '../../server/src/analyze/types';
import { dir, file, type ImageSpec, legacyArchive, opaque, streamOf, symlink, whiteout } from '../support/image-archive';

/**
 * Layer semantics, waste, efficiency, trees and findings on archives made by the test, with
 * answers worked out by hand. (Formats and errors: analyze-formats; Dockerfile lines: analyze-lines.)
 */

const MiB8 = 8 * 1024 * 1024;

async function analyze(spec: ImageSpec, opts: Partial<AnalyzeOptions> = {}): Promise<ImageAnalysis> {
  return analyzeExport(streamOf(await legacyArchive(spec)), { image: 'test/image:latest', ...opts });
}

const child = (t: TreeNode | undefined, name: string): TreeNode => {
  const c = t?.children?.find((x) => x.name === name);
  assert.ok(c, `tree has ${name}`);
  return c;
};

describe('a layer writes 8 MiB that a later layer deletes', () => {
  const spec: ImageSpec = {
    layers: [[dir('bin'), file('bin/sh', 100)], [file('big', MiB8)], [whiteout('big')]],
    history: [{ created_by: 'ADD rootfs.tar /' }, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'RUN /bin/sh -c dd if=/dev/zero of=/big bs=1M count=8 # buildkit' }, { created_by: 'RUN /bin/sh -c rm /big # buildkit' }],
  };

  it('wastes exactly 8 MiB, counted once, in the layer that wrote it', async () => {
    const a = await analyze(spec);
    assert.equal(a.wastedBytes, 8388608);
    assert.deepEqual(a.layers.map((l) => l.wastedBytes), [0, 0, 8388608, 0]);
    assert.deepEqual(a.waste, [{ path: 'big', wastedBytes: 8388608, writtenBy: [2], supersededBy: 3, removed: true }]);
    assert.equal(a.userWastedBytes, 8388608);
    assert.equal(a.userWastedPercent, 1);
  });

  it('keeps the empty history entry in place and sizes each layer', async () => {
    const a = await analyze(spec);
    assert.deepEqual(
      a.layers.map((l) => [l.index, l.empty, l.size, l.added, l.modified, l.removed]),
      [
        [0, false, 100, 2, 0, 0],
        [1, true, 0, 0, 0, 0],
        [2, false, 8388608, 1, 0, 0],
        [3, false, 0, 0, 0, 1],
      ],
    );
    assert.equal(a.layers[1]!.diffId, undefined);
    assert.match(a.layers[2]!.diffId!, /^sha256:[0-9a-f]{64}$/);
    assert.equal(a.layers[1]!.createdBy, 'ENV A=1');
    assert.equal(a.size, 8388708);
    assert.equal(a.baseLayers, 1, 'dive convention: the first layer is the base');
    assert.deepEqual(a.layers.map((l) => l.base), [true, false, false, false]);
  });

  it('attributes the finding to both layers', async () => {
    const a = await analyze(spec);
    assert.equal(a.findings.length, 1);
    const f = a.findings[0]!;
    assert.equal(f.message, 'layer 2 (RUN dd if=/dev/zero of=/big bs=1M count=8) adds 8.39 MB that layer 3 deletes');
    assert.equal(f.bytes, 8388608);
    assert.equal(f.layer, 2);
    assert.equal(f.supersededBy, 3);
    assert.equal(f.ruleId, undefined);
  });

  it('scores efficiency with dive’s formula', async () => {
    const a = await analyze(spec);
    // bin/sh: one version of 100. big: 8 MiB then removed (a 0-byte version).
    assert.equal(a.efficiency, 100 / (100 + 8388608));
    assert.equal(a.userEfficiency, 0);
  });

  it('shows the removal in the layer tree', async () => {
    const a = await analyze(spec);
    const big = child(a.layers[3]!.tree, 'big');
    assert.deepEqual(big, { name: 'big', type: 'file', size: 8388608, change: 'removed' });
    assert.equal(a.layers[1]!.tree, undefined);
  });
});

describe('a file overwritten twice', () => {
  const spec: ImageSpec = {
    layers: [[file('a', 100000), file('b', 500000)], [file('a', 200000)], [file('a', 300000)]],
  };

  it('wastes each superseded copy once: 3 versions, 2 wasted copies', async () => {
    const a = await analyze(spec);
    assert.equal(a.wastedBytes, 300000);
    assert.deepEqual(a.layers.map((l) => l.wastedBytes), [100000, 200000, 0]);
    assert.deepEqual(a.waste, [{ path: 'a', wastedBytes: 300000, writtenBy: [0, 1], supersededBy: 2, removed: false }]);
    assert.deepEqual(a.layers.map((l) => [l.added, l.modified, l.removed]), [[2, 0, 0], [0, 1, 0], [0, 1, 0]]);
  });

  it('computes efficiency for the image and above the base', async () => {
    const a = await analyze(spec);
    // a: 100000 + 200000 + 300000, smallest 100000; b: 500000 once.
    assert.equal(a.efficiency, 600000 / 1100000);
    // Above the base: a's base copy (superseded by layer 1), then 200000 and 300000.
    assert.equal(a.userEfficiency, 100000 / 600000);
    assert.equal(a.userWastedBytes, 200000);
    assert.equal(a.userWastedPercent, 200000 / 500000);
  });

  it('reports overwrites pair by pair, and the surviving files', async () => {
    const a = await analyze(spec);
    assert.deepEqual(
      a.findings.map((f) => [f.message, f.layer, f.supersededBy]),
      [
        ['layer 1 (RUN layer 1) adds 200 kB that layer 2 overwrites', 1, 2],
        ['layer 0 (RUN layer 0) adds 100 kB that layer 1 overwrites', 0, 1],
      ],
    );
    assert.deepEqual(a.largestFiles, [
      { path: 'b', size: 500000, layer: 0 },
      { path: 'a', size: 300000, layer: 2 },
    ]);
    assert.deepEqual(a.largestDirectories, []);
  });

  it('counts base-layer waste in the total but makes no finding of waste inside the base', async () => {
    const a = await analyze(spec, { baseLayers: 2 });
    assert.equal(a.baseLayers, 2);
    assert.equal(a.wastedBytes, 300000);
    assert.equal(a.userWastedBytes, 0);
    assert.equal(a.userWastedPercent, 0);
    // Above the base: layer 2 overwrites the base's 200000 with 300000.
    assert.equal(a.userEfficiency, 200000 / 500000);
    assert.deepEqual(a.findings.map((f) => [f.layer, f.supersededBy]), [[1, 2]]);
  });
});

describe('an opaque directory', () => {
  const spec: ImageSpec = {
    layers: [
      [dir('etc'), file('etc/a', 10), dir('etc/sub'), file('etc/sub/b', 20), file('keep', 5)],
      [dir('etc'), opaque('etc'), file('etc/c', 30), file('etc/a', 40)],
    ],
  };

  it('hides what the layers below have in it, keeps what the layer writes', async () => {
    const a = await analyze(spec);
    assert.deepEqual([a.layers[1]!.added, a.layers[1]!.modified, a.layers[1]!.removed], [1, 1, 1]);
    assert.equal(a.layers[0]!.wastedBytes, 30);
    assert.deepEqual(a.waste.map((w) => [w.path, w.wastedBytes, w.supersededBy]), [['etc/sub/b', 20, 1], ['etc/a', 10, 1]]);
    // etc/a: 10, removed, 40; etc/sub/b: 20, removed; etc/c: 30; keep: 5.
    assert.equal(a.efficiency, 35 / 105);
    assert.deepEqual(a.largestFiles.map((f) => [f.path, f.size, f.layer]), [['etc/a', 40, 1], ['etc/c', 30, 1], ['keep', 5, 0]]);
    assert.deepEqual(a.largestDirectories, [{ path: 'etc', size: 70, layer: 0 }]);
  });

  it('marks the tree', async () => {
    const a = await analyze(spec);
    const etc = child(a.layers[1]!.tree, 'etc');
    assert.equal(etc.change, undefined, 'a directory that is only re-stated is not a change');
    assert.equal(etc.size, 90);
    assert.deepEqual(
      etc.children!.map((c) => [c.name, c.type, c.change, c.size]),
      [
        ['a', 'file', 'modified', 40],
        ['c', 'file', 'added', 30],
        ['sub', 'dir', 'removed', 20],
      ],
    );
  });
});

describe('a directory whiteout', () => {
  const spec: ImageSpec = {
    layers: [
      [dir('opt'), dir('opt/x'), file('opt/x/1', 100), file('opt/x/2', 200), file('opt/x/y/3', 300)],
      [whiteout('opt/x')],
      [file('opt/x/1', 50)],
    ],
  };

  it('removes the whole subtree, every file wasted once', async () => {
    const a = await analyze(spec);
    assert.deepEqual([a.layers[1]!.added, a.layers[1]!.modified, a.layers[1]!.removed], [0, 0, 1]);
    assert.equal(a.layers[0]!.wastedBytes, 600);
    assert.deepEqual(a.waste.map((w) => [w.path, w.wastedBytes, w.removed]), [['opt/x/y/3', 300, true], ['opt/x/2', 200, true], ['opt/x/1', 100, true]]);
    assert.deepEqual(child(child(a.layers[1]!.tree, 'opt'), 'x'), { name: 'x', type: 'dir', size: 600, change: 'removed' });
  });

  it('adds (not modifies) a path written again after its removal', async () => {
    const a = await analyze(spec);
    assert.deepEqual([a.layers[2]!.added, a.layers[2]!.modified], [1, 0]);
    assert.deepEqual(a.largestFiles, [{ path: 'opt/x/1', size: 50, layer: 2 }]);
    // opt/x/1: 100, removed, 50 → smallest 0; the others 0 as well.
    assert.equal(a.efficiency, 0);
  });
});

describe('replacing', () => {
  it('a file by a directory, and a directory by a file', async () => {
    const a = await analyze({
      layers: [
        [file('p', 1000), dir('q'), file('q/inner', 2000)],
        [dir('p'), file('p/child', 1), file('q', 3)],
      ],
    });
    assert.deepEqual([a.layers[1]!.added, a.layers[1]!.modified, a.layers[1]!.removed], [1, 2, 0]);
    assert.equal(a.wastedBytes, 3000);
    assert.deepEqual(a.waste.map((w) => [w.path, w.wastedBytes, w.removed]), [['q/inner', 2000, true], ['p', 1000, true]]);
  });

  it('a directory listed after its contents is added by that layer', async () => {
    const a = await analyze({ layers: [[file('bin/sh', 1)], [file('opt/app/run', 2), dir('opt/app'), dir('bin')]] });
    assert.deepEqual([a.layers[1]!.added, a.layers[1]!.modified], [2, 0]);
    assert.deepEqual(child(child(a.layers[1]!.tree, 'opt'), 'app').change, 'added');
  });

  it('counts symlink targets in the layer size, as the daemon does, but never as waste', async () => {
    const a = await analyze({ layers: [[file('bin/busybox', 1000), symlink('bin/sh', 'busybox')], [file('bin/sh', 10)]] });
    assert.equal(a.layers[0]!.size, 1007);
    assert.equal(a.wastedBytes, 0);
    assert.equal(a.layers[1]!.modified, 1);
  });
});

describe('leftovers', () => {
  it('names the rule that catches caches left in a layer above the base', async () => {
    const a = await analyze({
      layers: [
        [file('var/lib/apt/lists/base_Packages', 200000)],
        [file('var/lib/apt/lists/deb.debian.org_Packages', 100000), file('var/lib/apt/lists/lock', 0), file('var/cache/apt/archives/curl.deb', 70000), file('var/cache/apt/archives/partial/x', 90000)],
        [file('root/.cache/pip/http/ab', 65536), file('root/.npm/_cacache/index', 65535)],
      ],
      history: [{ created_by: 'ADD rootfs' }, { created_by: 'RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit' }, { created_by: 'RUN /bin/sh -c pip install x # buildkit' }],
    });
    assert.deepEqual(
      a.findings.map((f) => [f.message, f.ruleId, f.layer, f.supersededBy]),
      [
        ['layer 1 (RUN apt-get update && apt-get install -y curl) leaves 100 kB of apt package lists in /var/lib/apt/lists', 'apt-lists-not-removed', 1, undefined],
        ['layer 1 (RUN apt-get update && apt-get install -y curl) leaves 70 kB of downloaded .deb packages in /var/cache/apt/archives', 'apt-lists-not-removed', 1, undefined],
        ['layer 2 (RUN pip install x) leaves 65.5 kB of pip cache in /root/.cache/pip', 'pip-no-cache-dir', 2, undefined],
      ],
    );
  });

  it('names the rule when the waste between two layers is a cache', async () => {
    const a = await analyze({
      layers: [[file('bin/sh', 1)], [file('var/lib/apt/lists/x_Packages', 300000)], [whiteout('var/lib/apt/lists/x_Packages')]],
    });
    assert.equal(a.findings.length, 1);
    assert.equal(a.findings[0]!.ruleId, 'apt-lists-not-removed');
  });
});

describe('the layer tree', () => {
  const spec: ImageSpec = { layers: [[dir('d'), file('d/f1', 1), file('d/f2', 2), file('d/f3', 3), file('d/f4', 4), file('d/f5', 5), file('d/f6', 6)]] };

  it('keeps the biggest nodes and summarizes the rest', async () => {
    const a = await analyze(spec, { treeNodeLimit: 5 });
    const d = child(a.layers[0]!.tree, 'd');
    assert.equal(d.change, 'added');
    assert.equal(d.size, 21);
    assert.deepEqual(d.children!.map((c) => c.name), ['f4', 'f5', 'f6']);
    assert.deepEqual(d.omitted, { count: 3, size: 6 });
  });

  it('is whole under the limit', async () => {
    const a = await analyze(spec);
    assert.equal(child(a.layers[0]!.tree, 'd').children!.length, 6);
    assert.equal(a.layers[0]!.tree!.size, 21);
  });
});
