import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { GitRepo } from '../support/git-fixture';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';
import { until } from '../support/until';

/**
 * Inline hints through the bundled server over stdio: the value of each variable use (global and
 * stage ARGs, a nested default, ENV over ARG, an ARG declared again after FROM, values only
 * `layerwise.buildArgs` gives, platform ARGs), the stage `FROM` and `COPY --from` resolve to, and
 * the layer figures moved from the lenses to the end of the line by `layerwise.layers.display`.
 * Each hint's position and label are asserted exactly.
 */

const SERVER = path.resolve('server/out/server.js');

const FIXTURE = [
  'ARG NODE_VERSION=20.11.1', // 0
  'ARG REGISTRY', // 1
  'ARG TOKEN', // 2
  'FROM ${REGISTRY:-docker.io}/node:${NODE_VERSION}-slim AS build', // 3
  'ARG NODE_VERSION', // 4
  'ARG SUFFIX=', // 5
  'ARG APP_DIR=/srv/${SUFFIX:-v${NODE_VERSION}}', // 6
  'WORKDIR ${APP_DIR}', // 7
  'ARG MODE=prod', // 8
  'ENV MODE=dev', // 9
  'RUN echo "$MODE $NODE_VERSION $TOKEN" \'$MODE\' && for f in a; do echo $f; done && echo $HOME', // 10
  'COPY --chown=${UID} package.json ${APP_DIR}/', // 11
  'FROM --platform=$BUILDPLATFORM alpine:3.19 AS tools', // 12
  'ARG TARGETARCH', // 13
  'RUN echo $TARGETARCH > /arch', // 14
  'FROM build', // 15
  'COPY --from=tools /arch ${APP_DIR}/arch', // 16
  'COPY --from=0 /srv /srv', // 17
  'EXPOSE ${PORT:-8080}', // 18
  '',
].join('\n');
const LINES = FIXTURE.split('\n');

/** The position right after the `nth` occurrence of `text` on `line`. */
function after_(line: number, text: string, nth = 1): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) at = LINES[line]!.indexOf(text, at + 1);
  assert.ok(at >= 0, `${text} on line ${line}`);
  return { line, character: at + text.length };
}

type Row = [line: number, character: number, label: string];

