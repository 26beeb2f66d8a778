import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { DaemonClient } from '../../server/src/docker/client';
import { resolveEndpoint } from '../../server/src/docker/endpoint';
import { LayerLensService, processEnvironment } from '../../server/src/docker/service';
import { ParsedDocument } from '../../server/src/engine/document';
import { initShellParser } from '../../server/src/model/shell';
import { testDaemon } from '../support/daemon';

/**
 * The same private daemon reached over tcp, over tcp with mutual TLS (DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH, certificates made here with openssl), and through a docker context, the way
 * remote daemons and Docker Desktop are reached. The tcp and TLS listeners are proxies in this
 * process that forward to the daemon's unix socket.
 */

const ONCE = 'the transports are the client\'s own (proxies in this process): run once, on Engine 20.10';
const daemon = testDaemon({ podman: ONCE, docker26: ONCE });
const socketPath = (daemon.host ?? '').replace(/^unix:\/\//, '');
const haveOpenssl = fs.existsSync('/usr/bin/openssl');

function forward(client: net.Socket): void {
  const upstream = net.connect(socketPath);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function env(vars: Record<string, string>, home = '/nonexistent') {
  const base = processEnvironment();
  return { ...base, env: vars, homedir: home };
}

describe('daemon transports', { skip: daemon.skip }, () => {
  const servers: net.Server[] = [];
  let tcpPort = 0;
  let tlsPort = 0;
  let certs = '';

  before(async () => {
    await initShellParser();
    const plain = net.createServer(forward);
    tcpPort = await listen(plain);
    servers.push(plain);
    if (haveOpenssl) {
      certs = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-certs-'));
      const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
      ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=layerwise-test-ca');
      fs.writeFileSync(path.join(certs, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
      fs.writeFileSync(path.join(certs, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
      for (const [name, ext] of [['server', 'server.ext'], ['client', 'client.ext']] as const) {
        ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
        ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', ext);
      }
      // DOCKER_CERT_PATH holds ca.pem, cert.pem, key.pem: the client's.
      fs.copyFileSync(path.join(certs, 'client.pem'), path.join(certs, 'cert.pem'));
      fs.copyFileSync(path.join(certs, 'client-key.pem'), path.join(certs, 'key.pem'));
      const secure = tls.createServer(
        {
          key: fs.readFileSync(path.join(certs, 'server-key.pem')),
          cert: fs.readFileSync(path.join(certs, 'server.pem')),
          ca: fs.readFileSync(path.join(certs, 'ca.pem')),
          requestCert: true,
          rejectUnauthorized: true,
        },
        forward,
      );
      tlsPort = await listen(secure);
      servers.push(secure);
    }
  });
  after(() => {
    for (const s of servers) s.close();
  });

  async function versionOver(vars: Record<string, string>, home?: string): Promise<DaemonClient> {
    const r = resolveEndpoint('', env(vars, home));
    assert.ok(r.ok, JSON.stringify(r));
    return DaemonClient.connect(r.endpoint, { timeoutMs: 5000 });
  }

  it('tcp://', async () => {
    const client = await versionOver({ DOCKER_HOST: `tcp://127.0.0.1:${tcpPort}` });
    assert.equal(client.endpoint.kind, 'tcp');
    assert.ok((await client.listImages()).length > 0);
  });

  it('tcp:// with TLS: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', { skip: haveOpenssl ? false : 'no openssl' }, async () => {
    const client = await versionOver({ DOCKER_HOST: `tcp://127.0.0.1:${tlsPort}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
    assert.equal(client.endpoint.tls?.verify, true);
    assert.ok((await client.listImages()).length > 0);
    // Without the client certificate the daemon (here: its TLS front) refuses us: a state, not a crash.
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-nocert-'));
    fs.copyFileSync(path.join(certs, 'ca.pem'), path.join(bare, 'ca.pem'));
    await assert.rejects(versionOver({ DOCKER_HOST: `tcp://127.0.0.1:${tlsPort}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: bare }), (e: Error & { kind?: string }) => e.kind === 'unreachable');
    // A certificate from another CA is not trusted.
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-othercert-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=other'], { cwd: other, stdio: 'ignore' });
    fs.copyFileSync(path.join(certs, 'cert.pem'), path.join(other, 'cert.pem'));
    fs.copyFileSync(path.join(certs, 'key.pem'), path.join(other, 'key.pem'));
    await assert.rejects(versionOver({ DOCKER_HOST: `tcp://127.0.0.1:${tlsPort}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: other }), /TLS|certificate/i);
  });

  it('the current docker context of ~/.docker/config.json', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-home-'));
    const id = createHash('sha256').update('lw-test').digest('hex');
    fs.mkdirSync(path.join(home, '.docker', 'contexts', 'meta', id), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'lw-test' }));
    fs.writeFileSync(
      path.join(home, '.docker', 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({ Name: 'lw-test', Metadata: {}, Endpoints: { docker: { Host: `tcp://127.0.0.1:${tcpPort}`, SkipTLSVerify: false } } }),
    );
    const client = await versionOver({}, home);
    assert.match(client.endpoint.source, /^context "lw-test"/);
    assert.ok((await client.listImages()).length > 0);
  });

  it('a tcp daemon that accepts and never answers: "not responding" within 3 s', async () => {
    const hang = net.createServer(() => undefined);
    const port = await listen(hang);
    servers.push(hang);
    const service = new LayerLensService({ log: () => undefined, refresh: () => undefined, environment: env({}) });
    try {
      const model = new ParsedDocument('file:///w/Dockerfile', 1, 'FROM busybox\n').model();
      const t0 = Date.now();
      const state = await service.lenses({ model, docker: { ...DEFAULT_SETTINGS.docker, host: `tcp://127.0.0.1:${port}` } });
      assert.equal(state.kind, 'error');
      assert.equal((state as { error: { kind: string } }).error.kind, 'timeout');
      assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
    } finally {
      service.dispose();
    }
  });
});
