import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { GitRepo } from '../support/git-fixture';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';
import { until } from '../support/until';

/**
 * Diagnostics never wait for git: the server's git runs through a shim on PATH that holds every
 * call until the test releases it. The rule diagnostics of an open and of edits are published
 * while git is held; the build-cache sentence comes in a later publish once git has answered.
 */

const SERVER = path.resolve('server/out/server.js');
const BAD = ['FROM node:20-slim', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', 'CMD ["node", "index.js"]', ''].join('\n');
const RULE = 'dependency-install-after-source-copy';

describe('diagnostics are published before git answers', () => {
  let r: GitRepo;
  let tmp: string;
  let client: LspClient;
  let log: string;
  let release: string;
  const calls = (word: 'start' | 'end'): number => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l === word).length : 0);

  before(async () => {
    r = GitRepo.create('lw-diag-first-');
    r.commit('init', { Dockerfile: BAD, '.dockerignore': 'README.md\n', 'package.json': '{}', 'package-lock.json': '{}', 'index.js': '1' });
    for (let i = 0; i < 4; i++) r.commit(`source ${i}`, { 'index.js': String(i + 2) });
    r.commit('lockfile', { 'package-lock.json': '{"v":1}' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-git-shim-'));
    log = path.join(tmp, 'calls.log');
    release = path.join(tmp, 'release');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    fs.mkdirSync(path.join(tmp, 'bin'));
    fs.writeFileSync(
      path.join(tmp, 'bin', 'git'),
      `#!/bin/sh\necho start >> '${log}'\nwhile [ ! -e '${release}' ]; do sleep 0.02; done\n'${realGit}' "$@"\nrc=$?\necho end >> '${log}'\nexit $rc\n`,
      { mode: 0o755 },
    );
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: `${path.join(tmp, 'bin')}:${process.env.PATH}`, HOME: tmp, XDG_CACHE_HOME: tmp, DOCKER_HOST: `unix://${path.join(tmp, 'no-docker.sock')}` },
    });
    await client.initialize({ capabilities: DEFAULT_CLIENT_CAPABILITIES, rootUri: pathToFileURL(r.dir).href });
  });
  after(async () => {
    fs.writeFileSync(release, '');
    await client?.shutdown();
    r?.remove();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('open and edits publish the rule diagnostics while git is held; the figure follows once it answers', async () => {
    const uri = pathToFileURL(r.path('Dockerfile')).href;
    const first = client.waitForDiagnostics(uri, { version: 1 });
    await client.didOpen(uri, BAD, 1);
    const d1 = (await first).diagnostics.find((d) => d.code === RULE);
    assert.ok(d1, 'the rule diagnostic is in the first publish');
    assert.ok(!d1.message.includes('With the fix'));
    assert.equal(calls('end'), 0, 'no git call had finished when the first publish arrived');

    // The figure is asked for in the background: git starts, and stays held.
    await until('a git call', () => (calls('start') > 0 ? true : undefined));
    const edited = `# a comment\n${BAD}`;
    const second = client.waitForDiagnostics(uri, { version: 2 });
    await client.didChange(uri, 2, [{ text: edited }]);
    const d2 = (await second).diagnostics.find((d) => d.code === RULE);
    assert.ok(d2);
    assert.equal(d2.range.start.line, d1.range.start.line + 1);
    const otherUri = pathToFileURL(r.path('other/Dockerfile')).href;
    const other = client.waitForDiagnostics(otherUri, { version: 1 });
    await client.didOpen(otherUri, 'FROM node:20-slim\nRUN apt-get update\nRUN apt-get install -y curl\n', 1);
    assert.ok((await other).diagnostics.length > 0);
    assert.equal(calls('end'), 0, 'git was still held while these were published');

    fs.writeFileSync(release, '');
    const amended = await until('the publish with the figure', () => {
      const p = client.latestDiagnostics.get(uri);
      const d = p?.diagnostics.find((x) => x.code === RULE);
      return p?.version === 2 && d?.message.includes('With the fix') ? d : undefined;
    });
    assert.ok(calls('end') > 0);
    assert.match(amended.message, /^.* With the fix, `npm ci` would re-run on \d+% of the last 6 commits instead of \d+%\.$/);
  });
});

describe('the build context between keystrokes', () => {
  let dir: string;
  let client: LspClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-context-reuse-'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{}');
    client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], env: { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` } });
    await client.initialize({ capabilities: DEFAULT_CLIENT_CAPABILITIES, rootUri: pathToFileURL(dir).href });
  });
  after(async () => {
    await client?.shutdown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is read again when a watched file changes', async () => {
    const uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    const missing = (p: { diagnostics: { code?: unknown }[] }): boolean => p.diagnostics.some((d) => d.code === 'dockerignore-missing');
    const opened = client.waitForDiagnostics(uri, { version: 1 });
    await client.didOpen(uri, 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\n', 1);
    assert.ok(missing(await opened));
    fs.writeFileSync(path.join(dir, '.dockerignore'), 'node_modules\n');
    const after = client.waitForDiagnostics(uri, (p) => !missing(p));
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(dir, '.dockerignore')).href, type: 1 }] });
    await after;
  });
});
