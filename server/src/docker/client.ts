import type Dockerode from 'dockerode';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { DockerEndpoint } from './endpoint';

/**
 * The daemon client: dockerode over the resolved endpoint, with the API version negotiated once
 * (the `Api-Version` header of `GET /_ping`, as the docker CLI does, else `GET /version`; then the
 * lower of the daemon's version and ours), a deadline on every call, and every failure classified
 * into the few states a user can act on. Docker Engine and Podman's compatible API alike. Nothing
 * here knows about LSP.
 */

/** The newest Engine API version this code is written against; older daemons (1.41+) are used at their own version. */
export const MAX_API_VERSION = '1.47';
/** Engine 20.10. Older daemons are tried anyway, with a warning in the log. */
export const MIN_API_VERSION = '1.41';

/** How long the daemon may prepare an image export before its first byte. */
const EXPORT_HEAD_MS = 10 * 60_000;

export type DockerErrorKind = 'unreachable' | 'permission' | 'timeout' | 'daemon';

/** What a lens says for each kind of failure: short, and something the user can act on. */
export const STATE_TITLES: Record<DockerErrorKind, string> = {
  unreachable: 'Docker not reachable',
  permission: 'Docker socket permission denied',
  timeout: 'Docker not responding',
  daemon: 'Docker error',
};

export class DockerError extends Error {
  constructor(
    readonly kind: DockerErrorKind,
    /** One line for the log, naming the endpoint and the cause. */
    readonly detail: string,
    readonly statusCode?: number,
  ) {
    super(detail);
    this.name = 'DockerError';
  }
}

export interface HistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface ImageSummary {
  Id: string;
  Created: number;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Size: number;
}

export interface ImageEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string };
  id?: string;
}

export interface DaemonInfo {
  apiVersion: string;
  serverApiVersion: string;
  /** Podman answers the Docker API too (its `_ping` carries `Libpod-Api-Version`). */
  engine: 'docker' | 'podman';
  engineVersion: string;
  os: string;
}

/** What the headers of `GET /_ping` say about a daemon (any of them may be absent). */
export interface PingHeaders {
  apiVersion?: string;
  osType?: string;
  server?: string;
  libpodApiVersion?: string;
}

/**
 * The daemon's identity from its `_ping` headers, or undefined when they carry no API version
 * (then `GET /version` has to be asked). `Server` is `Docker/20.10.24 (linux)` or `Libpod/4.3.1 (linux)`.
 */
export function infoFromPing(h: PingHeaders): DaemonInfo | undefined {
  if (!h.apiVersion || !/^\d+\.\d+$/.test(h.apiVersion)) return undefined;
  const server = /^(\w+)\/(\S+)(?: \((\w+)\))?/.exec(h.server ?? '');
  const podman = h.libpodApiVersion !== undefined || server?.[1] === 'Libpod';
  return {
    apiVersion: negotiateApiVersion(h.apiVersion),
    serverApiVersion: h.apiVersion,
    engine: podman ? 'podman' : 'docker',
    engineVersion: h.libpodApiVersion ?? server?.[2] ?? 'unknown',
    os: h.osType || server?.[3] || 'linux',
  };
}

const CONNECTION_CODES: Record<string, string> = {
  ENOENT: 'no socket at this path (is Docker installed and running?)',
  ECONNREFUSED: 'nothing is listening (is the Docker daemon running?)',
  ENOTSOCK: 'the path is not a socket',
  ECONNRESET: 'the connection was closed before an answer',
  EPIPE: 'the connection was closed before an answer',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'the connection timed out',
};

