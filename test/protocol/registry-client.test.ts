import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../server/src/cli';
import { RegistryClient, RegistryError } from '../../server/src/registry/client';
import { registryCredentials } from '../../server/src/registry/credentials';
import { imageInfo } from '../../server/src/registry/image-info';
import { parseReference, type ImageReference } from '../../server/src/registry/reference';
import { startRegistry, type RegistryHandle } from '../support/registry';
import { htpasswdAuth, Pusher, registryFaultProxy, startTokenServer, type Pushed, type RegistryFaultProxy, type TokenServer } from '../support/registry-fixtures';

/**
 * The registry client and the image-info engine against Debian's docker-registry on 127.0.0.1:
 * images, indexes and tags pushed by the test through the distribution API, read back with no
 * authentication, behind a token server of the test's own, and behind htpasswd (bcrypt). Every
 * figure is compared with what was pushed and what the registry serves; faults a registry does
 * not give on demand (429, garbage, silence) come from a proxy in front of it.
 */

const ref = (text: string): ImageReference => {
  const r = parseReference(text);
  assert.ok(r.ok, text);
  return r.ref;
};

const AMD64 = { os: 'linux', architecture: 'amd64' };

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RegistryError, `a RegistryError, not ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('registry client on a real registry without authentication', () => {
  let registry: RegistryHandle | undefined;
  let skip: string | undefined;
  const pushed: Record<string, Pushed> = {};
  before(async () => {
    const r = await startRegistry();
    if (!r.ok) return void (skip = r.reason);
    registry = r.registry;
    const push = new Pusher(`http://${registry.host}`);
    const line = (amd: number[]) => [
      { ...AMD64, layers: amd },
      { os: 'linux', architecture: 'arm64', variant: 'v8', layers: [1500, 700] },
      { os: 'linux', architecture: 'arm', variant: 'v7', layers: [900, 900, 900] },
    ];
    pushed['3.19.1'] = await push.push('lib/base', '3.19.1', line([3000, 2000]), { attestation: true });
    pushed['3.19.2'] = await push.push('lib/base', '3.19.2', line([3100, 2000]), { oci: true });
    pushed['3.19.4'] = await push.push('lib/base', '3.19.4', line([3200, 2100]));
    pushed['3.20.0'] = await push.push('lib/base', '3.20.0', line([4000]));
    pushed['3.19.1-slim'] = await push.push('lib/base', '3.19.1-slim', line([1200, 300]), { oci: true });
    pushed['3.19.1-alpine'] = await push.push('lib/base', '3.19.1-alpine', [{ ...AMD64, layers: [800] }]);
    pushed['3.19.1-fat'] = await push.push('lib/base', '3.19.1-fat', line([9000, 2000]));
    pushed['3.19.1-distroless'] = await push.push('lib/base', '3.19.1-distroless', [{ os: 'linux', architecture: 'arm64', variant: 'v8', layers: [100] }]);
    pushed['latest'] = await push.push('lib/base', 'latest', line([4000]));
  });
  after(() => registry?.stop());

  it('reads every platform of an index as the registry serves it', async (t) => {
    if (skip) return t.skip(skip);
    const client = new RegistryClient();
    const info = await imageInfo(client, ref(`${registry!.host}/lib/base:3.19.1`), { platform: AMD64 });
    assert.equal(info.digest, pushed['3.19.1']!.digest);
    assert.equal(info.digest, await registry!.manifestDigest('lib/base', '3.19.1'));
    // The attestation entry (unknown/unknown) is no platform.
    assert.deepEqual(info.platforms, pushed['3.19.1']!.platforms);
    assert.deepEqual(info.target, pushed['3.19.1']!.platforms[0]);
    assert.equal(info.targetPlatform, 'linux/amd64');
  });

  it('names the newer tags of the line and the smaller variants, measured for the target platform', async (t) => {
    if (skip) return t.skip(skip);
    const info = await imageInfo(new RegistryClient(), ref(`${registry!.host}/lib/base:3.19.1`), { platform: AMD64 });
    const size = (tag: string) => pushed[tag]!.platforms[0]!.compressedSize;
    assert.deepEqual(
      info.newerTags.map((n) => [n.tag, n.compressedSize, n.digest]),
      ['3.19.4', '3.19.2'].map((tag) => [tag, size(tag), pushed[tag]!.digest]),
    );
    // -fat is larger and -distroless has no amd64: neither is offered; alpine changes the libc.
    assert.deepEqual(
      info.variants.map((v) => [v.tag, v.compressedSize, v.mayChangeBehaviour]),
      [
        ['3.19.1-alpine', size('3.19.1-alpine'), 'musl instead of glibc'],
        ['3.19.1-slim', size('3.19.1-slim'), undefined],
      ],
    );
  });

  it('measures another platform and variant (arm/v7, arm64 without a variant)', async (t) => {
    if (skip) return t.skip(skip);
    const client = new RegistryClient();
    const arm = await imageInfo(client, ref(`${registry!.host}/lib/base:3.19.4`), { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, candidates: false, allPlatforms: false });
    assert.deepEqual(arm.platforms, [pushed['3.19.4']!.platforms[2]]);
    assert.deepEqual(arm.target, pushed['3.19.4']!.platforms[2]);
    const arm64 = await imageInfo(client, ref(`${registry!.host}/lib/base:3.19.4`), { platform: { os: 'linux', architecture: 'arm64' }, candidates: false });
    assert.deepEqual(arm64.target, pushed['3.19.4']!.platforms[1]);
  });

  it('reads a single-platform manifest, its platform from the config, and a reference by digest', async (t) => {
    if (skip) return t.skip(skip);
    const client = new RegistryClient();
    const info = await imageInfo(client, ref(`${registry!.host}/lib/base:3.19.1-alpine`), { platform: AMD64, candidates: false });
    assert.deepEqual(info.platforms, pushed['3.19.1-alpine']!.platforms);
    assert.deepEqual(info.target, pushed['3.19.1-alpine']!.platforms[0]);
    const byDigest = await imageInfo(client, ref(`${registry!.host}/lib/base@${pushed['3.19.2']!.digest}`), { platform: AMD64 });
    assert.equal(byDigest.digest, pushed['3.19.2']!.digest);
    assert.deepEqual(byDigest.platforms, pushed['3.19.2']!.platforms);
    // A stale pin: the tag is asked, so the digest is the tag's now.
    const pinned = await imageInfo(client, ref(`${registry!.host}/lib/base:3.19.4@${pushed['3.19.2']!.digest}`), { platform: AMD64, candidates: false });
    assert.equal(pinned.digest, pushed['3.19.4']!.digest);
  });

  it('Docker Hub references go to the registry-mirrors in order: a closed mirror is skipped for the next (no request leaves loopback)', async (t) => {
    if (skip) return t.skip(skip);
    const hub = await new Pusher(`http://${registry!.host}`).push('library/lwmirror', '1.0', [{ ...AMD64, layers: [600, 400] }]);
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const logs: string[] = [];
    const client = new RegistryClient({ mirrors: [`http://127.0.0.1:${closed}`, `http://${registry!.host}/`], log: (m) => logs.push(m) });
    const info = await imageInfo(client, ref('lwmirror:1.0'), { platform: AMD64, candidates: false });
    assert.equal(info.digest, hub.digest);
    assert.deepEqual(info.target, hub.platforms[0]);
    assert.ok(logs.some((m) => m.includes(`127.0.0.1:${closed}`) && m.includes('trying the next')), logs.join('\n'));
  });

  it('layerwise image-info --json prints what the registry serves; --help; failures exit 1 with the reason', async (t) => {
    if (skip) return t.skip(skip);
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['image-info', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const r = await run('--platform', 'linux/arm64', '--json', `${registry!.host}/lib/base:3.19.1`);
    assert.equal(r.code, 0, r.err);
    const size = (tag: string) => pushed[tag]!.platforms[1]!.compressedSize;
    assert.deepEqual(JSON.parse(r.out), {
      reference: `${registry!.host}/lib/base:3.19.1`,
      digest: pushed['3.19.1']!.digest,
      targetPlatform: 'linux/arm64/v8',
      platforms: pushed['3.19.1']!.platforms,
      newerTags: ['3.19.4', '3.19.2'].map((tag) => ({ tag, compressedSize: size(tag) })),
      // On arm64 -slim is no smaller (its arm64 layers are the same) and -alpine has no arm64;
      // -distroless has arm64 and no shell.
      variants: [{ tag: '3.19.1-distroless', compressedSize: pushed['3.19.1-distroless']!.platforms[0]!.compressedSize, mayChangeBehaviour: 'no shell' }],
    });
    const tty = await run('--platform=linux/amd64', `${registry!.host}/lib/base:3.19.1`);
    assert.equal(tty.code, 0);
    assert.match(tty.out, new RegExp(`\\* linux/amd64 +5\\.\\d+ kB +2 layers  ${pushed['3.19.1']!.platforms[0]!.digest}`));
    assert.match(tty.out, /smaller +3\.19\.1-alpine \(\d+ B; may change behaviour: musl instead of glibc\), 3\.19\.1-slim/);
    const help = await run('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: layerwise image-info \[--platform P\] \[--json\]/);
    const missing = await run(`${registry!.host}/lib/base:0.0.1`);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /not-found: .*404/);
    assert.equal((await run('--platform', 'nonsense/x/y/z', 'alpine')).code, 2);
    assert.equal((await run()).code, 2);
  });

  it('layerwise lint --registry: a pin the tag moved away from is found; without the flag nothing is asked', async (t) => {
    if (skip) return t.skip(skip);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-lint-registry-'));
    try {
      const file = path.join(dir, 'Dockerfile');
      fs.writeFileSync(file, `FROM ${registry!.host}/lib/base:3.19.1@${pushed['3.19.2']!.digest}\nFROM ${registry!.host}/lib/base:3.19.4@${pushed['3.19.4']!.digest}\n`);
      const lint = async (...flags: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        await runCli(['lint', '--format', 'json', ...flags, file], { out: (s) => out.push(s), err: (s) => err.push(s) });
        return { findings: JSON.parse(out.join('\n')) as { rule: string; line: number; message: string }[], err: err.join('\n') };
      };
      const without = await lint();
      assert.deepEqual(without.findings.filter((f) => f.rule === 'base-image-digest-stale'), []);
      const withFlag = await lint('--registry');
      const stale = withFlag.findings.filter((f) => f.rule === 'base-image-digest-stale');
      assert.deepEqual(stale.map((f) => f.line), [1], withFlag.err);
      assert.ok(stale[0]!.message.includes(pushed['3.19.1']!.digest.slice(0, 19)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says why: not found, down, too large', async (t) => {
    if (skip) return t.skip(skip);
    const client = new RegistryClient();
    const missing = await failure(imageInfo(client, ref(`${registry!.host}/lib/base:9.9.9`)));
    assert.equal(missing.kind, 'not-found');
    assert.match(missing.message, /404/);
    assert.equal((await failure(imageInfo(client, ref(`${registry!.host}/lib/nothing:1`)))).kind, 'not-found');
    const small = await failure(imageInfo(new RegistryClient({ maxBytes: 100 }), ref(`${registry!.host}/lib/base:3.19.1`)));
    assert.equal(small.kind, 'too-large');
  });
});

describe('registry faults through a proxy', () => {
  let registry: RegistryHandle | undefined;
  let proxy: RegistryFaultProxy | undefined;
  let skip: string | undefined;
  before(async () => {
    const r = await startRegistry();
    if (!r.ok) return void (skip = r.reason);
    registry = r.registry;
    await new Pusher(`http://${registry.host}`).push('app', '1.0.0', [{ ...AMD64, layers: [10] }]);
    proxy = await registryFaultProxy(`http://${registry.host}`);
  });
  after(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  it('429 with Retry-After, garbage, silence, 500; a closed port is offline', async (t) => {
    if (skip) return t.skip(skip);
    const client = new RegistryClient({ timeoutMs: 800 });
    const app = ref(`${proxy!.host}/app:1.0.0`);
    assert.equal((await imageInfo(client, app, { platform: AMD64 })).platforms[0]!.compressedSize > 10, true);
    proxy!.rules.splice(0, Infinity, { path: /manifests/, fault: '429', retryAfter: '7' });
    const limited = await failure(imageInfo(client, app));
    assert.deepEqual([limited.kind, limited.status, limited.retryAfterMs], ['rate-limited', 429, 7000]);
    assert.match(limited.message, /retry after 7 s.*pull rate limit/);
    proxy!.rules.splice(0, Infinity, { path: /manifests/, fault: 'garbage' });
    assert.equal((await failure(imageInfo(client, app))).kind, 'garbage');
    proxy!.rules.splice(0, Infinity, { path: /manifests/, fault: 'hang' });
    const hung = await failure(imageInfo(client, app));
    assert.equal(hung.kind, 'timeout');
    assert.match(hung.message, /800 ms/);
    proxy!.rules.splice(0, Infinity, { path: /manifests/, fault: 'slow' });
    assert.equal((await failure(imageInfo(client, app))).kind, 'timeout');
    proxy!.rules.splice(0, Infinity, { path: /manifests/, fault: '500' });
    assert.deepEqual([(await failure(imageInfo(client, app))).kind, (await failure(imageInfo(client, app))).status], ['server', 500]);
    proxy!.rules.splice(0, Infinity);
    const port = registry!.host.split(':')[1];
    await registry!.stop();
    registry = undefined;
    const down = await failure(imageInfo(client, ref(`127.0.0.1:${port}/app:1.0.0`)));
    assert.equal(down.kind, 'offline');
    assert.match(down.message, /ECONNREFUSED/);
  });
});

describe('registry client behind token authentication', () => {
  let registry: RegistryHandle | undefined;
  let tokens: TokenServer | undefined;
  let skip: string | undefined;
  let pushed: Pushed | undefined;
  let home: string;
  before(async () => {
    tokens = await startTokenServer({ users: { alice: 'wonderland', pusher: 'p' }, anonymousPull: false, refreshTokens: { 'rt-alice': 'alice' } });
    const r = await startRegistry({ config: tokens.config });
    if (!r.ok) return void (skip = r.reason);
    registry = r.registry;
    pushed = await new Pusher(`http://${registry.host}`, (repo) => tokens!.pushHeader(repo)).push('team/app', '2.1.0', [
      { ...AMD64, layers: [4096, 512] },
      { os: 'linux', architecture: 'arm64', variant: 'v8', layers: [4000] },
    ]);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-dockercfg-'));
  });
  after(async () => {
    await registry?.stop();
    await tokens?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('anonymous: the token server refuses pull, and the client says 401', async (t) => {
    if (skip) return t.skip(skip);
    const e = await failure(imageInfo(new RegistryClient(), ref(`${registry!.host}/team/app:2.1.0`)));
    assert.equal(e.kind, 'unauthorized');
    assert.ok(tokens!.requests.includes('- repository:team/app:pull'), tokens!.requests.join('\n'));
  });

  it('with the credentials of ~/.docker/config.json auths: a token for pull, every figure as pushed', async (t) => {
    if (skip) return t.skip(skip);
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ auths: { [registry!.host]: { auth: Buffer.from('alice:wonderland').toString('base64') } } }));
    const env = { ...process.env, DOCKER_CONFIG: home };
    const client = new RegistryClient({ credentials: (r) => registryCredentials(r, { env }) });
    const info = await imageInfo(client, ref(`${registry!.host}/team/app:2.1.0`), { platform: AMD64 });
    assert.equal(info.digest, pushed!.digest);
    assert.deepEqual(info.platforms, pushed!.platforms);
    assert.ok(tokens!.requests.includes('alice repository:team/app:pull'));
  });

  /** A `docker-credential-<name>` of the test's own that answers for the test registry only; the env that puts it on PATH. */
  const credentialHelper = (name: string, username: string, secret: string): NodeJS.ProcessEnv => {
    const bin = path.join(home, `bin-${name}`);
    fs.mkdirSync(bin, { recursive: true });
    const answer = `'{"ServerURL":"'$server'","Username":"${username}","Secret":"${secret}"}'`;
    fs.writeFileSync(path.join(bin, `docker-credential-${name}`), `#!/bin/sh\nread server\n[ "$server" = "${registry!.host}" ] || exit 1\necho ${answer}\n`, { mode: 0o755 });
    return { ...process.env, DOCKER_CONFIG: home, PATH: `${bin}:${process.env.PATH}` };
  };

  for (const [title, config] of [
    ['with a credential helper (credHelpers → docker-credential-<name> get)', (): object => ({ credHelpers: { [registry!.host]: 'lwtest' } })],
    ['with a credential store for every registry (credsStore → docker-credential-<name> get)', (): object => ({ credsStore: 'lwtest' })],
  ] as const) {
    it(title, async (t) => {
      if (skip) return t.skip(skip);
      const env = credentialHelper('lwtest', 'alice', 'wonderland');
      fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify(config()));
      assert.deepEqual(await registryCredentials(registry!.host, { env }), { username: 'alice', password: 'wonderland' });
      const before = tokens!.requests.length;
      const info = await imageInfo(new RegistryClient({ credentials: (r) => registryCredentials(r, { env }) }), ref(`${registry!.host}/team/app:2.1.0`), { platform: AMD64, candidates: false });
      assert.deepEqual(info.target, pushed!.platforms[0]);
      assert.ok(tokens!.requests.slice(before).includes('alice repository:team/app:pull'));
    });
  }

  it('with an identity token (auths identitytoken, or a helper answering "<token>"): exchanged at the realm by the refresh-token grant, never sent as Basic', async (t) => {
    if (skip) return t.skip(skip);
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ auths: { [registry!.host]: { identitytoken: 'rt-alice' } } }));
    const env = { ...process.env, DOCKER_CONFIG: home };
    assert.deepEqual(await registryCredentials(registry!.host, { env }), { username: '', password: '', identityToken: 'rt-alice' });
    let before = tokens!.requests.length;
    const info = await imageInfo(new RegistryClient({ credentials: (r) => registryCredentials(r, { env }) }), ref(`${registry!.host}/team/app:2.1.0`), { platform: AMD64, candidates: false });
    assert.deepEqual(info.target, pushed!.platforms[0]);
    assert.ok(tokens!.requests.slice(before).includes('alice (refresh) repository:team/app:pull'), tokens!.requests.slice(before).join('\n'));

    const helperEnv = credentialHelper('lwtoken', '<token>', 'rt-alice');
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ credsStore: 'lwtoken' }));
    before = tokens!.requests.length;
    await imageInfo(new RegistryClient({ credentials: (r) => registryCredentials(r, { env: helperEnv }) }), ref(`${registry!.host}/team/app:2.1.0`), { platform: AMD64, candidates: false });
    assert.ok(tokens!.requests.slice(before).includes('alice (refresh) repository:team/app:pull'), tokens!.requests.slice(before).join('\n'));

    const e = await failure(imageInfo(new RegistryClient({ credentials: async () => ({ username: '', password: '', identityToken: 'revoked' }) }), ref(`${registry!.host}/team/app:2.1.0`), { candidates: false }));
    assert.equal(e.kind, 'unauthorized');
  });

  it('wrong credentials: the token server refuses, and the client says so', async (t) => {
    if (skip) return t.skip(skip);
    const e = await failure(imageInfo(new RegistryClient({ credentials: async () => ({ username: 'alice', password: 'nope' }) }), ref(`${registry!.host}/team/app:2.1.0`)));
    assert.equal(e.kind, 'unauthorized');
    assert.match(e.message, /token from .*401.*wrong user or password/);
  });
});

