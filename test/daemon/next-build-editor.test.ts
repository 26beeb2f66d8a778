import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { NO_RECORD_SUMMARY } from '../../server/src/cache/next-build-editor';
import type { DaemonClient } from '../../server/src/docker/client';
import type { BuildImageResult, NextBuildParams } from '../../server/src/docker/protocol';
import { buildkitSkip, testDaemon } from '../support/daemon';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import type { LspClient } from '../support/lsp-client';
import { nextBuildClient } from '../support/next-build-client';
import { connect, fixtureDir, removeImage, RUN_ID } from './docker-fixtures';
import { until } from '../support/until';

/**
 * The editor's own path to a prediction, on the private engine: Build Image through the bundled
 * server records the build's inputs and step timings, the status then says everything is cached,
 * and an edit of a copied file is predicted to re-run from its COPY with seconds from that build.
 */

const daemon = testDaemon();

describe('next build in the editor after Build Image', { skip: daemon.skip || buildkitSkip() }, () => {
  let docker: DaemonClient;
  let client: LspClient;
  let dir: string;
  let home: string;
  let uri: string;
  const tags: string[] = [];
  let notes: NextBuildParams[];

  before(async () => {
    docker = await connect(daemon.host!);
    await ensureBusyboxImage(await docker.streaming());
    dir = fixtureDir({
      Dockerfile: `FROM ${BUSYBOX_IMAGE}\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n`,
      // Unique per run: a step BuildKit still has cached from an earlier run would be reported CACHED, and untimed.
      'a.txt': `one ${RUN_ID}\n`,
    });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-home-'));
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    ({ client, notes } = await nextBuildClient({ dir, home, dockerHost: daemon.host! }));
  });
  after(async () => {
    await client?.shutdown();
    for (const tag of tags) await removeImage(docker, tag);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('before any build the status asks for one; after Build Image every step is cached', async () => {
    await client.didOpen(uri, fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
    assert.equal((await until('the first status', () => notes.find((p) => p.uri === uri))).text, NO_RECORD_SUMMARY);
    const seen = notes.length;
    const result = await client.request<BuildImageResult>('layerwise/buildImage', { uri, buildId: 'nb1' });
    assert.equal(result.ok, true, result.error);
    assert.equal(result.builder, 'buildkit');
    tags.push(result.tag!);
    const after = await until('the status after the build', () => notes.slice(seen).find((p) => p.uri === uri && p.text !== NO_RECORD_SUMMARY));
    assert.equal(after.text, 'next build: all cached');
  });

  it('an edit of the copied file: re-runs from the COPY, timed from the recorded build, with a lens naming the file', async () => {
    const seen = notes.length;
    fs.writeFileSync(path.join(dir, 'a.txt'), 'two\n');
    const n = await until('a prediction', () => notes.slice(seen).find((p) => p.uri === uri && p.text.startsWith('next build ≈')));
    // Seconds come from the step timings Build Image recorded: a number, never "?" (untimed).
    assert.match(n.text, /^next build ≈ \d+(\.\d+)? s, re-runs from line 2$/);
    assert.match(n.tooltip, /line 2: re-runs \(a\.txt changed\)/);
    assert.match(n.tooltip, /line 3: re-runs/);
    const lenses = await until('the lenses', async () => {
      const got = await client.request<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri } });
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

  it('building again records the new inputs: every step cached once more', async () => {
    const seen = notes.length;
    const result = await client.request<BuildImageResult>('layerwise/buildImage', { uri, buildId: 'nb2' });
    assert.equal(result.ok, true, result.error);
    const n = await until('the status after the second build', () => notes.slice(seen).find((p) => p.uri === uri && p.text === 'next build: all cached'));
    assert.equal(n.text, 'next build: all cached');
  });
});
