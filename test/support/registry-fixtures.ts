import { execFileSync } from 'node:child_process';
import { createHash, createSign, randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * What the registry tests put in front of and into a real `docker-registry` (test/support/registry.ts):
 * a token server of their own (the registry's `auth.token`, JWTs signed with a key and certificate
 * made here), an htpasswd file, images pushed through the distribution API (synthetic layers,
 * manifests, multi-platform indexes) with the figures a client must find, and a fault proxy for
 * the answers a real registry does not give on demand (429, garbage, silence).
 */

export interface TokenServer {
  /** The registry config lines of `auth.token`. */
  config: string[];
  realm: string;
  /** Every token request: `user or -` and the scope asked for. */
  requests: string[];
  /** A Bearer header with pull and push on a repository, for the test's own pushes. */
  pushHeader(repo: string): string;
  close(): Promise<void>;
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

export async function startTokenServer(o: { users: Record<string, string>; anonymousPull: boolean; refreshTokens?: Record<string, string> }): Promise<TokenServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-token-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=layerwise-test-token'], { stdio: 'ignore' });
  const keyPem = fs.readFileSync(key, 'utf8');
  const x5c = new X509Certificate(fs.readFileSync(cert)).raw.toString('base64');
  const service = 'layerwise-test-registry';
  const issuer = 'layerwise-test-issuer';
  const sign = (sub: string, access: { type: string; name: string; actions: string[] }[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [x5c] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const s = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(keyPem);
    return `${header}.${claims}.${b64url(s)}`;
  };
  const requests: string[] = [];
  const answer = (res: http.ServerResponse, user: string | undefined, scope: string): void => {
    requests.push(`${user ?? '-'} ${scope}`);
    const m = /^repository:([^:]+):(.+)$/.exec(scope);
    const access = m && (user || o.anonymousPull) ? [{ type: 'repository', name: m[1]!, actions: m[2]!.split(',').filter((a) => a === 'pull' || (user && a === 'push')) }] : [];
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: sign(user ?? '', access), expires_in: 300 }));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST') {
      // The OAuth2 refresh-token grant (an identity token from `docker login`).
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const user = form.get('grant_type') === 'refresh_token' ? o.refreshTokens?.[form.get('refresh_token') ?? ''] : undefined;
        if (!user) {
          requests.push(`refresh! ${form.get('scope') ?? ''}`);
          res.writeHead(401, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'unknown refresh token' }] }));
          return;
        }
        answer(res, `${user} (refresh)`, form.get('scope') ?? '');
      });
      return;
    }
    const scope = url.searchParams.get('scope') ?? '';
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (!u || o.users[u] === undefined || o.users[u] !== p.join(':')) {
        requests.push(`${u ?? '?'}! ${scope}`);
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'wrong user or password' }] }));
        return;
      }
      user = u;
    }
    answer(res, user, scope);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const realm = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/token`;
  return {
    config: ['auth:', '  token:', `    realm: ${realm}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${cert}`],
    realm,
    requests,
    pushHeader: (repo) => `Bearer ${sign('pusher', [{ type: 'repository', name: repo, actions: ['pull', 'push'] }])}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          r();
        });
      }),
  };
}

/** An htpasswd file with one bcrypt entry (`htpasswd -B`, apache2-utils), and its registry config lines. */
export function htpasswdAuth(dir: string, user: string, password: string): { config: string[] } {
  const file = path.join(dir, 'htpasswd');
  fs.writeFileSync(file, execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }).trim() + '\n');
  return { config: ['auth:', '  htpasswd:', '    realm: layerwise-test', `    path: ${file}`] };
}

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
  /** Sizes of the synthetic layers, in bytes. */
  layers: number[];
}

export interface PushedPlatform {
  platform: string;
  digest: string;
  compressedSize: number;
  layers: number;
}

export interface Pushed {
  digest: string;
  platforms: PushedPlatform[];
}

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Pushes images straight through the registry's HTTP API. `auth(repo)` gives the Authorization
 * header the registry wants for a push (none, Basic, or a Bearer token with push).
 */
export class Pusher {
  constructor(
    readonly base: string,
    readonly auth: (repo: string) => string | undefined = () => undefined,
  ) {}

  private headers(repo: string, extra: Record<string, string> = {}): Record<string, string> {
    const a = this.auth(repo);
    return { ...extra, ...(a ? { Authorization: a } : {}) };
  }

