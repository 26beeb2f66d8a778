import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as tar from 'tar-stream';
import type Docker from 'dockerode';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import type { DaemonClient } from '../../server/src/docker/client';
import { ImageFactsService, commandLineImageFacts } from '../../server/src/docker/image-facts';
import { ParsedDocument } from '../../server/src/engine/document';
import { lintDocument } from '../../server/src/engine/lint';
import { initShellParser } from '../../server/src/model/shell';
import { runCli } from '../../server/src/cli';
import { testDaemon, unsupportedOn } from '../support/daemon';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';
import { startRegistry, type RegistryHandle } from '../support/registry';
import { connect, countingProxy, removeImage, RUN_ID } from './docker-fixtures';
import { until } from '../support/until';

/**
 * The rules that read the local daemon, against the private daemon: an image loaded with an arm64
 * config on an amd64 daemon (InvalidBaseImagePlatform), and an image pushed to a private registry,
 * which gives it a RepoDigest that base-image-digest's fix pins FROM to, through the real server.
 */

const daemon = testDaemon();
const SERVER = path.resolve('server/out/server.js');
const ARM64_IMAGE = `layerwise-test/arm64-base:${RUN_ID}`;

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

async function tarOf(entries: { name: string; data: Buffer | string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, mode: 0o644, mtime: new Date(0) }, e.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** A one-file image whose config says linux/arm64/v8, as `docker save` on an Apple Silicon Mac would give. */
async function loadArm64Image(docker: Docker, tag: string): Promise<void> {
  const layer = await tarOf([{ name: 'hello.txt', data: `built for arm64 ${RUN_ID}\n` }]);
  const diffId = `sha256:${sha256(layer)}`;
  const config = JSON.stringify({
    architecture: 'arm64',
    variant: 'v8',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: { Cmd: ['/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: 'COPY hello.txt / # layerwise test' }],
  });
  const configName = `${sha256(config)}.json`;
  const layerName = `${sha256(layer)}/layer.tar`;
  const archive = await tarOf([
    { name: configName, data: config },
    { name: layerName, data: layer },
    { name: 'manifest.json', data: JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: [layerName] }]) },
  ]);
  const stream = await docker.loadImage(archive as unknown as NodeJS.ReadableStream, { quiet: true });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
}

function modelOf(text: string) {
  return new ParsedDocument('file:///work/Dockerfile', 1, text).model();
}

function platformFindings(text: string, facts: { images?: ReadonlyMap<string, unknown>; daemonPlatform?: unknown }): Diagnostic[] {
  return lintDocument(new ParsedDocument('file:///work/Dockerfile', 1, text), DEFAULT_SETTINGS, facts as never).filter((d) => d.code === 'invalid-base-image-platform');
}

