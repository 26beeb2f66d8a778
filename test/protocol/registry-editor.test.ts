import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { humanSize } from '../../server/src/docker/units';
import { machinePlatform } from '../../server/src/registry/image-info';
import { formatPlatform } from '../../server/src/rules/lib/local-images';
import { LspClient } from '../support/lsp-client';
import { startRegistry, type RegistryHandle } from '../support/registry';
import { Pusher, registryFaultProxy, type Pushed, type RegistryFaultProxy } from '../support/registry-fixtures';
import { until } from '../support/until';

/**
 * The registry in the editor, through the bundled server: with `layerwise.registry.enabled`, the
 * FROM lens shows the compressed size and layer count the registry serves for the target platform
 * (no daemon, no build), the hover its platforms and digest, code actions rewrite the tag, and the
 * pinning rules compare with the digest served now. Stage names and excluded repositories are
 * never asked (the proxy in front of the registry sees every request); a registry that is down,
 * rate-limited, silent or answering garbage leaves the server answering, with the reason in the lens.
 */

const SERVER = path.resolve('server/out/server.js');

describe('registry answers in the editor (bundled server, docker-registry on 127.0.0.1)', () => {
  let registry: RegistryHandle | undefined;
  let proxy: RegistryFaultProxy | undefined;
  let skip: string | undefined;
  let client: LspClient | undefined;
  let dir: string;
  let uri: string;
  let lines: string[];
  const pushed: Record<string, Pushed> = {};
  const target = formatPlatform(machinePlatform());
  const logs: string[] = [];

  before(async () => {
    const r = await startRegistry();
    if (!r.ok) return void (skip = r.reason);
    registry = r.registry;
    const push = new Pusher(`http://${registry.host}`);
    const both = (amd: number[], arm: number[]) => [
      { os: 'linux', architecture: 'amd64', layers: amd },
      { os: 'linux', architecture: 'arm64', variant: 'v8', layers: arm },
    ];
    pushed['3.19.1'] = await push.push('lib/base', '3.19.1', both([3000, 2000], [2500, 1000]));
    pushed['3.19.2'] = await push.push('lib/base', '3.19.2', both([3050, 2000], [2550, 1000]));
    pushed['3.19.4'] = await push.push('lib/base', '3.19.4', both([3100, 2000], [2600, 1000]));
    pushed['3.19.1-alpine'] = await push.push('lib/base', '3.19.1-alpine', both([700], [650]));
    for (const repo of ['private/thing', 'lib/limited', 'lib/junk', 'lib/slow']) await push.push(repo, '1', both([10], [10]));
    proxy = await registryFaultProxy(`http://${registry.host}`);
    proxy.rules.push({ path: /\/lib\/limited\//, fault: '429', retryAfter: '7' }, { path: /\/lib\/junk\//, fault: 'garbage' }, { path: /\/lib\/slow\//, fault: 'hang' });
    const P = proxy.host;
    lines = [
      `FROM ${P}/lib/base:3.19.1 AS build`, // 0
      'RUN true', // 1
      'FROM build AS test', // 2: a stage, never asked
      `FROM --platform=linux/arm64 ${P}/lib/base:3.19.4 AS arm`, // 3
      `FROM ${P}/lib/base:3.19.1@${pushed['3.19.2']!.digest} AS pinned`, // 4: a stale pin
      'FROM 127.0.0.1:9/lib/gone:1 AS down', // 5: nothing listens on port 9
      `FROM ${P}/private/thing:1 AS excluded`, // 6
      `FROM ${P}/lib/limited:1 AS limited`, // 7
      `FROM ${P}/lib/junk:1 AS junk`, // 8
      `FROM ${P}/lib/slow:1 AS slow`, // 9
      '',
    ];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-registry-editor-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), lines.join('\n'));
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      // No daemon: the target platform is this machine's.
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` },
      settings: { layerwise: { registry: { enabled: true, exclude: [`${P}/private/*`] }, rules: { 'base-image-digest': 'info' } } },
      onLog: (m) => logs.push(m),
    });
    await client.initialize({ rootUri: pathToFileURL(dir).href });
    await client.didOpen(uri, lines.join('\n'), 1);
  });
  after(async () => {
    await client?.shutdown();
    await proxy?.close();
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const lensesOn = async (line: number): Promise<string[]> => {
    const all = (await client!.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
    return all.filter((l) => l.range.start.line === line && l.command?.title.startsWith('registry:')).map((l) => l.command!.title);
  };
  const sizeOn = (tag: string, platform: string) => pushed[tag]!.platforms.find((p) => p.platform === platform)!;

  it('the FROM lens shows the compressed size and layer count the registry serves, before any build', async (t) => {
    if (skip) return t.skip(skip);
    const own = sizeOn('3.19.1', target);
    assert.deepEqual(await until('the lens of line 1', async () => ((await lensesOn(0)).length ? lensesOn(0) : undefined)), [
      `registry: ${humanSize(own.compressedSize)} compressed · 2 layers · ${target} · 3.19.4 is out`,
    ]);
    const arm = sizeOn('3.19.4', 'linux/arm64/v8');
    assert.deepEqual(await until('the arm64 lens', async () => ((await lensesOn(3)).length ? lensesOn(3) : undefined)), [`registry: ${humanSize(arm.compressedSize)} compressed · 2 layers · linux/arm64/v8`]);
    assert.deepEqual(await lensesOn(2), [], 'a stage is no image to ask about');
  });

  it('the hover names the platforms and the digest; code actions rewrite the tag with measured sizes', async (t) => {
    if (skip) return t.skip(skip);
    const at = { line: 0, character: lines[0]!.indexOf('base') };
    const hover = await until('the registry hover', async () => {
      const h = (await client!.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: at })) as Hover | null;
      const v = (h?.contents as MarkupContent | undefined)?.value ?? '';
      return v.includes('**Registry**') ? v : undefined;
    });
    assert.match(hover, new RegExp(`platforms: linux/amd64, linux/arm64/v8`));
    assert.ok(hover.includes(`digest now: \`${pushed['3.19.1']!.digest}\``), hover);
    assert.match(hover, /newer: `3\.19\.4`.*; `3\.19\.2`/);
    const actions = (await client!.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: at, end: at },
      context: { diagnostics: [], only: ['refactor.rewrite'] },
    })) as CodeAction[];
    const P = proxy!.host;
    const rewrite = actions.filter((a) => a.title.startsWith('Use '));
    assert.deepEqual(
      rewrite.map((a) => a.edit!.changes![uri]![0]!.newText),
      [`${P}/lib/base:3.19.4`, `${P}/lib/base:3.19.2`, `${P}/lib/base:3.19.1-alpine`],
    );
    const alpine = rewrite[2]!;
    assert.ok(alpine.title.includes(humanSize(sizeOn('3.19.1-alpine', target).compressedSize)), alpine.title);
    assert.match(alpine.title, /smaller variant of 3\.19\.1\) — may change behaviour: musl instead of glibc$/);
  });

  it('digest pinning uses the digest the registry serves now; a stale pin is a hint with a fix', async (t) => {
    if (skip) return t.skip(skip);
    const published = await client!.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'base-image-digest-stale'), 30_000);
    const stale = published.diagnostics.filter((d) => d.code === 'base-image-digest-stale');
    assert.deepEqual(stale.map((d) => d.range.start.line), [4]);
    assert.ok(stale[0]!.message.includes(`now points to ${pushed['3.19.1']!.digest.slice(0, 19)}`), stale[0]!.message);
    const pin = published.diagnostics.find((d: Diagnostic) => d.code === 'base-image-digest' && d.range.start.line === 0)!;
    const fixes = await client!.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: pin.range, context: { diagnostics: [pin], only: ['quickfix'] } }) as CodeAction[];
    const served = fixes.find((f) => f.title.includes('the digest the registry serves'));
    assert.ok(served, fixes.map((f) => f.title).join('\n'));
    assert.equal(served.edit!.changes![uri]![0]!.newText, `@${pushed['3.19.1']!.digest}`);
  });

  it('down, 429, garbage and silence: the lens says why, the server keeps answering, excluded and stage images are never asked', async (t) => {
    if (skip) return t.skip(skip);
    assert.deepEqual(await until('the down lens', async () => ((await lensesOn(5)).length ? lensesOn(5) : undefined)), ['registry: registry not reachable']);
    assert.deepEqual(await until('the 429 lens', async () => ((await lensesOn(7)).length ? lensesOn(7) : undefined)), ['registry: registry rate limit (429), retry in 7 s']);
    assert.deepEqual(await until('the garbage lens', async () => ((await lensesOn(8)).length ? lensesOn(8) : undefined)), ['registry: registry answer unreadable']);
    // While the silent registry holds a request open, every request is answered.
    const hover = await client!.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 1 } });
    assert.ok(hover);
    assert.deepEqual(await until('the silent registry lens (10 s deadline)', async () => ((await lensesOn(9)).length ? lensesOn(9) : undefined), 40_000), ['registry: registry not answering']);
    assert.deepEqual(await lensesOn(6), []);
    assert.ok(!proxy!.requests.some((r) => r.includes('private/thing')), proxy!.requests.join('\n'));
    assert.ok(!proxy!.requests.some((r) => /\/v2\/build\/|\/v2\/test\//.test(r)));
    assert.ok(logs.some((m) => /Registry: .*lib\/limited:1 .*rate-limited/.test(m)), logs.join('\n'));
  });
});

describe('registry queries are off by default', () => {
  it('sends nothing and shows no registry lens without layerwise.registry.enabled', async (t) => {
    const r = await startRegistry();
    if (!r.ok) return t.skip(r.reason);
    const proxy = await registryFaultProxy(`http://${r.registry.host}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-registry-off-'));
    const uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    const client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` },
      settings: { layerwise: {} },
    });
    try {
      await client.initialize({ rootUri: pathToFileURL(dir).href });
      const opened = client.waitForDiagnostics(uri, { version: 1 });
      await client.didOpen(uri, `FROM ${proxy.host}/lib/base:1\n`, 1);
      await opened;
      const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
      await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 8 } });
      assert.deepEqual(lenses.filter((l) => l.command?.title.startsWith('registry:')), []);
      assert.deepEqual(proxy.requests, []);
    } finally {
      await client.shutdown();
      await proxy.close();
      await r.registry.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