describe('registry client behind htpasswd (basic authentication, bcrypt)', () => {
  let registry: RegistryHandle | undefined;
  let skip: string | undefined;
  let pushed: Pushed | undefined;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-htpasswd-'));
    let auth: { config: string[] };
    try {
      auth = htpasswdAuth(dir, 'bob', 'builder');
    } catch (e) {
      return void (skip = `no htpasswd (apt-get install apache2-utils): ${(e as Error).message}`);
    }
    const r = await startRegistry({ config: auth.config });
    if (!r.ok) return void (skip = r.reason);
    registry = r.registry;
    const basic = `Basic ${Buffer.from('bob:builder').toString('base64')}`;
    pushed = await new Pusher(`http://${registry.host}`, () => basic).push('private/tool', '0.3.1', [{ ...AMD64, layers: [2222, 333] }]);
  });
  after(async () => {
    await registry?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without credentials: 401, with them: every figure as pushed', async (t) => {
    if (skip) return t.skip(skip);
    const r = ref(`${registry!.host}/private/tool:0.3.1`);
    assert.equal((await failure(imageInfo(new RegistryClient(), r))).kind, 'unauthorized');
    const info = await imageInfo(new RegistryClient({ credentials: async () => ({ username: 'bob', password: 'builder' }) }), r, { platform: AMD64 });
    assert.equal(info.digest, pushed!.digest);
    assert.deepEqual(info.platforms, pushed!.platforms);
    const wrong = await failure(imageInfo(new RegistryClient({ credentials: async () => ({ username: 'bob', password: 'x' }) }), r));
    assert.equal(wrong.kind, 'unauthorized');
  });
});

