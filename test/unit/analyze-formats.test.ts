import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { analyzeExport } from '../../server/src/analyze/analyze';
import { LayerFiles, TarScanner } from '../../server/src/analyze/layer-tar';
import type { ImageAnalysis } from '../../server/src/analyze/types';
import { blobsArchive, compress, dir, file, type ImageSpec, layerTar, legacyArchive, ociArchive, streamOf, whiteout } from '../support/image-archive';

/**
 * Export layouts (docker-archive old and new style, OCI layout), compression, entry order, and
 * the ways a stream goes wrong. Every layout of the same image must give the same answers.
 */

const SPEC: ImageSpec = {
  layers: [[dir('bin'), file('bin/sh', 1000)], [file('data', 200000), file('bin/sh', 1000)], [whiteout('data'), dir('bin'), file('bin/sh', 1000)]],
  history: [{ created_by: 'ADD rootfs' }, { created_by: 'CMD ["sh"]', empty_layer: true }, { created_by: 'RUN write data' }, { created_by: 'RUN remove data' }],
};

/** What every layout of SPEC must report. */
function assertSpec(a: ImageAnalysis): void {
  assert.deepEqual(a.layers.map((l) => [l.size, l.empty, l.added, l.modified, l.removed, l.wastedBytes]), [
    [1000, false, 2, 0, 0, 1000],
    [0, true, 0, 0, 0, 0],
    [201000, false, 1, 1, 0, 201000],
    [1000, false, 0, 1, 1, 0],
  ]);
  assert.equal(a.wastedBytes, 202000);
  assert.equal(a.findings[0]!.message, 'layer 2 (RUN write data) adds 201 kB that layer 3 overwrites or deletes');
  assert.match(a.id, /^sha256:[0-9a-f]{64}$/);
}

const run = (data: Buffer, image = 'test/image:latest', chunk?: number): Promise<ImageAnalysis> => analyzeExport(streamOf(data, chunk), { image });

describe('docker-archive', () => {
  it('old style, blobs before and after manifest.json', async () => {
    for (const order of ['blobs-first', 'manifest-first'] as const) {
      const data = await legacyArchive(SPEC, { order });
      const a = await run(data);
      assert.equal(a.format, 'docker-archive');
      assert.equal(a.archiveSize, data.length);
      assertSpec(a);
      assert.ok(a.layers[2]!.archiveSize > 201000);
    }
  });

  it('old style with a deduplicated layer: a symlink or a hard link to an earlier layer.tar', async () => {
    const spec: ImageSpec = { layers: [[file('a', 70000)], [file('b', 20)], [file('a', 70000)]] };
    for (const duplicates of ['symlink', 'hardlink'] as const) {
      const a = await run(await legacyArchive(spec, { duplicates }));
      assert.deepEqual(a.layers.map((l) => [l.size, l.added, l.modified]), [[70000, 1, 0], [20, 1, 0], [70000, 0, 1]], duplicates);
      assert.equal(a.layers[2]!.diffId, a.layers[0]!.diffId);
      assert.equal(a.wastedBytes, 70000);
    }
  });

  it('Docker 25+ style: blobs/sha256 named by manifest.json', async () => {
    for (const order of ['blobs-first', 'manifest-first'] as const) {
      const a = await run(await blobsArchive(SPEC, { order }));
      assert.equal(a.format, 'docker-archive');
      assertSpec(a);
    }
  });

  it('tiny chunks split every header and body', async () => {
    assertSpec(await run(await legacyArchive(SPEC), 'test/image:latest', 511));
  });
});

