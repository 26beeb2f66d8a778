import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { defaultTimingsDir, TimingsStore } from '../../server/src/cache/timings';
import type { BuildImageResult, CacheSummaryResult } from '../../server/src/docker/protocol';
import { connect, removeImage, RUN_ID } from '../daemon/docker-fixtures';
import { testDaemon } from '../support/daemon';
import { GitRepo } from '../support/git-fixture';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';
import { until } from '../support/until';

/**
 * The build-cache figures through the bundled server over stdio, on a scripted git history whose
 * shares are exact: the keyword hover, the CodeLens part next to the layer lenses, the status
 * bar's layerwise/cacheSummary, and the lockfile-order diagnostic re-published with the effect of
 * its fix after the first publish went out without it. Timings come from the store the editor and
 * the command line share (XDG_CACHE_HOME points at a temporary folder).
 */

const SERVER = path.resolve('server/out/server.js');
const IGNORE = 'README.md\nDockerfile\n.dockerignore\n';
const BAD = ['FROM node:20-slim', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', 'CMD ["node", "index.js"]', ''].join('\n');
const SENTENCE = 'With the fix, `npm ci` would re-run on 20% of the last 10 commits instead of 80%.';
const capabilities = { ...DEFAULT_CLIENT_CAPABILITIES, workspace: { ...DEFAULT_CLIENT_CAPABILITIES.workspace, codeLens: { refreshSupport: true } } };

describe('build-cache figures over the protocol', () => {
  let r: GitRepo;
  let cacheHome: string;
  let outside: string;
  let shim: string;
  let client: LspClient;
  let uri: string;
  let refreshes = 0;
  /** How many CodeLens refreshes had arrived when the first layerwise/cacheChanged of `uri` did. */
  let refreshesAtCacheChanged: number | undefined;
  /** While this file exists, the server's git calls wait (the shim on its PATH holds them). */
  const hold = (): string => path.join(shim, 'hold');

  before(async () => {
    r = GitRepo.create('lw-cache-protocol-');
    r.commit('init', { Dockerfile: BAD, '.dockerignore': IGNORE, 'package.json': '{}', 'package-lock.json': '{}', 'index.js': '1' });
    for (let i = 0; i < 6; i++) r.commit(`source ${i}`, { 'index.js': String(i + 2) });
    r.commit('readme', { 'README.md': 'x' });
    r.commit('readme 2', { 'README.md': 'y' });
    r.commit('lockfile', { 'package-lock.json': '{"v":1}' });
    cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-xdg-cache-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-no-git-'));
    // A build from the editor timed `RUN npm ci` (the COPY was cached, so it stays unknown).
    await new TimingsStore(defaultTimingsDir({ XDG_CACHE_HOME: cacheHome })).record(r.path('Dockerfile'), [
      { step: '[3/4] COPY . .', seconds: 0.5, cached: true },
      { step: '[4/4] RUN npm ci', seconds: 40, cached: false },
    ]);
    uri = pathToFileURL(r.path('Dockerfile')).href;
    shim = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-git-hold-'));
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    fs.mkdirSync(path.join(shim, 'bin'));
    fs.writeFileSync(path.join(shim, 'bin', 'git'), `#!/bin/sh\nwhile [ -e '${hold()}' ]; do sleep 0.02; done\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: `${path.join(shim, 'bin')}:${process.env.PATH}`, HOME: cacheHome, XDG_CACHE_HOME: cacheHome, DOCKER_HOST: `unix://${path.join(outside, 'no-docker.sock')}` },
      settings: { layerwise: { cache: { codeLens: true } } },
    });
    client.connection.onRequest('workspace/codeLens/refresh', () => {
      refreshes++;
      return null;
    });
    client.connection.onNotification('layerwise/cacheChanged', (p: { uri: string }) => {
      if (p.uri === uri) refreshesAtCacheChanged ??= refreshes;
    });
    await client.initialize({ capabilities, rootUri: pathToFileURL(r.dir).href });
  });
  after(async () => {
    await client?.shutdown();
    r?.remove();
    fs.rmSync(cacheHome, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
    if (shim) fs.rmSync(shim, { recursive: true, force: true });
  });

  it('publishes the diagnostics at once, then again with the effect of the lockfile-order fix', async () => {
    const first = client.waitForDiagnostics(uri, { version: 1 });
    await client.didOpen(uri, BAD, 1);
    const d1 = (await first).diagnostics.find((d) => d.code === 'dependency-install-after-source-copy');
    assert.ok(d1);
    assert.ok(!d1.message.includes('With the fix'), d1.message);
    const amended = await until('the re-published diagnostic', () => {
      const d = client.latestDiagnostics.get(uri)?.diagnostics.find((x) => x.code === 'dependency-install-after-source-copy');
      return d?.message.includes('With the fix') ? d : undefined;
    });
    assert.equal(amended.message, `${d1.message} ${SENTENCE}`);
    assert.equal(client.latestDiagnostics.get(uri)!.version, 1);
    // The fix still travels with it.
    assert.deepEqual(amended.data, d1.data);
    const atChange = await until('layerwise/cacheChanged', () => refreshesAtCacheChanged);
    // The next-build service asks for refreshes too: the cache's own follows its notification.
    await until('a CodeLens refresh after it', () => (refreshes > atChange ? true : undefined));
  });

  it('the hover of a keyword gets the re-run share and the last build time, below the documentation', async () => {
    const run = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 1 } });
    const value = (run.contents as MarkupContent).value;
    assert.ok(value.endsWith('\n\n---\n\n**Build cache:** re-runs on 80% of the last 10 commits · last build 40 s'), value);
    assert.ok(value.length > 120, 'the documentation of RUN is still there');
    const copy = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 2 } });
    assert.ok((copy.contents as MarkupContent).value.endsWith('**Build cache:** re-runs on 80% of the last 10 commits · duration unknown: build it from the editor to measure'));
    const from = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
    assert.ok((from.contents as MarkupContent).value.endsWith('**Build cache:** re-runs on 10% of the last 10 commits'));
  });

  it('the CodeLens part sits next to the layer lenses', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const cache = lenses.filter((l) => l.command!.title.startsWith('re-runs'));
    assert.deepEqual(
      cache.map((l) => [l.range.start.line, l.command!.title]),
      [[0, 're-runs on 10% of commits'], [1, 're-runs on 10% of commits'], [2, 're-runs on 80% of commits'], [3, 're-runs on 80% of commits · 40 s'], [4, 're-runs on 80% of commits']],
    );
    // The daemon is absent here: its state lens is still on the first FROM.
    const docker = lenses.filter((l) => !l.command!.title.startsWith('re-runs'));
    assert.equal(docker.length, 1, JSON.stringify(lenses));
    assert.equal(docker[0]!.range.start.line, 0);
  });

  it('layerwise/cacheSummary: E[T] = Σ rerunShare · c over the timed steps', async () => {
    const s = await client.request<CacheSummaryResult>('layerwise/cacheSummary', { uri });
    assert.ok(s.available);
    assert.equal(s.expectedSeconds, 0.8 * 40);
    assert.equal(s.untimedSteps, 1);
    assert.equal(s.commits, 10);
    assert.equal(s.head, r.head());
    assert.deepEqual(s.steps.map((x) => [x.line, x.rerunShare, x.seconds]), [[1, 0.1, null], [2, 0.1, null], [3, 0.8, null], [4, 0.8, 40], [5, 0.8, null]]);
  });

  it('a new commit is seen on the next request (cached per HEAD)', async () => {
    r.commit('source again', { 'index.js': 'later' });
    const s = await until('the new HEAD', async () => {
      const x = await client.request<CacheSummaryResult>('layerwise/cacheSummary', { uri });
      return x.available && x.commits === 11 ? x : undefined;
    });
    assert.equal(s.head, r.head());
    assert.equal(s.steps[3]!.rerunShare, 9 / 11);
  });

  it('outside a git repository: no summary, no cache lens, the hover unchanged, one log line', async () => {
    const file = path.join(outside, 'Dockerfile');
    fs.writeFileSync(file, BAD);
    const other = pathToFileURL(file).href;
    const published = client.waitForDiagnostics(other, { version: 1 });
    await client.didOpen(other, BAD, 1);
    await published;
    const s = await client.request<CacheSummaryResult>('layerwise/cacheSummary', { uri: other });
    assert.equal(s.available, false);
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: other } });
    assert.ok(lenses.every((l) => !l.command!.title.startsWith('re-runs')));
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: other }, position: { line: 3, character: 1 } });
    assert.ok(!(hover.contents as MarkupContent).value.includes('Build cache'));
    await client.request<CacheSummaryResult>('layerwise/cacheSummary', { uri: other });
    assert.equal(client.logs.filter((m) => m.startsWith(`No build-cache figures for ${file}`)).length, 1, client.logs.join('\n'));
  });

  it('hover answers at once while the figures of an edit are computed', async () => {
    // git is held until the hover is answered: no figure can be computed before it.
    fs.writeFileSync(hold(), '');
    await client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: `# edited\n${BAD}` }] });
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 1 } });
    fs.rmSync(hold());
    // The last result, mapped by instruction text onto the moved line.
    assert.ok((hover.contents as MarkupContent).value.endsWith('**Build cache:** re-runs on 82% of the last 11 commits · last build 40 s'), (hover.contents as MarkupContent).value);
  });
});