function rows(hints: InlayHint[]): Row[] {
  return hints.map((h) => [h.position.line, h.position.character, typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')]);
}

function row(line: number, text: string, label: string, nth = 1): Row {
  const p = after_(line, text, nth);
  return [p.line, p.character, label];
}

const STAGE_0 = '→ stage 0 "build" (line 4)';
const STAGE_1 = '→ stage 1 "tools" (line 13)';

const EXPECTED_DEFAULT: Row[] = [
  row(1, 'ARG REGISTRY', '= ?'),
  row(2, 'ARG TOKEN', '= ?'),
  row(3, '${REGISTRY:-docker.io}', '= ?'),
  row(3, '${NODE_VERSION}', '= 20.11.1'),
  row(4, 'ARG NODE_VERSION', '= 20.11.1'),
  row(6, '${SUFFIX:-v${NODE_VERSION}}', '= v20.11.1'),
  row(7, '${APP_DIR}', '= /srv/v20.11.1'),
  row(10, '"$MODE', '= dev'),
  row(10, '$NODE_VERSION', '= 20.11.1'),
  row(10, '$TOKEN', '= ?'),
  row(11, '${UID}', '= ?'),
  row(11, '${APP_DIR}', '= /srv/v20.11.1'),
  row(12, '$BUILDPLATFORM', '= ?'),
  row(13, 'ARG TARGETARCH', '= ?'),
  row(14, '$TARGETARCH', '= ?'),
  row(15, 'FROM build', STAGE_0),
  row(16, '--from=tools', STAGE_1),
  row(16, '${APP_DIR}', '= ?'),
  row(17, '--from=0', STAGE_0),
  row(18, '${PORT:-8080}', '= ?'),
];

const BUILD_ARGS = { REGISTRY: 'registry.example:5000', TOKEN: 't0k', NODE_VERSION: '22.1.0' };

const EXPECTED_WITH_BUILD_ARGS: Row[] = [
  row(0, 'ARG NODE_VERSION=20.11.1', '= 22.1.0'),
  row(1, 'ARG REGISTRY', '= registry.example:5000'),
  row(2, 'ARG TOKEN', '= t0k'),
  row(3, '${REGISTRY:-docker.io}', '= registry.example:5000'),
  row(3, '${NODE_VERSION}', '= 22.1.0'),
  row(4, 'ARG NODE_VERSION', '= 22.1.0'),
  row(6, '${SUFFIX:-v${NODE_VERSION}}', '= v22.1.0'),
  row(7, '${APP_DIR}', '= /srv/v22.1.0'),
  row(10, '"$MODE', '= dev'),
  row(10, '$NODE_VERSION', '= 22.1.0'),
  // TOKEN has a value now, but this stage does not declare it: RUN still does not see it.
  row(10, '$TOKEN', '= ?'),
  row(11, '${UID}', '= ?'),
  row(11, '${APP_DIR}', '= /srv/v22.1.0'),
  row(12, '$BUILDPLATFORM', '= ?'),
  row(13, 'ARG TARGETARCH', '= ?'),
  row(14, '$TARGETARCH', '= ?'),
  row(15, 'FROM build', STAGE_0),
  row(16, '--from=tools', STAGE_1),
  row(16, '${APP_DIR}', '= ?'),
  row(17, '--from=0', STAGE_0),
  row(18, '${PORT:-8080}', '= ?'),
];

const WHOLE = { start: { line: 0, character: 0 }, end: { line: LINES.length, character: 0 } };

function tooltipAt(hints: InlayHint[], r: Row): string {
  const h = hints.find((x) => x.position.line === r[0] && x.position.character === r[1]);
  assert.ok(h, `a hint at ${r[0]}:${r[1]}`);
  return (h.tooltip as MarkupContent).value;
}

describe('inline hints over the protocol', () => {
  let dir: string;
  let client: LspClient;
  let uri: string;
  let refreshes = 0;
  const settings: { layerwise: Record<string, unknown> } = { layerwise: {} };
  const hints = (range = WHOLE): Promise<InlayHint[]> => client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range });
  const configure = async (layerwise: Record<string, unknown>): Promise<void> => {
    settings.layerwise = layerwise;
    const before = refreshes;
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    // The server asks the editor to request the hints again: the settings decide them.
    await until('workspace/inlayHint/refresh after the settings change', () => (refreshes > before ? true : undefined));
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-inlay-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), FIXTURE);
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      // No daemon: the layer figures are its "not reachable" state.
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` },
      settings,
    });
    client.connection.onRequest('workspace/inlayHint/refresh', () => {
      refreshes++;
      return null;
    });
    const capabilities = { ...DEFAULT_CLIENT_CAPABILITIES, workspace: { ...DEFAULT_CLIENT_CAPABILITIES.workspace, inlayHint: { refreshSupport: true } } };
    const init = await client.initialize({ capabilities, rootUri: pathToFileURL(dir).href });
    assert.deepEqual(init.capabilities.inlayHintProvider, { resolveProvider: false });
    const opened = client.waitForDiagnostics(uri, { version: 1 });
    await client.didOpen(uri, FIXTURE, 1);
    await opened;
  });
  after(async () => {
    await client?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each variable use gets its value, or `= ?`; FROM and COPY --from get their stage', async () => {
    const all = await hints();
    assert.deepEqual(rows(all), EXPECTED_DEFAULT);
    assert.ok(all.every((h) => h.paddingLeft === true));
  });

  it('the tooltips say where a value comes from, and why one cannot be known', async () => {
    const all = await hints();
    const t = (r: Row): string => tooltipAt(all, r);
    assert.match(t(row(1, 'ARG REGISTRY', '')), /`ARG REGISTRY` on line 2 has no default: only `--build-arg REGISTRY=…` sets it/);
    assert.match(t(row(4, 'ARG NODE_VERSION', '')), /the default of the global `ARG` on line 1, declared again on line 5/);
    assert.match(t(row(10, '"$MODE', '')), /`MODE`: `ENV` on line 10/);
    assert.match(t(row(10, '"$MODE', '')), /environment of this RUN/);
    assert.match(t(row(10, '$TOKEN', '')), /declared before the first FROM \(line 3\) and not declared again in this stage/);
    assert.match(t(row(12, '$BUILDPLATFORM', '')), /platform ARG: .*depends on the build/);
    assert.match(t(row(14, '$TARGETARCH', '')), /platform ARG/);
    assert.match(t(row(16, '${APP_DIR}', '')), /an ARG of stage 0 "build" \(line 7\); ARGs do not carry over to other stages/);
    const stage = all.find((h) => h.position.line === 15)!;
    assert.ok(Array.isArray(stage.label));
    assert.deepEqual(stage.label[0]!.location, { uri, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 4 } } });
  });

  it('answers only for the range asked', async () => {
    const some = await hints({ start: { line: 7, character: 0 }, end: { line: 10, character: 200 } });
    assert.deepEqual(rows(some), EXPECTED_DEFAULT.filter(([line]) => line >= 7 && line <= 10));
  });

  it('values only layerwise.buildArgs gives (the workspace/configuration answer)', async () => {
    await configure({ buildArgs: BUILD_ARGS });
    const all = await hints();
    assert.deepEqual(rows(all), EXPECTED_WITH_BUILD_ARGS);
    assert.match(tooltipAt(all, row(1, 'ARG REGISTRY', '')), /from `layerwise.buildArgs` \(as `--build-arg REGISTRY=…`\)/);
  });

  it('follows edits: the hints of the new version', async () => {
    const changed = client.waitForDiagnostics(uri, { version: 2 });
    await client.didChange(uri, 2, [{ range: { start: { line: 9, character: 9 }, end: { line: 9, character: 12 } }, text: 'test' }]);
    await changed;
    const some = await hints({ start: { line: 10, character: 0 }, end: { line: 10, character: 200 } });
    assert.deepEqual(rows(some)[0], row(10, '"$MODE', '= test'));
  });

  it('each kind can be turned off', async () => {
    await configure({ buildArgs: BUILD_ARGS, inlayHints: { variables: false } });
    assert.deepEqual(rows(await hints()), EXPECTED_WITH_BUILD_ARGS.filter(([, , label]) => label.startsWith('→')));
    await configure({ buildArgs: BUILD_ARGS, inlayHints: { stages: false } });
    assert.deepEqual(rows(await hints()).filter(([, , label]) => label.startsWith('→')), []);
  });

  it('layerwise.layers.display moves the layer figures from the lenses to the end of the line, and back', async () => {
    const lenses = (): Promise<CodeLens[]> => client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const endOfFrom = { line: 3, character: LINES[3]!.length };
    const layerHint = async (): Promise<InlayHint | undefined> =>
      (await hints()).find((h) => h.position.line === endOfFrom.line && h.position.character === endOfFrom.character);

    // Default "lens": the daemon's state lens is above the first FROM, and nothing at the end of the line.
    await configure({});
    const lens = await until('the Docker state lens', async () => {
      const l = (await lenses()).find((x) => x.command?.title.startsWith('Docker not reachable'));
      return l;
    });
    assert.equal(lens.range.start.line, 3);
    assert.equal(await layerHint(), undefined);

    // "inline": the same title and command at the end of the instruction; no lens.
    await configure({ layers: { display: 'inline' } });
    assert.deepEqual(await lenses(), []);
    const inline = await until('the state at the end of the FROM line', async () => {
      const h = await layerHint();
      return h && Array.isArray(h.label) && h.label[0]!.value === lens.command!.title ? h : undefined;
    });
    assert.ok(Array.isArray(inline.label));
    assert.deepEqual(inline.label[0]!.command, lens.command);
    // New daemon data (here: Retry reads the daemon again) asks the editor for the hints again.
    const beforeRetry = refreshes;
    await client.request('workspace/executeCommand', { command: 'layerwise.docker.retry', arguments: [] });
    await until('workspace/inlayHint/refresh after the daemon was read again', () => (refreshes > beforeRetry ? true : undefined));

    // "both" shows it twice; "off" nowhere.
    await configure({ layers: { display: 'both' } });
    assert.ok((await lenses()).some((x) => x.command?.title === lens.command!.title));
    assert.ok(await layerHint());
    await configure({ layers: { display: 'off' } });
    assert.deepEqual(await lenses(), []);
    assert.equal(await layerHint(), undefined);
    assert.deepEqual(rows(await hints()), EXPECTED_DEFAULT.map((r) => (r[0] === 10 && r[2] === '= dev' ? [r[0], r[1], '= test'] : r)) as Row[]);
  });
});

describe('inline re-run shares from the cache model', () => {
  let r: GitRepo;
  let client: LspClient;
  let uri: string;
  const text = ['FROM node:20-slim', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', ''].join('\n');

  before(async () => {
    r = GitRepo.create('lw-inlay-cache-');
    r.commit('init', { Dockerfile: text, 'package.json': '{}', 'index.js': '1' });
    r.commit('source', { 'index.js': '2' });
    uri = pathToFileURL(r.path('Dockerfile')).href;
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: r.dir, XDG_CACHE_HOME: r.dir, DOCKER_HOST: `unix://${r.path('no-docker.sock')}` },
      settings: { layerwise: { cache: { codeLens: true }, layers: { display: 'both' } } },
    });
    await client.initialize({ rootUri: pathToFileURL(r.dir).href });
    await client.didOpen(uri, text, 1);
  });
  after(async () => {
    await client?.shutdown();
    r?.remove();
  });

  it('the end of each instruction shows the same figures as its lenses', async () => {
    const titles = (await until('the re-run lenses', async () => {
      const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      return lenses.some((l) => l.command?.title.startsWith('re-runs')) ? lenses : undefined;
    })).map((l) => [l.range.start.line, l.command!.title] as const);
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } } });
    const lines = text.split('\n');
    const inline = hints.map((h) => [h.position.line, h.position.character, typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')]);
    const expected = [0, 1, 2, 3].map((line) => [line, lines[line]!.length, titles.filter(([l]) => l === line).map(([, t]) => t).join(' | ')]);
    assert.deepEqual(inline, expected);
    assert.match(String(expected[3]![2]), /re-runs on \d+% of commits/);
  });
});