describe('OCI layout', () => {
  it('gzip and zstd layers, blobs in either order', async () => {
    for (const compression of ['gzip', 'zstd', ['zstd', 'none', 'gzip']] as const) {
      for (const order of ['blobs-first', 'manifest-first'] as const) {
        const a = await run(await ociArchive([{ spec: { ...SPEC, compression: compression as ImageSpec['compression'] }, name: 'docker.io/test/image:latest' }], { order }));
        assert.equal(a.format, 'oci-layout');
        assertSpec(a);
        if (compression === 'gzip') assert.ok(a.layers[2]!.archiveSize < 2000, 'archiveSize is the compressed blob');
      }
    }
  });

  it('incompressible layers: the decompressors push back and nothing is lost', async () => {
    const random = randomBytes(3 << 20);
    for (const compression of ['gzip', 'zstd'] as const) {
      const spec: ImageSpec = { layers: [[{ path: 'r1', content: random }, file('after', 7), { path: 'r2', content: random.subarray(5) }]], compression };
      const a = await run(await ociArchive([{ spec }]), 'x', 1 << 20);
      assert.equal(a.layers[0]!.size, 2 * (3 << 20) - 5 + 7, compression);
      assert.equal(a.layers[0]!.added, 3);
    }
  });

  it('a nested index (a multi-platform image) with a platform whose blobs were not exported', async () => {
    const other: ImageSpec = { layers: [[file('arm', 5)]] };
    const data = await ociArchive(
      [
        { spec: other, platform: { os: 'linux', architecture: 'arm64' }, withoutBlobs: true },
        { spec: { ...SPEC, compression: 'gzip' }, platform: { os: 'linux', architecture: 'amd64' } },
      ],
      { nested: true },
    );
    assertSpec(await run(data));
  });

  it('two images: the one whose name annotation matches', async () => {
    const other: ImageSpec = { layers: [[file('other', 5)]] };
    const data = await ociArchive([
      { spec: other, name: 'docker.io/library/other:1' },
      { spec: SPEC, name: 'docker.io/test/image:latest' },
    ]);
    assertSpec(await run(data, 'test/image'));
    const a = await run(data, 'other:1');
    assert.equal(a.size, 5);
  });

  it('two complete platforms and no name: linux/amd64', async () => {
    const data = await ociArchive([
      { spec: { layers: [[file('arm', 5)]] }, platform: { os: 'linux', architecture: 'arm64' } },
      { spec: SPEC, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    assertSpec(await run(data, 'sha256:0123456789ab'));
  });
});

describe('the layer tar reader', () => {
  it('reads pax long names and ustar prefixes, in chunks of any size', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    const prefixed = `${'p'.repeat(90)}/${'q'.repeat(60)}/file`;
    const data = await layerTar([{ path: long, size: 3 }, { path: prefixed, size: 700 }, { path: './x/', type: 'directory' }, { path: 'x/l', type: 'symlink', linkname: 'z'.repeat(130) }]);
    for (const chunk of [1, 7, 512, 100000]) {
      const out = new LayerFiles();
      const scanner = new TarScanner(out);
      for (let i = 0; i < data.length; i += chunk) scanner.write(data.subarray(i, i + chunk));
      scanner.end();
      assert.deepEqual(out.paths, [long, prefixed, 'x', 'x/l'], `chunk ${chunk}`);
      assert.deepEqual([...out.sizes.subarray(0, out.length)], [3, 700, 0, 0]);
      assert.equal(out.fileBytes, 703);
      assert.equal(out.linkBytes, 130);
    }
  });

  it('rejects bytes that are not a tar', () => {
    const scanner = new TarScanner(new LayerFiles());
    assert.throws(() => scanner.write(Buffer.alloc(512, 7)), /not a tar archive/);
  });
});

describe('a stream that goes wrong', () => {
  it('truncated in the middle of a layer', async () => {
    const data = await legacyArchive(SPEC);
    await assert.rejects(run(data.subarray(0, Math.floor(data.length / 2))), /ended early.*incomplete/);
  });

  it('a complete tar whose layers are not in it', async () => {
    const data = await ociArchive([{ spec: SPEC, withoutBlobs: true }]);
    await assert.rejects(run(data), /^Error: Layer 1 \(blobs\/sha256\/[0-9a-f]{64}\) is missing from the export: the export is incomplete$/);
  });

  it('garbage', async () => {
    await assert.rejects(run(randomBytes(100000)), /not a tar archive|Not an image export/);
    await assert.rejects(run(Buffer.from('{"message":"no such image"}')), /ended early|Not an image export/);
  });

  it('an empty stream and a tar that is not an image', async () => {
    await assert.rejects(run(Buffer.alloc(0)), /The image export is empty/);
    await assert.rejects(run(await layerTar([file('hello', 3)])), /neither manifest.json nor index.json/);
  });

  it('a layer that is not a valid gzip stream', async () => {
    const data = await ociArchive([{ spec: { ...SPEC, compression: 'gzip' } }]);
    const gz = compress(await layerTar([file('data', 200000)]), 'gzip');
    // Corrupt the deflate data of every gzip blob in place (same length, so the archive stays valid).
    let at = 0;
    const bad = Buffer.from(data);
    while ((at = bad.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), at)) >= 0) {
      bad.fill(0xff, at + 20, at + 40);
      at += 3;
    }
    assert.ok(gz.length > 0);
    await assert.rejects(run(bad), /Layer \d \(blobs\/sha256\/[0-9a-f]+\) could not be read/);
  });

  it('an input stream that fails', async () => {
    const input = new Readable({ read() {} });
    const p = analyzeExport(input, { image: 'x' });
    input.push(Buffer.alloc(1024));
    input.destroy(new Error('socket hang up'));
    await assert.rejects(p, /socket hang up/);
  });
});

describe('cancellation and progress', () => {
  it('aborting destroys the input and rejects with an AbortError', async () => {
    const data = await legacyArchive(SPEC);
    const input = new Readable({ read() {} });
    input.push(data.subarray(0, 4096)); // then nothing: a daemon that is slow to send
    const ac = new AbortController();
    const p = analyzeExport(input, { image: 'x', signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    assert.equal(input.destroyed, true);
  });

  it('an already aborted signal', async () => {
    const input = streamOf(await legacyArchive(SPEC));
    await assert.rejects(analyzeExport(input, { image: 'x', signal: AbortSignal.abort() }), (e: Error) => e.name === 'AbortError');
    assert.equal(input.destroyed, true);
  });

  it('reports bytes read, throttled, ending with the total', async () => {
    const data = await legacyArchive({ layers: [[file('big', 4 << 20)]] });
    const seen: number[] = [];
    await analyzeExport(streamOf(data, 4096), { image: 'x', onProgress: (n) => seen.push(n) });
    assert.equal(seen.at(-1), data.length);
    assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]!));
    assert.ok(seen.length <= Math.ceil(data.length / (64 << 10)) + 1, `${seen.length} calls`);
  });
});
