import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A private image registry for the tests: Debian's `docker-registry` (distribution 2.8) on
 * 127.0.0.1 at a free port, storing under a temporary folder that `stop()` removes. The Docker
 * daemon treats 127.0.0.0/8 as an insecure registry by default, so it pushes there over plain HTTP.
 */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface RegistryHandle {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  host: string;
  /** The digest the registry serves for `repo:tag` (`Docker-Content-Digest` of the manifest). */
  manifestDigest(repo: string, tag: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export type RegistryResult = { ok: true; registry: RegistryHandle } | { ok: false; reason: string };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'HEAD', headers, timeout: 2000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export interface RegistryOptions {
  /** More lines of the registry's config.yml (an `auth:` section), at the top level. */
  config?: string[];
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryResult> {
  if (!fs.existsSync(REGISTRY_BINARY)) return { ok: false, reason: `no ${REGISTRY_BINARY} (apt-get install docker-registry)` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ...(options.config ?? []), ''].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const stop = async (): Promise<void> => {
    if (running) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killed);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!running) {
      await stop();
      return { ok: false, reason: `docker-registry exited: ${output.trim().split('\n').slice(-3).join(' | ')}` };
    }
    const ready = await get(`${base}/v2/`).then(
      // 401: ready, with authentication in front.
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      return { ok: false, reason: `docker-registry did not answer on ${base} within 15 s` };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    ok: true,
    registry: {
      host: `127.0.0.1:${port}`,
      manifestDigest: async (repo, tag) => {
        const r = await get(`${base}/v2/${repo}/manifests/${tag}`, { Accept: MANIFEST_TYPES });
        const d = r.headers['docker-content-digest'];
        return r.status === 200 && typeof d === 'string' ? d : undefined;
      },
      stop,
    },
  };
}