const daemon = testDaemon();

describe('Build Image records the step durations the figures use', { skip: daemon.skip }, () => {
  const tag = `layerwise-test/cache-editor:${RUN_ID}`;
  let r: GitRepo;
  let cacheHome: string;
  let client: LspClient;
  const cacheChanged: string[] = [];

  before(async () => {
    const docker = await connect(daemon.host!);
    await ensureBusyboxImage(await docker.streaming());
    r = GitRepo.create('lw-cache-build-');
    r.commit('init', { Dockerfile: [`FROM ${BUSYBOX_IMAGE}`, `ENV LW_RUN=${RUN_ID}-cache-editor`, 'RUN sleep 1.2', ''].join('\n') });
    r.commit('readme', { 'README.md': 'x' });
    cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-xdg-cache-'));
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: cacheHome, XDG_CACHE_HOME: cacheHome, DOCKER_HOST: daemon.host },
      settings: { layerwise: { docker: { image: tag, builder: 'buildkit' } } },
    });
    client.connection.onNotification('layerwise/cacheChanged', (p: { uri: string }) => cacheChanged.push(p.uri));
    await client.initialize({ capabilities, rootUri: pathToFileURL(r.dir).href });
  });
  after(async () => {
    await client?.shutdown();
    if (daemon.host) await removeImage(await connect(daemon.host), tag);
    r?.remove();
    if (cacheHome) fs.rmSync(cacheHome, { recursive: true, force: true });
  });

  it('build from the editor: the RUN gets its seconds, E[T] follows, the client is told', async () => {
    const uri = pathToFileURL(r.path('Dockerfile')).href;
    const text = fs.readFileSync(r.path('Dockerfile'), 'utf8');
    const opened = client.waitForDiagnostics(uri, { version: 1 });
    await client.didOpen(uri, text, 1);
    await opened;
    const before = await client.request<CacheSummaryResult>('layerwise/cacheSummary', { uri });
    assert.ok(before.available);
    assert.equal(before.expectedSeconds, null);
    assert.equal(before.untimedSteps, 1);
    const built = await client.request<BuildImageResult>('layerwise/buildImage', { uri, buildId: 'cache-editor' });
    assert.ok(built.ok, built.error);
    await until('cacheChanged after the build', () => (cacheChanged.includes(uri) ? true : undefined));
    const after = await client.request<CacheSummaryResult>('layerwise/cacheSummary', { uri });
    assert.ok(after.available);
    const run = after.steps[2]!;
    assert.equal(run.instruction, 'RUN sleep 1.2');
    assert.ok(run.seconds !== null && run.seconds >= 1.2 && run.seconds < 30, String(run.seconds));
    // The README commit re-runs nothing: 1 of 2.
    assert.equal(run.rerunShare, 1 / 2);
    assert.equal(after.untimedSteps, 0);
    const timed = after.steps.filter((x) => x.seconds !== null);
    assert.equal(after.expectedSeconds, timed.reduce((sum, x) => sum + x.rerunShare * x.seconds!, 0));
    // The store is the one the command line reads.
    const stored = await new TimingsStore(defaultTimingsDir({ XDG_CACHE_HOME: cacheHome })).read(r.path('Dockerfile'));
    assert.equal(stored.steps['RUN sleep 1.2']!.seconds, run.seconds);
  });
});