describe('base image facts from the private daemon', { skip: daemon.skip }, () => {
  let client: DaemonClient;
  let docker: Docker;
  let daemonPlatform: { os: string; architecture: string };
  const host = daemon.host ?? '';

  before(async () => {
    await initShellParser();
    client = await connect(host);
    docker = await client.streaming();
    await ensureBusyboxImage(docker);
    await loadArm64Image(docker, ARM64_IMAGE);
    const v = await docker.version();
    daemonPlatform = { os: v.Os, architecture: v.Arch };
  });
  after(async () => {
    await removeImage(client, ARM64_IMAGE);
  });

  it('the loaded image is arm64 on an amd64 daemon (the premise)', async () => {
    const img = await docker.getImage(ARM64_IMAGE).inspect();
    assert.equal(img.Architecture, 'arm64');
    assert.equal(img.Os, 'linux');
    assert.equal(daemonPlatform.architecture, 'amd64', 'this test needs an amd64 daemon');
  });

  it('reads platform, id and absence from GET /images/{name}/json and the daemon platform from GET /version', async () => {
    const service = new ImageFactsService({ log: () => undefined, changed: () => undefined, watch: false });
    try {
      const facts = await service.complete(modelOf(`FROM ${ARM64_IMAGE}\nFROM ${BUSYBOX_IMAGE}\nFROM layerwise-test/absent:${RUN_ID}\nFROM scratch\n`), host);
      assert.equal(facts.error, undefined);
      assert.deepEqual(facts.daemonPlatform, daemonPlatform);
      const arm = await docker.getImage(ARM64_IMAGE).inspect();
      const bb = await docker.getImage(BUSYBOX_IMAGE).inspect();
      // Podman's image inspect names no variant.
      const variant = daemon.engine === 'podman' ? {} : { variant: 'v8' };
      assert.deepEqual(facts.images?.get(ARM64_IMAGE), { id: arm.Id, os: 'linux', architecture: 'arm64', ...variant, repoDigests: [] });
      assert.deepEqual(facts.images?.get(BUSYBOX_IMAGE), { id: bb.Id, os: 'linux', architecture: 'amd64', repoDigests: [] });
      assert.equal(facts.images?.get(`layerwise-test/absent:${RUN_ID}`), null);
      assert.equal(facts.images?.size, 3);
    } finally {
      service.dispose();
    }
  });

  it('InvalidBaseImagePlatform: the arm64 base is reported, the amd64 one and a matching --platform are not', async () => {
    const service = new ImageFactsService({ log: () => undefined, changed: () => undefined, watch: false });
    try {
      const text = `FROM ${ARM64_IMAGE} AS a\nFROM ${BUSYBOX_IMAGE} AS b\nFROM --platform=linux/arm64 ${ARM64_IMAGE} AS c\n`;
      const facts = await service.complete(modelOf(text), host);
      const found = platformFindings(text, facts);
      assert.deepEqual(
        found.map((d) => [d.range.start.line, d.message.slice(0, d.message.indexOf(': the stage'))]),
        [[0, `Base image ${ARM64_IMAGE} was pulled with platform "linux/arm64/v8", expected "linux/amd64" for current build`]],
      );
      // Without facts, silence.
      assert.deepEqual(platformFindings(text, {}), []);
    } finally {
      service.dispose();
    }
  });

  it('lint first answers without facts, then changed() fires, and an image event (untag) updates them', async () => {
    const tag = `layerwise-test/arm64-moved:${RUN_ID}`;
    await docker.getImage(ARM64_IMAGE).tag({ repo: tag.split(':')[0], tag: RUN_ID });
    let changes = 0;
    const service = new ImageFactsService({ log: () => undefined, changed: () => changes++, eventDebounceMs: 50 });
    try {
      const text = `FROM ${tag}\n`;
      const first = service.current(modelOf(text), { ...DEFAULT_SETTINGS.docker, host });
      assert.equal(first.images?.size ?? 0, 0, 'nothing is known before the daemon answers');
      await until('facts', () => (changes > 0 ? true : undefined));
      const second = service.current(modelOf(text), { ...DEFAULT_SETTINGS.docker, host });
      assert.equal(second.images?.get(tag)?.architecture, 'arm64');
      assert.equal(platformFindings(text, second).length, 1);
      const before = changes;
      await removeImage(client, tag);
      await until('re-read after the untag event', () => (changes > before ? true : undefined));
      const third = service.current(modelOf(text), { ...DEFAULT_SETTINGS.docker, host });
      assert.equal(third.images?.get(tag), null);
      assert.deepEqual(platformFindings(text, third), []);
      // Off in the settings: nothing asked, nothing known; the lenses' setting has no say in it.
      assert.deepEqual(service.current(modelOf(text), { ...DEFAULT_SETTINGS.docker, host, baseImageChecks: false }), {});
      assert.notDeepEqual(service.current(modelOf(text), { ...DEFAULT_SETTINGS.docker, host, codeLens: false }), {});
    } finally {
      service.dispose();
      await removeImage(client, tag);
    }
  });

  it('typing asks the daemon once per reference: later lints answer from the cache', async () => {
    const proxy = await countingProxy(host.replace(/^unix:\/\//, ''));
    let changes = 0;
    const service = new ImageFactsService({ log: () => undefined, changed: () => changes++, watch: false });
    try {
      const settings = { ...DEFAULT_SETTINGS.docker, host: proxy.host };
      const model = modelOf(`FROM ${ARM64_IMAGE}\nFROM ${BUSYBOX_IMAGE}\n`);
      for (let i = 0; i < 20; i++) service.current(model, settings);
      await until('facts', () => (changes > 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      const inspects = (ref: string) => proxy.requests.filter((r) => r.includes(`/images/${encodeURIComponent(ref)}/json`)).length;
      assert.equal(inspects(ARM64_IMAGE), 1, proxy.requests.join('\n'));
      assert.equal(inspects(BUSYBOX_IMAGE), 1, proxy.requests.join('\n'));
      assert.equal(changes, 1);
      const seen = proxy.requests.length;
      for (let i = 0; i < 20; i++) assert.equal(service.current(model, settings).images?.get(ARM64_IMAGE)?.architecture, 'arm64');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(proxy.requests.length, seen, proxy.requests.slice(seen).join('\n'));
      // A FROM typed character by character asks about each reference, but an image that is not local is no news.
      for (const partial of ['layerwise-test/bu', 'layerwise-test/bus', 'layerwise-test/busy']) service.current(modelOf(`FROM ${partial}\n`), settings);
      await until('three more inspects', () => (proxy.requests.length >= seen + 3 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(changes, 1);
    } finally {
      service.dispose();
      await proxy.close();
    }
  });

  it('an unreachable daemon: rules stay silent, one log line, no retry per lint', async () => {
    const logs: string[] = [];
    let changes = 0;
    const service = new ImageFactsService({ log: (m) => logs.push(m), changed: () => changes++, client: { timeoutMs: 500 } });
    try {
      const settings = { ...DEFAULT_SETTINGS.docker, host: 'unix:///nonexistent/docker.sock' };
      const model = modelOf(`FROM ${ARM64_IMAGE}\n`);
      for (let i = 0; i < 5; i++) assert.deepEqual(service.current(model, settings).images?.size, 0);
      await until('the failure log', () => (logs.length ? true : undefined));
      for (let i = 0; i < 5; i++) service.current(model, settings);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(logs.length, 1, logs.join('\n'));
      assert.match(logs[0]!, /Base image facts unavailable .*no socket at this path/);
      assert.equal(changes, 0);
    } finally {
      service.dispose();
    }
  });

  it('layerwise lint --docker reports the arm64 base; without --docker it does not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-facts-cli-'));
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, `FROM ${ARM64_IMAGE}\nCMD ["/hello.txt"]\n`);
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = host;
    try {
      const run = async (args: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runCli(['lint', '--format', 'json', ...args, file], { out: (s) => out.push(s), err: (s) => err.push(s) });
        return { code, findings: JSON.parse(out.join('\n')) as { rule: string; line: number }[], err };
      };
      const withDocker = await run(['--docker']);
      assert.deepEqual(withDocker.findings.filter((f) => f.rule === 'invalid-base-image-platform').map((f) => f.line), [1]);
      assert.deepEqual(withDocker.err, []);
      const without = await run([]);
      assert.deepEqual(without.findings.filter((f) => f.rule === 'invalid-base-image-platform'), []);
      process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
      const down = await run(['--docker']);
      assert.deepEqual(down.findings.filter((f) => f.rule === 'invalid-base-image-platform'), []);
      assert.equal(down.err.length, 1);
      assert.match(down.err[0]!, /^layerwise: --docker: base image checks skipped: .*no socket/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('commandLineImageFacts asks once per reference', async () => {
    const facts = commandLineImageFacts(() => assert.fail('no warning expected'));
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = host;
    try {
      const a = await facts(modelOf(`FROM ${ARM64_IMAGE}\n`));
      assert.equal(a.images?.get(ARM64_IMAGE)?.architecture, 'arm64');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

// Podman and the containerd store list a digest for every name, pushed or not: none is taken from them (image-facts.ts).
const LOCAL_DIGESTS = 'its RepoDigests list unpushed local digests, so the digest-pin fix is not offered there';
const pinSkip = daemon.skip || unsupportedOn({ podman: LOCAL_DIGESTS, docker26: LOCAL_DIGESTS });
describe('pin FROM to the digest the local daemon has, through the real server and a private registry', { skip: pinSkip }, () => {
  let registry: RegistryHandle | undefined;
  let skipReason: string | undefined;
  let client: DaemonClient;
  let docker: Docker;
  let lsp: LspClient | undefined;
  let repo = '';
  const host = daemon.host ?? '';

  before(async () => {
    await initShellParser();
    const started = await startRegistry();
    if (!started.ok) {
      skipReason = started.reason;
      return;
    }
    registry = started.registry;
    client = await connect(host);
    docker = await client.streaming();
    await ensureBusyboxImage(docker);
    repo = `${registry.host}/lw-test/busybox`;
    await docker.getImage(BUSYBOX_IMAGE).tag({ repo, tag: '1' });
  });
  after(async () => {
    await lsp?.shutdown();
    if (registry) {
      await removeImage(client, `${repo}:1`);
      await registry.stop();
    }
  });

  it('pushes to the registry, and the fix pins FROM to the digest the registry serves', async (t) => {
    if (skipReason) return t.skip(skipReason);
    // Before the push the image has no digest in that repository: no fix to offer.
    assert.deepEqual((await docker.getImage(`${repo}:1`).inspect()).RepoDigests.filter((d) => d.startsWith(repo)), []);
    const stream = await docker.getImage(repo).push({ tag: '1', authconfig: {} });
    const pushed = await new Promise<{ aux?: { Digest?: string }; error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null, out: { aux?: { Digest?: string }; error?: string }[]) => (err ? reject(err) : resolve(out))),
    );
    assert.deepEqual(pushed.filter((p) => p.error), []);
    const served = await registry!.manifestDigest('lw-test/busybox', '1');
    assert.match(served ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(pushed.find((p) => p.aux?.Digest)?.aux?.Digest, served);
    assert.deepEqual((await docker.getImage(`${repo}:1`).inspect()).RepoDigests.filter((d) => d.startsWith(repo)), [`${repo}@${served}`]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-facts-pin-'));
    const text = `# the base, from the private registry\nFROM ${repo}:1 AS base\nRUN true\n`;
    fs.writeFileSync(path.join(dir, 'Dockerfile'), text);
    const uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-home-'));
    lsp = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: home, DOCKER_HOST: host },
      settings: { layerwise: { rules: { 'base-image-digest': 'info' }, docker: { codeLens: true } } },
    });
    await lsp.initialize({ capabilities: DEFAULT_CLIENT_CAPABILITIES, rootUri: pathToFileURL(dir).href });
    await lsp.didOpen(uri, text, 1);
    // Facts arrive after the first lint: the server publishes again for the same version.
    const withFix = await lsp.waitForDiagnostics(
      uri,
      (p) => p.version === 1 && p.diagnostics.some((d) => d.code === 'base-image-digest' && (d.data as { fixes: unknown[] }).fixes.length > 0),
      20_000,
    );
    const diagnostic = withFix.diagnostics.find((d) => d.code === 'base-image-digest')!;
    assert.equal(diagnostic.range.start.line, 1);
    const actions = await lsp.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    const pin = actions.find((a) => a.title.startsWith('Pin to sha256:'));
    assert.ok(pin, `no pin action among ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(pin.title, `Pin to ${served!.slice(0, 19)}…, the digest of the local ${repo}:1`);
    const edits = pin.edit!.changes?.[uri] ?? (pin.edit!.documentChanges as { edits: never[] }[] | undefined)?.[0]?.edits ?? [];
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'dockerfile', 1, text), edits);
    assert.equal(fixed, `# the base, from the private registry\nFROM ${repo}:1@${served} AS base\nRUN true\n`);
    // The pinned file builds from the same image: the daemon resolves the reference to it.
    assert.equal((await docker.getImage(`${repo}@${served}`).inspect()).Id, (await docker.getImage(BUSYBOX_IMAGE).inspect()).Id);
    // And the rule is satisfied by it.
    await lsp.didChange(uri, 2, [{ text: fixed }]);
    const after = await lsp.waitForDiagnostics(uri, { version: 2 });
    assert.deepEqual(after.diagnostics.filter((d) => d.code === 'base-image-digest'), []);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