/** Maps any failure of a daemon call to a DockerError. */
export function classifyError(e: unknown, endpoint: DockerEndpoint): DockerError {
  if (e instanceof DockerError) return e;
  const err = (e ?? {}) as { code?: unknown; message?: unknown; statusCode?: unknown; cause?: { code?: unknown }; reason?: unknown; json?: unknown };
  const code = typeof err.code === 'string' ? err.code : typeof err.cause?.code === 'string' ? err.cause.code : '';
  const message = typeof err.message === 'string' ? err.message.trim() : String(e);
  const where = endpoint.host;
  if (typeof err.statusCode === 'number') {
    const json = err.json as { message?: unknown } | undefined;
    const msg = typeof json?.message === 'string' ? json.message : message;
    return new DockerError('daemon', `${where}: the daemon answered HTTP ${err.statusCode}: ${msg}`, err.statusCode);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new DockerError(
      'permission',
      `${where}: permission denied (${code}); the user running the editor cannot open the Docker socket (on Linux: add it to the "docker" group, then log in again)`,
    );
  }
  if (CONNECTION_CODES[code]) return new DockerError('unreachable', `${where}: ${CONNECTION_CODES[code]} (${code})`);
  if (/socket hang up/i.test(message)) return new DockerError('unreachable', `${where}: the connection was closed before an answer (${message})`);
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO)/.test(code)) return new DockerError('unreachable', `${where}: TLS failed: ${message} (${code})`);
  if (err.reason === 'timeout' || code === 'ESOCKETTIMEDOUT') return new DockerError('timeout', `${where}: no answer (${message})`);
  return new DockerError('unreachable', `${where}: ${message}${code ? ` (${code})` : ''}`);
}

/** `a` compared with `b` as API versions (`1.41` < `1.5` is false: numeric parts). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The API version to speak with a daemon that reports `serverApiVersion`. */
export function negotiateApiVersion(serverApiVersion: string): string {
  return compareApiVersions(serverApiVersion, MAX_API_VERSION) < 0 ? serverApiVersion : MAX_API_VERSION;
}

let dockerodeModule: Promise<typeof Dockerode> | undefined;
/** dockerode (and its gRPC, protobuf and ssh code) is loaded on first use, not at server start. */
function loadDockerode(): Promise<typeof Dockerode> {
  // require, not import(): the bundle keeps dockerode in a file of its own (scripts/build.mjs), and
  // import() would make node scan its 2 MB for ES exports first.
  dockerodeModule ??= Promise.resolve().then(() => require('dockerode') as typeof Dockerode);
  return dockerodeModule;
}

const DOCKER_ENV = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CLIENT_TIMEOUT', 'DOCKER_PATH_PREFIX'];

/**
 * A dockerode instance for exactly this endpoint. docker-modem merges DOCKER_HOST and friends into
 * whatever it is given (and throws on some values), so they are hidden while it is constructed:
 * the endpoint, resolved by endpoint.ts, is the only source of truth.
 */
function newDockerode(Docker: typeof Dockerode, endpoint: DockerEndpoint, version: string | undefined, keepAlive: boolean): Dockerode {
  const options: Record<string, unknown> = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    username: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    version: version ? `v${version}` : undefined,
    timeout: undefined,
  };
  if (endpoint.kind === 'unix' || endpoint.kind === 'npipe') {
    options.socketPath = endpoint.socketPath;
    options.agent = new http.Agent({ keepAlive });
  } else if (endpoint.kind === 'ssh') {
    Object.assign(options, {
      protocol: 'ssh',
      host: endpoint.hostname,
      port: endpoint.port,
      username: endpoint.username,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    });
  } else {
    Object.assign(options, { protocol: endpoint.tls ? 'https' : 'http', host: endpoint.hostname, port: endpoint.port });
    if (endpoint.tls) {
      const read = (f: string | undefined): Buffer | undefined => (f ? fs.readFileSync(f) : undefined);
      const tls = { ca: read(endpoint.tls.ca), cert: read(endpoint.tls.cert), key: read(endpoint.tls.key) };
      Object.assign(options, tls, { agent: new https.Agent({ ...tls, rejectUnauthorized: endpoint.tls.verify, keepAlive }) });
    } else {
      options.agent = new http.Agent({ keepAlive });
    }
  }
  const saved = DOCKER_ENV.map((k) => [k, process.env[k]] as const);
  for (const k of DOCKER_ENV) delete process.env[k];
  try {
    return new Docker(options as Dockerode.DockerOptions);
  } finally {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
  }
}

