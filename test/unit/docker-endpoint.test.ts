import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tar from 'tar-stream';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/config';
import { chooseBuilder, contextTar, defaultTag, isTaggable, planBuild } from '../../server/src/docker/build';
import { classifyError, compareApiVersions, negotiateApiVersion, MAX_API_VERSION } from '../../server/src/docker/client';
import { resolveEndpoint, type DockerEndpoint, type EndpointEnvironment } from '../../server/src/docker/endpoint';
import { ParsedDocument } from '../../server/src/engine/document';
import { initShellParser } from '../../server/src/model/shell';

/** An environment with the given variables and files (path → text). */
function envOf(env: Record<string, string>, files: Record<string, string> = {}, platform: NodeJS.Platform = 'linux'): EndpointEnvironment {
  return {
    env,
    homedir: '/home/u',
    platform,
    readFile: (f) => files[f],
    exists: (f) => f in files,
  };
}

function resolved(setting: string, e: EndpointEnvironment): DockerEndpoint {
  const r = resolveEndpoint(setting, e);
  assert.ok(r.ok, JSON.stringify(r));
  return r.endpoint;
}

const contextMeta = (name: string, host: string, skipTls = false): [string, string] => [
  `/home/u/.docker/contexts/meta/${createHash('sha256').update(name).digest('hex')}/meta.json`,
  JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skipTls } } }),
];

