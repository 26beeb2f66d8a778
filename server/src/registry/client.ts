import { createHash } from 'node:crypto';
import type { Credentials } from './credentials';
import { DOCKER_HUB, DOCKER_HUB_API, isLoopbackRegistry, registryHostname, type ImageReference } from './reference';

/**
 * A small client of the distribution API v2 (Docker and OCI manifests, lists and indexes, tag
 * lists, blobs) on Node's fetch: the bearer-token flow of `WWW-Authenticate` (anonymous, or with
 * the user's credentials as Basic to the token realm), Basic auth, plain HTTP to loopback and
 * insecure registries, Docker Hub mirrors, HTTP(S)_PROXY through undici's ProxyAgent, a deadline
 * and a size cap on every request. Every failure is a RegistryError with a kind a user can act on.
 */

export type RegistryFailure =
  | 'offline' // no connection (refused, DNS, TLS, reset)
  | 'timeout' // no complete answer within the deadline
  | 'unauthorized' // 401: no or wrong credentials
  | 'denied' // 403
  | 'not-found' // 404: no such repository, tag or blob
  | 'rate-limited' // 429 (Docker Hub's pull limit): retryAfterMs when the registry says
  | 'server' // other HTTP failures
  | 'garbage' // an answer that is not what the API returns
  | 'too-large'; // a body over the cap

export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryFailure,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface RegistryClientOptions {
  /** Per request, headers and body (default 10 s). */
  timeoutMs?: number;
  /** Largest manifest, tag page or config blob read (default 4 MiB). */
  maxBytes?: number;
  credentials?(registry: string): Promise<Credentials | undefined>;
  /** Registries spoken to over plain HTTP besides loopback (`host:port`, or IPv4 CIDRs such as `10.0.0.0/8`), as the daemon's `insecure-registries`. */
  insecureRegistries?: readonly string[];
  /** Docker Hub mirrors (`https://mirror.example`), asked first for Docker Hub references, as the daemon's `registry-mirrors`. */
  mirrors?: readonly string[];
  /** For HTTP(S)_PROXY and NO_PROXY (default process.env). */
  env?: NodeJS.ProcessEnv;
  log?(message: string): void;
}

export interface FetchedManifest {
  /** The digest of the bytes served (checked against `Docker-Content-Digest`). */
  digest: string;
  mediaType: string;
  size: number;
  json: Record<string, unknown>;
}

interface Challenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

