import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { ContextReader } from '../../server/src/cache/context-snapshot';
import { NO_RECORD_SUMMARY } from '../../server/src/cache/next-build-editor';
import { BuildInputsStore, defaultInputsDir, recordNow } from '../../server/src/cache/next-build-store';
import type { NextBuildParams } from '../../server/src/docker/protocol';
import type { LspClient } from '../support/lsp-client';
import { nextBuildClient } from '../support/next-build-client';
import { until } from '../support/until';

/**
 * What the next build re-runs, through the bundled server: the status bar text it notifies
 * (layerwise/nextBuild) and the lenses on the steps that re-run, first without a recorded build,
 * then after one (recorded in the store the server watches, as `layerwise record` would) and a
 * change in the context folder, which the server watches once a build is recorded. FROM scratch: no daemon.
 */


describe('next build over the protocol', () => {
  let dir: string;
  let cacheHome: string;
  let client: LspClient;
  let uri: string;
  let notes: NextBuildParams[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-next-protocol-'));
    cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-xdg-cache-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch AS app\nCOPY a.txt /a.txt\nCOPY b.txt /b.txt\n');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    fs.writeFileSync(path.join(dir, 'b.txt'), 'b');
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    ({ client, notes } = await nextBuildClient({ dir, home: cacheHome, dockerHost: `unix://${path.join(cacheHome, 'no-docker.sock')}` }));
  });
  after(async () => {
    await client?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cacheHome, { recursive: true, force: true });
  });

  it('without a recorded build, the status says the prediction needs one', async () => {
    await client.didOpen(uri, fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
    const n = await until('the first layerwise/nextBuild', () => notes.find((p) => p.uri === uri));
    assert.equal(n.text, NO_RECORD_SUMMARY);
    assert.match(n.tooltip, /Build Image\) or a `layerwise record/);
  });

  it('a build recorded from a terminal is picked up; then a change in the context re-predicts: status text and a lens with the reason', async () => {
    const store = new BuildInputsStore(defaultInputsDir({ XDG_CACHE_HOME: cacheHome }));
    await recordNow({ dockerfilePath: path.join(dir, 'Dockerfile'), settings: { target: undefined, buildArgs: {} }, imageId: async () => undefined, reader: new ContextReader() }, store, 'sha256:0');
    assert.equal((await until('the recorded build seen', () => notes.find((p) => p.uri === uri && p.text !== NO_RECORD_SUMMARY))).text, 'next build: all cached');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a2');
    const n = await until('a prediction', () => notes.find((p) => p.uri === uri && p.text.startsWith('next build ≈')));
    assert.equal(n.text, 'next build ≈ ? s, re-runs from line 2');
    assert.match(n.tooltip, /line 2: re-runs \(a\.txt changed\)/);
    const lenses = await until('the lens', async () => {
      const got = await client.connection.sendRequest<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri } });
      return got?.some((l) => l.command?.title.startsWith('next build')) ? got : undefined;
    });
    assert.deepEqual(
      lenses.filter((l) => l.command?.title.startsWith('next build')).map((l) => [l.range.start.line, l.command!.title]),
      [
        [1, 'next build re-runs: a.txt changed'],
        [2, 'next build re-runs: line 2 re-runs'],
      ],
    );
  });
});