describe('which daemon: endpoint resolution', () => {
  it('defaults to the platform socket', () => {
    const linux = resolved('', envOf({}));
    assert.deepEqual([linux.kind, linux.socketPath, linux.source], ['unix', '/var/run/docker.sock', 'default']);
    const win = resolved('', envOf({}, {}, 'win32'));
    assert.deepEqual([win.kind, win.socketPath], ['npipe', '//./pipe/docker_engine']);
  });

  it('DOCKER_HOST: unix, tcp, ssh, npipe and bare host:port', () => {
    assert.equal(resolved('', envOf({ DOCKER_HOST: 'unix:///run/d.sock' })).socketPath, '/run/d.sock');
    const tcp = resolved('', envOf({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }));
    assert.deepEqual([tcp.kind, tcp.hostname, tcp.port, tcp.tls, tcp.source], ['tcp', '10.0.0.5', 2375, undefined, 'DOCKER_HOST']);
    const ssh = resolved('', envOf({ DOCKER_HOST: 'ssh://me@build.example:2222' }));
    assert.deepEqual([ssh.kind, ssh.hostname, ssh.port, ssh.username, ssh.host], ['ssh', 'build.example', 2222, 'me', 'ssh://me@build.example:2222']);
    assert.equal(resolved('', envOf({ DOCKER_HOST: 'ssh://build.example' })).port, 22);
    assert.equal(resolved('', envOf({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' })).socketPath, '//./pipe/docker_engine');
    const bare = resolved('', envOf({ DOCKER_HOST: 'localhost:2375' }));
    assert.deepEqual([bare.kind, bare.hostname, bare.port], ['tcp', 'localhost', 2375]);
  });

  it('tcp with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const files = { '/certs/ca.pem': 'x', '/certs/cert.pem': 'x', '/certs/key.pem': 'x' };
    const e = resolved('', envOf({ DOCKER_HOST: 'tcp://docker.example', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, files));
    assert.equal(e.port, 2376);
    assert.deepEqual(e.tls, { verify: true, ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' });
    // Without DOCKER_CERT_PATH the certificates come from ~/.docker, as with the CLI.
    const home = resolved('', envOf({ DOCKER_HOST: 'tcp://docker.example:2376', DOCKER_TLS_VERIFY: '1' }, { '/home/u/.docker/ca.pem': 'x' }));
    assert.equal(home.tls?.ca, '/home/u/.docker/ca.pem');
    // DOCKER_TLS alone: TLS without verification.
    assert.equal(resolved('', envOf({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1' })).tls?.verify, false);
  });

  it('the setting wins over DOCKER_HOST and the context', () => {
    const [meta, json] = contextMeta('remote', 'tcp://remote:2375');
    const e = resolved('unix:///tmp/mine.sock', envOf({ DOCKER_HOST: 'tcp://other:2375' }, { '/home/u/.docker/config.json': '{"currentContext":"remote"}', [meta]: json }));
    assert.deepEqual([e.socketPath, e.source], ['/tmp/mine.sock', 'setting']);
  });

  it('the current docker context: config.json → contexts/meta/<sha256(name)>/meta.json, with its TLS files', () => {
    const [meta, json] = contextMeta('colima', 'unix:///home/u/.colima/default/docker.sock');
    const e = resolved('', envOf({}, { '/home/u/.docker/config.json': '{"auths":{},"currentContext":"colima"}', [meta]: json }));
    assert.equal(e.socketPath, '/home/u/.colima/default/docker.sock');
    assert.match(e.source, /^context "colima"/);

    const [meta2, json2] = contextMeta('prod', 'tcp://prod.example:2376');
    const tlsDir = `/home/u/.docker/contexts/tls/${createHash('sha256').update('prod').digest('hex')}/docker`;
    const files = { [meta2]: json2, [`${tlsDir}/ca.pem`]: 'x', [`${tlsDir}/cert.pem`]: 'x', [`${tlsDir}/key.pem`]: 'x' };
    const prod = resolved('', envOf({ DOCKER_CONTEXT: 'prod' }, files));
    assert.deepEqual([prod.hostname, prod.port, prod.tls?.verify, prod.tls?.ca], ['prod.example', 2376, true, `${tlsDir}/ca.pem`]);
  });

  it('DOCKER_CONFIG moves the config folder; the "default" context is the default socket', () => {
    const [, json] = contextMeta('x', 'unix:///x.sock');
    const id = createHash('sha256').update('x').digest('hex');
    const e = resolved('', envOf({ DOCKER_CONFIG: '/cfg' }, { '/cfg/config.json': '{"currentContext":"x"}', [`/cfg/contexts/meta/${id}/meta.json`]: json }));
    assert.equal(e.socketPath, '/x.sock');
    assert.equal(resolved('', envOf({ DOCKER_CONTEXT: 'default' })).socketPath, '/var/run/docker.sock');
  });

  it('explains what is wrong instead of guessing', () => {
    const missing = resolveEndpoint('', envOf({ DOCKER_CONTEXT: 'gone' }));
    assert.ok(!missing.ok && /docker context "gone" not found/.test(missing.error));
    const bad = resolveEndpoint('ftp://x', envOf({}));
    assert.ok(!bad.ok && /unsupported scheme/.test(bad.error));
    const junk = resolveEndpoint('tcp://', envOf({}));
    assert.ok(!junk.ok);
  });

  it('documents with the same endpoint share one key', () => {
    assert.equal(resolved('unix:///a.sock', envOf({})).key, resolved('', envOf({ DOCKER_HOST: 'unix:///a.sock' })).key);
    assert.notEqual(resolved('unix:///a.sock', envOf({})).key, resolved('unix:///b.sock', envOf({})).key);
  });
});

describe('API version negotiation', () => {
  it('uses the lower of the daemon version and ours', () => {
    assert.equal(negotiateApiVersion('1.41'), '1.41');
    assert.equal(negotiateApiVersion('1.43'), '1.43');
    assert.equal(negotiateApiVersion('1.52'), MAX_API_VERSION);
    assert.equal(compareApiVersions('1.9', '1.41'), -1);
    assert.equal(compareApiVersions('1.41', '1.41'), 0);
  });
});

describe('failure classification', () => {
  const ep = resolved('unix:///run/docker.sock', envOf({}));
  const kind = (e: unknown): string => classifyError(e, ep).kind;
  it('maps errno codes, HTTP statuses and timeouts to the states a lens shows', () => {
    assert.equal(kind(Object.assign(new Error('connect EACCES'), { code: 'EACCES' })), 'permission');
    assert.equal(kind(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' })), 'unreachable');
    assert.equal(kind(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'unreachable');
    assert.equal(kind(new Error('socket hang up')), 'unreachable');
    assert.equal(kind(Object.assign(new Error('(HTTP code 500) server error'), { statusCode: 500, json: { message: 'boom' } })), 'daemon');
    assert.match(classifyError(Object.assign(new Error('x'), { statusCode: 500, json: { message: 'boom' } }), ep).detail, /HTTP 500: boom/);
    assert.match(classifyError(Object.assign(new Error('x'), { code: 'EACCES' }), ep).detail, /docker" group/);
  });
});

describe('build plans', () => {
  before(async () => {
    await initShellParser();
  });
  const model = (text: string) => new ParsedDocument('file:///w/app/Dockerfile', 1, text).model();

  it('tags after the folder and the file when nothing names the image', () => {
    assert.equal(defaultTag('/w/My App/Dockerfile'), 'my-app:latest');
    assert.equal(defaultTag('/w/app/Dockerfile.dev'), 'app-dev:latest');
    assert.equal(defaultTag('/w/app/api.dockerfile'), 'app-api:latest');
    assert.equal(defaultTag('/___/Dockerfile'), 'layerwise-build:latest');
    for (const t of ['app:latest', 'registry.example:5000/team/app:1.2', 'a/b']) assert.ok(isTaggable(t), t);
    for (const t of ['App:latest', 'sha256:abc', 'app@sha256:abc', '']) assert.ok(!isTaggable(t), t);
  });

  it('takes image and target from the comment, then the settings, and checks the target exists', () => {
    const text = '# layerwise image=acme/app:dev target=build\nFROM busybox AS build\nFROM build AS final\n';
    const p = planBuild(model(text), '/w/app/Dockerfile', { image: '', target: '', builder: 'auto' }, { V: '1' });
    assert.ok(p.ok);
    assert.deepEqual(p.plan, { contextDir: '/w/app', dockerfile: 'Dockerfile', tag: 'acme/app:dev', target: 'build', buildArgs: { V: '1' }, builder: 'auto' });
    const s = planBuild(model('FROM busybox AS base\n'), '/w/app/Dockerfile', { image: 'x/y:z', target: 'BASE', builder: 'classic' }, {});
    assert.ok(s.ok && s.plan.tag === 'x/y:z' && s.plan.target === 'base' && s.plan.builder === 'classic');
    const bad = planBuild(model('FROM busybox\n'), '/w/app/Dockerfile', { image: '', target: 'nope', builder: 'auto' }, {});
    assert.ok(!bad.ok && /no stage named "nope"/.test(bad.error));
  });

  it('auto means BuildKit, except on Windows daemons', () => {
    assert.equal(chooseBuilder('auto', 'linux'), 'buildkit');
    assert.equal(chooseBuilder('auto', 'windows'), 'classic');
    assert.equal(chooseBuilder('classic', 'linux'), 'classic');
    assert.equal(chooseBuilder('auto', 'linux', 'podman'), 'classic');
  });
});

describe('the build context tar', () => {
  async function names(dir: string, dockerfile = 'Dockerfile'): Promise<Map<string, string>> {
    const { stream, stats } = contextTar(dir, dockerfile);
    const extract = tar.extract();
    const out = new Map<string, string>();
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => {
        out.set(header.name, header.type === 'symlink' ? `-> ${header.linkname}` : Buffer.concat(chunks).toString());
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.pipe(extract);
    });
    const st = await stats;
    assert.equal(st.files, [...out.entries()].filter(([n, v]) => !n.endsWith('/') && !v.startsWith('-> ')).length);
    return out;
  }

  it('sends what .dockerignore lets through, always the Dockerfile and the ignore file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-ctx-'));
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    write('Dockerfile', 'FROM scratch\n');
    write('.dockerignore', 'node_modules\n*.log\nsecrets/\ndocs/**\n!docs/keep.md\nDockerfile\n');
    write('src/app.js', 'app');
    write('node_modules/x/index.js', 'dep');
    write('debug.log', 'log');
    write('secrets/key', 'k');
    write('docs/a.md', 'a');
    write('docs/keep.md', 'keep');
    fs.symlinkSync('src/app.js', path.join(dir, 'link.js'));
    const got = await names(dir);
    assert.deepEqual(
      [...got.keys()].sort(),
      ['.dockerignore', 'Dockerfile', 'docs/', 'docs/keep.md', 'link.js', 'src/', 'src/app.js'].sort(),
    );
    assert.equal(got.get('src/app.js'), 'app');
    assert.equal(got.get('link.js'), '-> src/app.js');
  });

  it('reads <Dockerfile>.dockerignore beside a named Dockerfile first', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-ctx-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile.dev'), 'FROM scratch\n');
    fs.writeFileSync(path.join(dir, 'Dockerfile.dev.dockerignore'), 'big.bin\n');
    fs.writeFileSync(path.join(dir, '.dockerignore'), 'small.txt\n');
    fs.writeFileSync(path.join(dir, 'big.bin'), 'x');
    fs.writeFileSync(path.join(dir, 'small.txt'), 'y');
    const got = await names(dir, 'Dockerfile.dev');
    assert.ok(!got.has('big.bin'));
    assert.ok(got.has('small.txt'));
  });
});

describe('docker settings', () => {
  it('normalizes layerwise.docker.*', () => {
    assert.deepEqual(normalizeSettings({}).docker, DEFAULT_SETTINGS.docker);
    assert.deepEqual(normalizeSettings({ docker: { host: ' unix:///x ', image: 'a:b', target: 't', builder: 'classic', codeLens: false, baseImageChecks: false } }).docker, {
      host: 'unix:///x',
      image: 'a:b',
      target: 't',
      builder: 'classic',
      codeLens: false,
      baseImageChecks: false,
    });
    assert.deepEqual(normalizeSettings({ docker: { host: 3, builder: 'kaniko', codeLens: 'yes', baseImageChecks: 'no' } }).docker, DEFAULT_SETTINGS.docker);
  });
});