/** Runs `run` with an abort signal that fires after `ms`; a late answer is dropped, the call is aborted. */
export function withDeadline<T>(endpoint: DockerEndpoint, what: string, ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new DockerError('timeout', `${endpoint.host}: no answer to ${what} within ${ms} ms`));
      ac.abort();
    }, ms);
    run(ac.signal).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(classifyError(e, endpoint));
      },
    );
  });
}

export interface DaemonClientOptions {
  /**
   * Deadline of the first call, `GET /_ping`: how soon a hanging daemon is reported. A daemon
   * that pings in time but is slow to describe itself (`GET /version` gathers host facts on
   * Podman: 0.8 s idle, 1.5 s and more under load) then gets `callTimeoutMs`: slow, not dead.
   */
  timeoutMs: number;
  /** Deadline of each later call (image list, history, inspect): a busy daemon may take a while. */
  callTimeoutMs: number;
}

/**
 * Default deadlines: a local socket answers in milliseconds (1.5 s is generous and leaves a lens
 * room to show "not responding" within 3 s); tcp crosses a network; ssh needs a handshake and a
 * remote `docker system dial-stdio` first.
 */
export function defaultTimeoutMs(endpoint: DockerEndpoint): number {
  return endpoint.kind === 'ssh' ? 10_000 : endpoint.kind === 'tcp' ? 2_000 : 1_500;
}

export class DaemonClient {
  private constructor(
    readonly endpoint: DockerEndpoint,
    readonly info: DaemonInfo,
    /** Short calls (no socket timeout: each call has its own deadline). */
    private readonly docker: Dockerode,
    private readonly timeoutMs: number,
    /** How long a short call waits before asking `GET /_ping` whether the daemon is alive at all, and that ping's deadline. */
    private readonly stallMs: number,
  ) {}

  /** Pings the daemon (its version from `_ping`, else `/version`) and returns a client that speaks the negotiated one. */
  static async connect(endpoint: DockerEndpoint, options: Partial<DaemonClientOptions> = {}): Promise<DaemonClient> {
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs(endpoint);
    const callTimeoutMs = options.callTimeoutMs ?? Math.max(timeoutMs, endpoint.kind === 'ssh' ? 20_000 : 10_000);
    const started = Date.now();
    // No socket file, no daemon: the answer a connection would give, without loading dockerode
    // (2 MB of code and ssh2's wasm memory: 19 MiB of RSS in a server that never shows a layer).
    if (endpoint.kind === 'unix' && endpoint.socketPath && !fs.existsSync(endpoint.socketPath)) throw classifyError({ code: 'ENOENT' }, endpoint);
    let Docker: typeof Dockerode;
    let probe: Dockerode;
    try {
      Docker = await loadDockerode();
      probe = newDockerode(Docker, endpoint, undefined, false);
    } catch (e) {
      throw new DockerError('unreachable', `${endpoint.host}: cannot set up the connection: ${(e as Error).message}`);
    }
    // The first deadline counts from the start, loading the client included, but leaves the ping
    // at least half of it: on a loaded machine parsing the 2 MB bundle alone can take a second.
    const first = Math.max(timeoutMs / 2, timeoutMs - (Date.now() - started));
    const ping = await withDeadline(endpoint, 'GET /_ping', first, (signal) => pingHeaders(probe, signal)).catch((e: unknown) => {
      // A daemon (or proxy) without `_ping` is alive: ask /version. Silence is not.
      if (e instanceof DockerError && e.kind === 'daemon') return {};
      throw e;
    });
    const info = infoFromPing(ping) ?? (await versionInfo(endpoint, probe, callTimeoutMs));
    return new DaemonClient(endpoint, info, newDockerode(Docker, endpoint, info.apiVersion, true), callTimeoutMs, Math.min(timeoutMs, callTimeoutMs));
  }

  /**
   * A dockerode instance without per-call deadlines, for long streams (events, builds). Its
   * connections are never pooled: a stream cut short must not leave its socket to the next call.
   */
  async streaming(): Promise<Dockerode> {
    return newDockerode(await loadDockerode(), this.endpoint, this.info.apiVersion, false);
  }