describe('a client without inline hints (Neovim 0.7)', () => {
  let dir: string;
  let client: LspClient;
  let uri: string;
  let inlayRefreshes = 0;
  let lensRefreshes = 0;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-inlay-none-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), FIXTURE);
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` },
    });
    client.connection.onRequest('workspace/inlayHint/refresh', () => {
      inlayRefreshes++;
      return null;
    });
    client.connection.onRequest('workspace/codeLens/refresh', () => {
      lensRefreshes++;
      return null;
    });
    // Neovim 0.7 announces no textDocument.inlayHint and no workspace.inlayHint.
    const capabilities = { ...DEFAULT_CLIENT_CAPABILITIES, workspace: { ...DEFAULT_CLIENT_CAPABILITIES.workspace, codeLens: { refreshSupport: true } } };
    await client.initialize({ capabilities, rootUri: pathToFileURL(dir).href });
    await client.didOpen(uri, FIXTURE, 1);
  });
  after(async () => {
    await client?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its lenses and is never sent workspace/inlayHint/refresh', async () => {
    const lenses = await until('the Docker state lens', async () => {
      const l = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      return l.some((x) => x.command?.title.startsWith('Docker not reachable')) ? l : undefined;
    });
    assert.equal(lenses[0]!.range.start.line, 3);
    const before = lensRefreshes;
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    // The server queues an inlay refresh (if any) before this CodeLens refresh, so it would have come first.
    await until('workspace/codeLens/refresh after the settings change', () => (lensRefreshes > before ? true : undefined));
    assert.equal(inlayRefreshes, 0);
  });
});

describe('a client that resolves tooltips (VS Code)', () => {
  let dir: string;
  let client: LspClient;
  let uri: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-inlay-resolve-'));
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` },
    });
    const capabilities = {
      ...DEFAULT_CLIENT_CAPABILITIES,
      textDocument: { ...DEFAULT_CLIENT_CAPABILITIES.textDocument, inlayHint: { resolveSupport: { properties: ['tooltip', 'textEdits', 'label.tooltip', 'label.location', 'label.command'] } } },
    };
    const init = await client.initialize({ capabilities, rootUri: pathToFileURL(dir).href });
    assert.deepEqual(init.capabilities.inlayHintProvider, { resolveProvider: true });
    await client.didOpen(uri, FIXTURE, 1);
  });
  after(async () => {
    await client?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends the same hints without their explanations, and resolves each to the tooltip a client without resolve gets', async () => {
    const all = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: WHOLE });
    assert.deepEqual(rows(all), EXPECTED_DEFAULT);
    const values = all.filter((h) => typeof h.label === 'string');
    assert.ok(values.every((h) => h.tooltip === undefined && (h.data as { version: number }).version === 1));
    const token = values.find((h) => h.position.line === 10 && label_(h) === '= ?')!;
    const resolved = await client.request<InlayHint>('inlayHint/resolve', token);
    assert.match((resolved.tooltip as MarkupContent).value, /declared before the first FROM \(line 3\) and not declared again in this stage/);
    assert.deepEqual({ ...resolved, tooltip: undefined }, { ...token, tooltip: undefined });
  });
});

function label_(h: InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}