  async blob(repo: string, data: Buffer): Promise<string> {
    const digest = sha(data);
    const start = await fetch(`${this.base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: this.headers(repo) });
    if (start.status !== 202) throw new Error(`upload start ${repo}: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, this.base);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', headers: this.headers(repo, { 'Content-Type': 'application/octet-stream' }), body: data });
    if (put.status !== 201) throw new Error(`upload ${repo}: ${put.status} ${await put.text()}`);
    return digest;
  }

  async manifest(repo: string, reference: string, mediaType: string, body: Buffer): Promise<string> {
    const r = await fetch(`${this.base}/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: this.headers(repo, { 'Content-Type': mediaType }), body });
    if (r.status !== 201) throw new Error(`manifest ${repo}:${reference}: ${r.status} ${await r.text()}`);
    return sha(body);
  }

  /** One platform's image: a config and layers of random bytes; `oci` picks the OCI media types. */
  async image(repo: string, p: PlatformSpec, oci = false): Promise<{ digest: string; size: number; body: Buffer; figures: PushedPlatform; mediaType: string }> {
    const layers = [];
    for (const size of p.layers) {
      const data = randomBytes(size);
      layers.push({ mediaType: oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip', size, digest: await this.blob(repo, data) });
    }
    const config = Buffer.from(JSON.stringify({ architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}), rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {} }));
    const configDigest = await this.blob(repo, config);
    const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
    const body = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest }, layers }),
    );
    const digest = await this.manifest(repo, sha(body), mediaType, body);
    const platform = [p.os, p.architecture, p.variant].filter(Boolean).join('/');
    return { digest, size: body.length, body, mediaType, figures: { platform, digest, compressedSize: config.length + p.layers.reduce((a, b) => a + b, 0), layers: p.layers.length } };
  }

  /** `repo:tag` as one image (one spec) or as an index of platforms, with the figures a client must report. */
  async push(repo: string, tag: string, specs: PlatformSpec[], o: { oci?: boolean; attestation?: boolean } = {}): Promise<Pushed> {
    const images = [];
    for (const s of specs) images.push(await this.image(repo, s, o.oci));
    if (specs.length === 1 && !o.attestation) {
      const digest = await this.manifest(repo, tag, images[0]!.mediaType, images[0]!.body);
      return { digest, platforms: [images[0]!.figures] };
    }
    const manifests: unknown[] = images.map((im, i) => ({ mediaType: im.mediaType, size: im.size, digest: im.digest, platform: { os: specs[i]!.os, architecture: specs[i]!.architecture, ...(specs[i]!.variant ? { variant: specs[i]!.variant } : {}) } }));
    if (o.attestation) {
      // What BuildKit adds for provenance: an entry for platform unknown/unknown that is no image to run.
      const att = await this.image(repo, { os: 'unknown', architecture: 'unknown', layers: [321] }, o.oci);
      manifests.push({ mediaType: att.mediaType, size: att.size, digest: att.digest, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } });
    }
    const mediaType = o.oci ? OCI_INDEX : DOCKER_LIST;
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests }));
    const digest = await this.manifest(repo, tag, mediaType, body);
    return { digest, platforms: images.map((im) => im.figures) };
  }
}

export type RegistryFault = 'hang' | 'garbage' | '429' | '500' | 'slow';

export interface RegistryFaultProxy {
  /** `127.0.0.1:<port>`: use as the registry of references. */
  host: string;
  /** Applied to every request whose path matches; none: pass through. */
  rules: { path: RegExp; fault: RegistryFault; retryAfter?: string }[];
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP proxy on loopback in front of a registry (`http://127.0.0.1:port`), with injected faults. */
export async function registryFaultProxy(upstream: string): Promise<RegistryFaultProxy> {
  const up = new URL(upstream);
  const rules: RegistryFaultProxy['rules'] = [];
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(`${req.method} ${url}`);
    const rule = rules.find((r) => r.path.test(url.replace(/\?.*$/, '')));
    req.resume();
    if (rule?.fault === 'hang') return;
    if (rule?.fault === '429') {
      res.writeHead(429, { 'Content-Type': 'application/json', ...(rule.retryAfter ? { 'Retry-After': rule.retryAfter } : {}) });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] }));
      return;
    }
    if (rule?.fault === '500') {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('injected');
      return;
    }
    if (rule?.fault === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' });
      res.end('{"manifests": [<<not json>>\u0000\u00ff');
      return;
    }
    const p = http.request({ host: up.hostname, port: up.port, method: req.method, path: url, headers: { ...req.headers, host: up.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      if (rule?.fault === 'slow') {
        // The head now, the body never: a registry that stalls mid-answer.
        res.flushHeaders();
        r.resume();
        return;
      }
      r.pipe(res);
    });
    p.on('error', () => res.destroy());
    p.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    rules,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
