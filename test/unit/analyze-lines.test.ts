import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeExport } from '../../server/src/analyze/analyze';
import { ParsedDocument } from '../../server/src/engine/document';
import type { Model } from '../../server/src/model/model';
import { initShellParser } from '../../server/src/model/shell';
import { dir, file, type HistorySpec, type ImageSpec, legacyArchive, streamOf, symlink, whiteout } from '../support/image-archive';

/**
 * Line attribution: the image's history (BuildKit's and the classic builder's `created_by`) is
 * aligned with the Dockerfile by history-match, which also finds where the base image ends.
 */

const MiB8 = 8 * 1024 * 1024;

function modelOf(text: string): Model {
  return new ParsedDocument('file:///work/Dockerfile', 1, text).model();
}

// A busybox base image as `docker import` makes it: one layer, then the CMD of the import.
const BASE_LAYER = [dir('bin'), file('bin/busybox', 1000), symlink('bin/sh', 'busybox')];
const BASE_HISTORY: HistorySpec[] = [{ created_by: '', comment: 'Imported from -' }, { created_by: 'CMD ["sh"]', empty_layer: true }];

const DOCKERFILE = ['FROM busybox:local', 'ENV A=1', 'RUN dd if=/dev/zero of=/big bs=1M count=8', '# a comment', 'RUN rm /big', 'CMD ["sh"]', ''].join('\n');

const BUILDKIT: ImageSpec = {
  layers: [BASE_LAYER, [file('big', MiB8)], [whiteout('big')]],
  history: [
    ...BASE_HISTORY,
    { created_by: 'ENV A=1', empty_layer: true, comment: 'buildkit.dockerfile.v0' },
    { created_by: 'RUN /bin/sh -c dd if=/dev/zero of=/big bs=1M count=8 # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created_by: 'RUN /bin/sh -c rm /big # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created_by: 'CMD ["sh"]', empty_layer: true, comment: 'buildkit.dockerfile.v0' },
  ],
};

const CLASSIC: ImageSpec = {
  ...BUILDKIT,
  history: [
    ...BASE_HISTORY,
    { created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true },
    { created_by: '/bin/sh -c dd if=/dev/zero of=/big bs=1M count=8' },
    { created_by: '/bin/sh -c rm /big' },
    { created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
  ],
};

before(async () => {
  await initShellParser();
});

describe('Dockerfile lines', () => {
  for (const [builder, spec] of [['buildkit', BUILDKIT], ['classic', CLASSIC]] as const) {
    it(`${builder}: each layer's line, the base found by the alignment, the finding on both lines`, async () => {
      const a = await analyzeExport(streamOf(await legacyArchive(spec)), { image: 'app:1', model: modelOf(DOCKERFILE), dockerfile: '/work/Dockerfile' });
      assert.deepEqual(a.layers.map((l) => l.line), [undefined, undefined, 2, 3, 5, 6]);
      assert.equal(a.baseLayers, 2);
      assert.deepEqual(a.layers.map((l) => l.base), [true, true, false, false, false, false]);
      assert.equal(a.dockerfile, '/work/Dockerfile');
      assert.deepEqual(
        a.findings.map((f) => [f.message, f.bytes, f.line, f.relatedLine, f.layer, f.supersededBy]),
        [['line 3 adds 8.39 MB that line 5 deletes', 8388608, 3, 5, 3, 4]],
      );
      assert.equal(a.userWastedBytes, 8388608);
      assert.equal(a.userEfficiency, 0);
      // bin/busybox 1000 once, big 8 MiB then removed.
      assert.equal(a.efficiency, 1000 / (1000 + MiB8));
    });
  }

  it('a base length given by the caller wins over the alignment', async () => {
    const a = await analyzeExport(streamOf(await legacyArchive(BUILDKIT)), { image: 'app:1', model: modelOf(DOCKERFILE), baseLayers: 3 });
    assert.equal(a.baseLayers, 3);
    // ENV is now inside the "base": it has no line of its own; the others keep theirs.
    assert.deepEqual(a.layers.map((l) => l.line), [undefined, undefined, undefined, 3, 5, 6]);
  });

  it('an edited line keeps its position; a line added since the build has no layer', async () => {
    const edited = DOCKERFILE.replace('count=8', 'count=9').replace('RUN rm /big', 'RUN rm /big\nRUN echo new');
    const a = await analyzeExport(streamOf(await legacyArchive(BUILDKIT)), { image: 'app:1', model: modelOf(edited) });
    assert.deepEqual(a.layers.map((l) => l.line), [undefined, undefined, 2, 3, 5, 7]);
  });

  it('multi-stage: the final stage (or the target) is the one aligned', async () => {
    const text = ['FROM busybox:local AS build', 'RUN echo built > /out', '', 'FROM busybox:local', 'COPY --from=build /out /out', 'RUN rm /out', ''].join('\n');
    const spec: ImageSpec = {
      layers: [BASE_LAYER, [file('out', 100000)], [whiteout('out')]],
      history: [...BASE_HISTORY, { created_by: 'COPY /out /out # buildkit', comment: 'buildkit.dockerfile.v0' }, { created_by: 'RUN /bin/sh -c rm /out # buildkit', comment: 'buildkit.dockerfile.v0' }],
    };
    const a = await analyzeExport(streamOf(await legacyArchive(spec)), { image: 'app:1', model: modelOf(text) });
    assert.deepEqual(a.layers.map((l) => l.line), [undefined, undefined, 5, 6]);
    assert.equal(a.findings[0]!.message, 'line 5 adds 100 kB that line 6 deletes');
  });

  it('without a Dockerfile: no lines, the first layer is the base', async () => {
    const a = await analyzeExport(streamOf(await legacyArchive(BUILDKIT)), { image: 'app:1' });
    assert.ok(a.layers.every((l) => l.line === undefined));
    assert.equal(a.baseLayers, 1);
    assert.equal(a.findings[0]!.message, 'layer 3 (RUN dd if=/dev/zero of=/big bs=1M count=8) adds 8.39 MB that layer 4 deletes');
  });
});