  /**
   * A short call with its deadline (`timeoutMs`, 10 s by default), ended sooner when the daemon has
   * stopped answering altogether: after each `stallMs` without an answer `GET /_ping` is asked
   * (deadline `stallMs`). No ping: a hung daemon, reported within 2 x `stallMs` (3 s on a local
   * socket). A ping: a busy daemon, waited for up to the deadline.
   */
  private call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const host = this.endpoint.host;
    const ac = new AbortController();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let stall: NodeJS.Timeout | undefined;
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(stall);
        settle();
      };
      const fail = (error: DockerError): void =>
        finish(() => {
          reject(error);
          ac.abort();
        });
      const deadline = setTimeout(
        () => fail(new DockerError('timeout', `${host}: no answer to ${what} within ${this.timeoutMs} ms, although GET /_ping answers: the daemon is busy, or stuck on this call`)),
        this.timeoutMs,
      );
      const watch = (): void => {
        stall = setTimeout(() => {
          withDeadline(this.endpoint, 'GET /_ping', this.stallMs, (signal) => pingHeaders(this.docker, signal)).then(
            () => !settled && watch(),
            (e: unknown) => {
              // A daemon (or proxy) without `_ping` answers: alive.
              if (e instanceof DockerError && e.kind === 'daemon') return void (!settled && watch());
              const ping = e instanceof DockerError ? e : classifyError(e, this.endpoint);
              const why = ping.kind === 'timeout' ? `none to GET /_ping within ${this.stallMs} ms either: the daemon is not responding` : `GET /_ping failed too (${ping.detail})`;
              fail(new DockerError(ping.kind, `${host}: no answer to ${what} within ${this.stallMs} ms, and ${why}`));
            },
          );
        }, this.stallMs);
      };
      if (this.stallMs < this.timeoutMs) watch();
      run(ac.signal).then(
        (v) => finish(() => resolve(v)),
        (e: unknown) => finish(() => reject(classifyError(e, this.endpoint))),
      );
    });
  }

  private get<T>(what: string, path: string, query?: Record<string, unknown>, extraStatus?: Record<number, string>): Promise<T> {
    return this.call(`GET ${what}`, async (signal) => {
      const data = await dial<unknown>(this.docker, { path, query, signal, extraStatus });
      // docker-modem hands over the raw body when it is not JSON: never read that as "no images".
      if (typeof data === 'string' || Buffer.isBuffer(data)) {
        const text = data.toString().slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
        throw new DockerError('daemon', `${this.endpoint.host}: the answer to GET ${what} is not JSON ("${text}"); is this a Docker daemon?`);
      }
      return data as T;
    });
  }

  listImages(): Promise<ImageSummary[]> {
    return this.get<ImageSummary[]>('/images/json', '/images/json').then((list) => (Array.isArray(list) ? list : []));
  }

  history(id: string): Promise<HistoryEntry[]> {
    return this.get<HistoryEntry[]>(`/images/${id}/history`, `/images/${encodeURIComponent(id)}/history`).then((h) => (Array.isArray(h) ? h : []));
  }

  /** The image a reference names, or undefined when there is none. */
  async inspect(ref: string): Promise<{ Id: string; Created: string; Size: number; RepoTags: string[] | null } | undefined> {
    try {
      return await this.get(`/images/${ref}/json`, `/images/${encodeURIComponent(ref)}/json`, undefined, { 404: 'no such image' });
    } catch (e) {
      if (e instanceof DockerError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  /**
   * The image as a tar stream (`GET /images/{name}/get`): docker-archive, or an OCI layout with the
   * containerd image store. The daemon may write the whole export to a temporary directory before
   * its first byte (moby's classic store does), so the wait for the response head is long (10
   * minutes) and ends early only through `signal`; the caller destroys the stream to stop it.
   */
  async exportImage(ref: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream & { destroy(err?: Error): void }> {
    const docker = await this.streaming();
    return withDeadline(this.endpoint, `GET /images/${ref}/get`, Math.max(this.timeoutMs, EXPORT_HEAD_MS), (deadline) =>
      dial<NodeJS.ReadableStream & { destroy(err?: Error): void }>(docker, {
        path: `/images/${encodeURIComponent(ref)}/get`,
        signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
        isStream: true,
        extraStatus: { 404: 'no such image' },
      }),
    );
  }

  /**
   * Follows the daemon's image events (`GET /events?filters={"type":["image"]}`) until closed.
   * `onEnd` is called once when the stream ends for any reason other than `close()`.
   */
  async watchImages(onEvent: (e: ImageEvent) => void, onEnd: (err?: unknown) => void): Promise<{ close(): void }> {
    const docker = await this.streaming();
    let closed = false;
    // The deadline's signal only guards the wait for the response head: aborting a socket whose
    // response is under way makes node emit an error nobody listens to. close() destroys the stream.
    const stream = await withDeadline(this.endpoint, 'GET /events', this.timeoutMs, (signal) =>
      dial<NodeJS.ReadableStream & { destroy(): void }>(docker, { path: '/events', query: { filters: { type: ['image'] } }, signal, isStream: true }),
    );
    stream.on('error', () => undefined);
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        try {
          onEvent(JSON.parse(line) as ImageEvent);
        } catch {
          /* not an event */
        }
      }
    });
    let ended = false;
    const end = (err?: unknown): void => {
      if (ended || closed) return;
      ended = true;
      onEnd(err);
    };
    stream.on('end', () => end());
    stream.on('close', () => end());
    stream.on('error', (e: unknown) => end(e));
    return {
      close: () => {
        closed = true;
        stream.destroy();
      },
    };
  }
}