/** `Bearer realm="https://auth",service="reg",scope="repository:x:pull"` → its parameters. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(bearer|basic)\b(.*)$/i.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([a-zA-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1]!.toLowerCase() as Challenge['scheme'], params };
}

/** Seconds or an HTTP date → milliseconds from now. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function ipv4(host: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((n) => n < 256) ? parts.reduce((a, n) => a * 256 + n, 0) : undefined;
}

export function isInsecureRegistry(registry: string, insecure: readonly string[]): boolean {
  if (isLoopbackRegistry(registry)) return true;
  const host = registryHostname(registry);
  const ip = ipv4(host);
  for (const entry of insecure) {
    const e = entry.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/$/, '');
    if (e === registry.toLowerCase() || e === host) return true;
    const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(e);
    const net = cidr ? ipv4(cidr[1]!) : undefined;
    if (cidr && net !== undefined && ip !== undefined) {
      const bits = Number(cidr[2]);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if (((ip & mask) >>> 0) === ((net & mask) >>> 0)) return true;
    }
  }
  return false;
}

/** The proxy for a URL from HTTP(S)_PROXY / NO_PROXY, as curl and Go read them; never for loopback. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackRegistry(host)) return undefined;
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const n of noProxy) {
    if (n === '*') return undefined;
    const bare = n.replace(/^\*?\./, '').replace(/:\d+$/, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return proxy;
}

type Fetch = (url: string, init: Record<string, unknown>) => Promise<Response>;

interface Undici {
  fetch: Fetch;
  ProxyAgent: new (url: string) => unknown;
}

let undici: Undici | undefined;
const proxyAgents = new Map<string, unknown>();

function fetchThrough(proxy: string | undefined): { fetch: Fetch; init: Record<string, unknown> } {
  if (!proxy) return { fetch: fetch as unknown as Fetch, init: {} };
  // undici's own fetch with its ProxyAgent (Node's global fetch carries another undici version).
  // In the bundle, server/out/undici.js: loaded only when a proxy is set.
  undici ??= require('undici') as Undici;
  let agent = proxyAgents.get(proxy);
  if (!agent) proxyAgents.set(proxy, (agent = new undici.ProxyAgent(proxy)));
  return { fetch: undici.fetch, init: { dispatcher: agent } };
}

function describeCause(e: unknown): { kind: RegistryFailure; detail: string } {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError' || err.name === 'AbortError') return { kind: 'timeout', detail: 'no answer in time' };
  const code = err.cause?.code;
  const detail = code ? `${code}${err.cause?.message && !err.cause.message.includes(code) ? ` (${err.cause.message})` : ''}` : (err.cause?.message ?? err.message ?? String(e));
  return { kind: 'offline', detail };
}

interface Raw {
  status: number;
  headers: Headers;
  body: Buffer;
}

export class RegistryClient {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly tokens = new Map<string, { header: string; expires: number }>();
  private readonly challenges = new Map<string, Challenge>();
  private readonly credentialCache = new Map<string, Promise<Credentials | undefined>>();

  constructor(private readonly o: RegistryClientOptions = {}) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxBytes = o.maxBytes ?? 4 * 1024 * 1024;
  }

  /** The base URLs to try for a registry, in order: mirrors first for Docker Hub. */
  bases(registry: string): string[] {
    if (registry === DOCKER_HUB) return [...(this.o.mirrors ?? []).map((m) => m.replace(/\/+$/, '')), `https://${DOCKER_HUB_API}`];
    const scheme = isInsecureRegistry(registry, this.o.insecureRegistries ?? []) ? 'http' : 'https';
    return [`${scheme}://${registry}`];
  }

  /** A manifest, list or index by tag or digest. */
  async manifest(ref: ImageReference, reference: string): Promise<FetchedManifest> {
    const raw = await this.get(ref, `manifests/${reference}`, MANIFEST_MEDIA_TYPES.join(', '));
    const digest = `sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
    const served = raw.headers.get('docker-content-digest');
    if (reference.startsWith('sha256:') && reference !== digest) throw new RegistryError('garbage', `manifest ${reference} has the digest ${digest}: not what was asked for`);
    if (served && served.startsWith('sha256:') && served !== digest) throw new RegistryError('garbage', `the manifest's bytes hash to ${digest}, the registry says ${served}`);
    const json = parseJson(raw.body, `manifest ${reference}`);
    const mediaType = (typeof json.mediaType === 'string' && json.mediaType) || (raw.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
      // OCI manifests may leave mediaType out: tell them apart by their fields.
      if (Array.isArray(json.manifests)) return { digest, mediaType: MANIFEST_MEDIA_TYPES[0]!, size: raw.body.length, json };
      if (Array.isArray(json.layers)) return { digest, mediaType: MANIFEST_MEDIA_TYPES[2]!, size: raw.body.length, json };
      throw new RegistryError('garbage', `manifest ${reference}: unsupported media type "${mediaType}"`);
    }
    return { digest, mediaType, size: raw.body.length, json };
  }

  /** A JSON blob (an image config) by digest. */
  async blobJson(ref: ImageReference, digest: string): Promise<Record<string, unknown>> {
    const raw = await this.get(ref, `blobs/${digest}`, 'application/json, */*');
    const actual = `sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
    if (digest.startsWith('sha256:') && actual !== digest) throw new RegistryError('garbage', `blob ${digest} hashes to ${actual}`);
    return parseJson(raw.body, `blob ${digest}`);
  }

  /** Every tag of the repository (pages of 1,000 through `Link`, at most `maxPages`). */
  async tags(ref: ImageReference, maxPages = 20): Promise<string[]> {
    const out: string[] = [];
    let path = 'tags/list?n=1000';
    for (let page = 0; page < maxPages && path; page++) {
      const raw = await this.get(ref, path, 'application/json');
      const json = parseJson(raw.body, 'tag list');
      if (json.tags !== null && json.tags !== undefined && !Array.isArray(json.tags)) throw new RegistryError('garbage', 'tag list: "tags" is not a list');
      for (const t of (json.tags as unknown[] | null) ?? []) if (typeof t === 'string') out.push(t);
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(raw.headers.get('link') ?? '');
      path = link ? link[1]!.replace(/^.*?\/v2\/.+?\/(tags\/list.*)$/, '$1') : '';
    }
    return out;
  }

  private async get(ref: ImageReference, path: string, accept: string): Promise<Raw> {
    const bases = this.bases(ref.registry);
    let lastError: RegistryError | undefined;
    for (const [i, base] of bases.entries()) {
      try {
        return await this.getFrom(base, ref, path, accept);
      } catch (e) {
        if (!(e instanceof RegistryError) || i === bases.length - 1) throw e;
        this.o.log?.(`Registry mirror ${base} failed for ${ref.repository} (${e.message}); trying the next.`);
        lastError = e;
      }
    }
    throw lastError ?? new RegistryError('offline', 'no registry to ask');
  }

  private async getFrom(base: string, ref: ImageReference, path: string, accept: string): Promise<Raw> {
    const url = `${base}/v2/${ref.repository}/${path}`;
    const scope = `repository:${ref.repository}:pull`;
    let auth = await this.cachedAuth(base, ref.registry, scope);
    let res = await this.send(url, { Accept: accept, ...(auth ? { Authorization: auth } : {}) });
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      auth = challenge ? await this.authenticate(base, ref.registry, scope, challenge, res) : undefined;
      if (!auth) throw new RegistryError('unauthorized', `${ref.registry} asks for credentials (401)${challenge ? '' : ' and names no way to get them'}`, 401);
      res = await this.send(url, { Accept: accept, Authorization: auth });
    }
    return this.check(res, `${ref.registry}/${ref.repository} ${path.split('?')[0]}`);
  }

  private check(res: Raw, what: string): Raw {
    if (res.status >= 200 && res.status < 300) return res;
    const reason = registryErrorText(res.body);
    const suffix = reason ? `: ${reason}` : '';
    if (res.status === 401) throw new RegistryError('unauthorized', `${what}: the credentials were refused (401)${suffix}`, 401);
    if (res.status === 403) throw new RegistryError('denied', `${what}: access denied (403)${suffix}`, 403);
    if (res.status === 404) throw new RegistryError('not-found', `${what}: not found (404)${suffix}`, 404);
    if (res.status === 429) {
      const after = retryAfterMs(res.headers.get('retry-after'));
      throw new RegistryError('rate-limited', `${what}: too many requests (429)${after !== undefined ? `, retry after ${Math.ceil(after / 1000)} s` : ''}${suffix}`, 429, after);
    }
    throw new RegistryError('server', `${what}: HTTP ${res.status}${suffix}`, res.status);
  }

  private credentials(registry: string): Promise<Credentials | undefined> {
    let c = this.credentialCache.get(registry);
    if (!c) this.credentialCache.set(registry, (c = this.o.credentials?.(registry) ?? Promise.resolve(undefined)));
    return c;
  }

  private async cachedAuth(base: string, registry: string, scope: string): Promise<string | undefined> {
    const token = this.tokens.get(`${base} ${scope}`);
    if (token && token.expires > Date.now()) return token.header;
    const challenge = this.challenges.get(base);
    if (challenge?.scheme === 'basic') return basicHeader(await this.credentials(registry));
    return undefined;
  }

  private async authenticate(base: string, registry: string, scope: string, challenge: Challenge, first: Raw): Promise<string | undefined> {
    this.challenges.set(base, challenge);
    const creds = await this.credentials(registry);
    if (challenge.scheme === 'basic') return basicHeader(creds);
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError('garbage', `${registry}: a Bearer challenge without a realm`, first.status);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError('garbage', `${registry}: the token realm "${realm}" is not a URL`);
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', challenge.params.scope && challenge.params.scope.includes(':pull') ? challenge.params.scope : scope);
    let res: Raw;
    if (creds?.identityToken) {
      // The OAuth2 refresh-token grant, as the docker CLI uses an identity token from `docker login`.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'layerwise', scope: url.searchParams.get('scope') ?? scope });
      if (challenge.params.service) form.set('service', challenge.params.service);
      const tokenUrl = new URL(url.toString());
      tokenUrl.search = '';
      res = this.check(await this.send(tokenUrl.toString(), { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString()), `token from ${url.host}`);
    } else {
      const basic = basicHeader(creds);
      res = this.check(await this.send(url.toString(), { Accept: 'application/json', ...(basic ? { Authorization: basic } : {}) }), `token from ${url.host}`);
    }
    const json = parseJson(res.body, 'token answer');
    const token = typeof json.token === 'string' ? json.token : typeof json.access_token === 'string' ? json.access_token : '';
    if (!token) throw new RegistryError('garbage', `token from ${url.host}: no token in the answer`);
    const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60;
    const header = `Bearer ${token}`;
    // Renewed a little early, so a request does not carry a token that expires on the way.
    this.tokens.set(`${base} ${scope}`, { header, expires: Date.now() + Math.max(1, expiresIn - 10) * 1000 });
    return header;
  }

  private async send(url: string, headers: Record<string, string>, body?: string): Promise<Raw> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const { fetch: f, init } = fetchThrough(proxyFor(new URL(url), this.o.env ?? process.env));
    let res: Response;
    try {
      res = await f(url, { ...init, headers, signal, redirect: 'follow', ...(body !== undefined ? { method: 'POST', body } : {}) });
    } catch (e) {
      const { kind, detail } = describeCause(e);
      throw new RegistryError(kind, kind === 'timeout' ? `${new URL(url).host}: no answer within ${this.timeoutMs} ms` : `${new URL(url).host}: ${detail}`);
    }
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (length > this.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new RegistryError('too-large', `${new URL(url).host}: an answer of ${length} bytes, over the ${this.maxBytes}-byte cap`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      const reader = res.body?.getReader();
      for (;;) {
        if (!reader) break;
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > this.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new RegistryError('too-large', `${new URL(url).host}: an answer over the ${this.maxBytes}-byte cap`);
        }
        chunks.push(Buffer.from(value));
      }
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      const { kind, detail } = describeCause(e);
      throw new RegistryError(kind, kind === 'timeout' ? `${new URL(url).host}: the answer did not finish within ${this.timeoutMs} ms` : `${new URL(url).host}: the answer broke off (${detail})`);
    }
    return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
  }
}

function basicHeader(c: Credentials | undefined): string | undefined {
  return c && !c.identityToken ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
}

function parseJson(body: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryError('garbage', `${what}: the answer is not JSON (${JSON.stringify(body.subarray(0, 40).toString('utf8'))}…)`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new RegistryError('garbage', `${what}: the answer is not a JSON object`);
  return v as Record<string, unknown>;
}

/** The first message of a distribution error body (`{"errors":[{"code","message"}]}`). */
function registryErrorText(body: Buffer): string {
  try {
    const j = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const e = j.errors?.[0];
    return e ? [e.code, e.message].filter(Boolean).join(' ') : '';
  } catch {
    return '';
  }
}
