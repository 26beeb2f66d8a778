import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DaemonClient, DockerError, infoFromPing } from '../../server/src/docker/client';
import { parseHost, type DockerEndpoint } from '../../server/src/docker/endpoint';

/**
 * API version negotiation through `_ping` (as the docker CLI does), with `/version` only as the
 * fallback. The endpoints here are small HTTP servers on private sockets, for what a real engine
 * does not do on demand: answer `/version` late (Podman under load), or not at all.
 */
describe('infoFromPing', () => {
  it("reads Docker Engine's headers", () => {
    assert.deepEqual(infoFromPing({ apiVersion: '1.41', osType: 'linux', server: 'Docker/20.10.24+dfsg1 (linux)' }), {
      apiVersion: '1.41',
      serverApiVersion: '1.41',
      engine: 'docker',
      engineVersion: '20.10.24+dfsg1',
      os: 'linux',
    });
  });
  it("reads Podman's headers (no OSType, a Libpod-Api-Version)", () => {
    assert.deepEqual(infoFromPing({ apiVersion: '1.41', server: 'Libpod/4.3.1 (linux)', libpodApiVersion: '4.3.1' }), {
      apiVersion: '1.41',
      serverApiVersion: '1.41',
      engine: 'podman',
      engineVersion: '4.3.1',
      os: 'linux',
    });
  });
  it('caps a newer daemon at the newest version this code speaks', () => {
    assert.equal(infoFromPing({ apiVersion: '1.99', osType: 'linux' })?.apiVersion, '1.47');
  });
  it('says nothing without an Api-Version header', () => {
    assert.equal(infoFromPing({ osType: 'linux' }), undefined);
    assert.equal(infoFromPing({ apiVersion: 'garbage' }), undefined);
  });
});

describe('DaemonClient.connect', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-negotiate-'));
  const servers: http.Server[] = [];
  after(() => {
    for (const s of servers) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serve(name: string, handler: (path: string, res: http.ServerResponse) => void): Promise<{ endpoint: DockerEndpoint; asked: string[] }> {
    const asked: string[] = [];
    const socketPath = path.join(dir, `${name}.sock`);
    const server = http.createServer((req, res) => {
      const p = (req.url ?? '').split('?')[0]!;
      asked.push(p);
      handler(p, res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const parsed = parseHost(`unix://${socketPath}`, 'setting', () => undefined);
    assert.ok(parsed.ok);
    return { endpoint: parsed.endpoint, asked };
  }
  const version = (res: http.ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ApiVersion: '1.41', Version: '4.3.1', Os: 'linux', Components: [{ Name: 'Podman Engine' }] }));
  };

  it('takes the version from _ping and never waits for a slow /version', async () => {
    const { endpoint, asked } = await serve('podman-like', (p, res) => {
      if (p === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.41', 'Libpod-Api-Version': '4.3.1', Server: 'Libpod/4.3.1 (linux)' });
        res.end('OK');
      } else if (p !== '/version') {
        res.writeHead(404).end();
      } // /version never answers
    });
    // A generous deadline: on a loaded machine the first call also loads dockerode within it.
    const client = await DaemonClient.connect(endpoint, { timeoutMs: 5_000 });
    assert.equal(client.info.engine, 'podman');
    assert.equal(client.info.apiVersion, '1.41');
    assert.deepEqual(asked, ['/_ping']);
  });

  it('falls back to /version when _ping names no version, with the longer deadline of a live daemon', async () => {
    const { endpoint, asked } = await serve('slow-version', (p, res) => {
      if (p === '/_ping') res.writeHead(200).end('OK');
      else if (p === '/version') setTimeout(() => version(res), 1_500);
      else res.writeHead(404).end();
    });
    const client = await DaemonClient.connect(endpoint, { timeoutMs: 1_400, callTimeoutMs: 10_000 }); // still under the 1.5 s /version takes
    assert.equal(client.info.engineVersion, '4.3.1');
    assert.equal(client.info.engine, 'podman');
    assert.deepEqual(asked, ['/_ping', '/version']);
  });

  it('falls back to /version when there is no _ping', async () => {
    const { endpoint, asked } = await serve('no-ping', (p, res) => (p === '/version' ? version(res) : res.writeHead(404).end('{"message":"page not found"}')));
    const client = await DaemonClient.connect(endpoint, { timeoutMs: 1_000 });
    assert.equal(client.info.serverApiVersion, '1.41');
    assert.deepEqual(asked, ['/_ping', '/version']);
  });

  it('calls an engine that does not answer _ping not responding, without asking /version', async () => {
    const { endpoint, asked } = await serve('hung', () => undefined);
    await assert.rejects(DaemonClient.connect(endpoint, { timeoutMs: 500 }), (e: unknown) => {
      assert.ok(e instanceof DockerError);
      assert.equal(e.kind, 'timeout');
      assert.match(e.detail, /GET \/_ping/);
      return true;
    });
    assert.deepEqual(asked, ['/_ping']);
  });
});