/** `GET /version`, for daemons whose `_ping` names no API version. */
async function versionInfo(endpoint: DockerEndpoint, probe: Dockerode, ms: number): Promise<DaemonInfo> {
  const version = await withDeadline(endpoint, 'GET /version', ms, (signal) => dial<Record<string, unknown>>(probe, { path: '/version', signal }));
  const serverApi = typeof version?.ApiVersion === 'string' ? version.ApiVersion : undefined;
  if (!serverApi) throw new DockerError('daemon', `${endpoint.host}: the answer to GET /version has no ApiVersion; is this a Docker daemon?`);
  const components = Array.isArray(version.Components) ? (version.Components as { Name?: unknown }[]) : [];
  return {
    apiVersion: negotiateApiVersion(serverApi),
    serverApiVersion: serverApi,
    engine: components.some((c) => typeof c.Name === 'string' && /podman/i.test(c.Name)) ? 'podman' : 'docker',
    engineVersion: typeof version.Version === 'string' ? version.Version : 'unknown',
    os: typeof version.Os === 'string' ? version.Os : 'linux',
  };
}

/** The headers of `GET /_ping` (its body is just `OK`). */
async function pingHeaders(docker: Dockerode, signal: AbortSignal): Promise<PingHeaders> {
  const res = await dial<http.IncomingMessage>(docker, { path: '/_ping', signal, isStream: true });
  const header = (name: string): string | undefined => {
    const v = res.headers?.[name];
    return typeof v === 'string' ? v : undefined;
  };
  res.resume();
  return { apiVersion: header('api-version'), osType: header('ostype'), server: header('server'), libpodApiVersion: header('libpod-api-version') };
}

interface DialOptions {
  path: string;
  query?: Record<string, unknown>;
  signal?: AbortSignal;
  isStream?: boolean;
  extraStatus?: Record<number, string>;
}

function dial<T>(docker: Dockerode, o: DialOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const modem = docker.modem as unknown as {
      dial(options: Record<string, unknown>, cb: (err: unknown, data: unknown) => void): void;
    };
    modem.dial(
      {
        path: `${o.path}?`,
        method: 'GET',
        options: { ...(o.query ?? {}) },
        abortSignal: o.signal,
        isStream: o.isStream ?? false,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error', ...(o.extraStatus ?? {}) },
      },
      (err, data) => (err ? reject(err) : resolve(data as T)),
    );
  });
}