describe('registry client through HTTP_PROXY (undici ProxyAgent)', () => {
  it('reaches an insecure registry by a name only the proxy resolves, and never proxies loopback', async (t) => {
    const r = await startRegistry();
    if (!r.ok) return t.skip(r.reason);
    const registry = r.registry;
    const port = registry.host.split(':')[1]!;
    const seen: string[] = [];
    // A forward proxy on loopback: CONNECT tunnels and absolute-form requests, `registry.lw-test` → the registry.
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const u = new URL(req.url!);
      const up = http.request({ host: '127.0.0.1', port, method: req.method, path: u.pathname + u.search, headers: req.headers }, (x) => {
        res.writeHead(x.statusCode ?? 502, x.headers);
        x.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
      seen.push(`CONNECT ${req.url}`);
      const up = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.pipe(socket).pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    try {
      const pushed = await new Pusher(`http://${registry.host}`).push('via/proxy', '1.0.0', [{ ...AMD64, layers: [64, 32] }]);
      const env = { HTTP_PROXY: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, NO_PROXY: 'other.example' };
      const client = new RegistryClient({ env, insecureRegistries: [`registry.lw-test:${port}`] });
      const info = await imageInfo(client, ref(`registry.lw-test:${port}/via/proxy:1.0.0`), { platform: AMD64 });
      assert.deepEqual(info.platforms, pushed.platforms);
      assert.ok(seen.some((s) => s.includes(`registry.lw-test:${port}`)), seen.join('\n'));
      const before = seen.length;
      await imageInfo(new RegistryClient({ env }), ref(`${registry.host}/via/proxy:1.0.0`), { platform: AMD64 });
      assert.equal(seen.length, before, 'loopback is never proxied');
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((ok) => proxy.close(() => ok()));
      await registry.stop();
    }
  });
});
