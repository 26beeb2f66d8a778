import { createHash } from 'node:crypto';
import * as path from 'node:path';

/**
 * Which Docker daemon to talk to, resolved the way the docker CLI does it (minus its flags):
 * the `layerwise.docker.host` setting (like `docker -H`), then DOCKER_HOST, then the docker
 * context (DOCKER_CONTEXT, or `currentContext` in the docker config file) and its endpoint,
 * then the platform's default socket. Pure: the environment and the file system come in.
 */

export type EndpointKind = 'unix' | 'npipe' | 'tcp' | 'ssh';

export interface TlsFiles {
  /** Verify the daemon's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  verify: boolean;
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
}

export interface DockerEndpoint {
  /** The address, normalized: `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host:22`. */
  host: string;
  /** Where the address came from, for the log: `setting`, `DOCKER_HOST`, `context "name"`, `default`. */
  source: string;
  kind: EndpointKind;
  socketPath: string | undefined;
  hostname: string | undefined;
  port: number | undefined;
  username: string | undefined;
  /** TLS for tcp endpoints; undefined for plain HTTP. */
  tls: TlsFiles | undefined;
  /** Identifies the daemon connection: two documents with the same key share one cache. */
  key: string;
}

export interface EndpointEnvironment {
  env: Record<string, string | undefined>;
  homedir: string;
  platform: NodeJS.Platform;
  /** A file's text, or undefined when it cannot be read. */
  readFile(file: string): string | undefined;
  exists(file: string): boolean;
}

export type EndpointResult = { ok: true; endpoint: DockerEndpoint } | { ok: false; source: string; error: string };

export const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
export const DEFAULT_NPIPE = '//./pipe/docker_engine';

export function resolveEndpoint(setting: string, e: EndpointEnvironment): EndpointResult {
  const configDir = e.env.DOCKER_CONFIG || path.join(e.homedir, '.docker');
  const envTls = (): TlsFiles | undefined => {
    const verify = !!e.env.DOCKER_TLS_VERIFY;
    if (!verify && !e.env.DOCKER_TLS) return undefined;
    const certPath = e.env.DOCKER_CERT_PATH || configDir;
    return tlsFiles(certPath, verify, e);
  };
  if (setting.trim()) return parseHost(setting.trim(), 'setting', envTls);
  if (e.env.DOCKER_HOST?.trim()) return parseHost(e.env.DOCKER_HOST.trim(), 'DOCKER_HOST', envTls);

  let contextName = e.env.DOCKER_CONTEXT?.trim();
  let contextSource = 'DOCKER_CONTEXT';
  if (!contextName) {
    const config = e.readFile(path.join(configDir, 'config.json'));
    if (config) {
      try {
        const parsed = JSON.parse(config) as { currentContext?: unknown };
        if (typeof parsed.currentContext === 'string') contextName = parsed.currentContext.trim();
        contextSource = `currentContext in ${path.join(configDir, 'config.json')}`;
      } catch {
        /* an unreadable config is what the CLI would also ignore for the endpoint */
      }
    }
  }
  if (contextName && contextName !== 'default') {
    const id = createHash('sha256').update(contextName).digest('hex');
    const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
    const source = `context "${contextName}" (${contextSource})`;
    const meta = e.readFile(metaFile);
    if (meta === undefined) return { ok: false, source, error: `docker context "${contextName}" not found (${metaFile})` };
    let endpoint: { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
    try {
      endpoint = (JSON.parse(meta) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } }).Endpoints?.docker;
    } catch (err) {
      return { ok: false, source, error: `cannot read ${metaFile}: ${(err as Error).message}` };
    }
    if (typeof endpoint?.Host !== 'string' || !endpoint.Host) return { ok: false, source, error: `docker context "${contextName}" has no docker endpoint` };
    const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
    const contextTls = (): TlsFiles | undefined =>
      e.exists(path.join(tlsDir, 'ca.pem')) || e.exists(path.join(tlsDir, 'cert.pem'))
        ? tlsFiles(tlsDir, endpoint?.SkipTLSVerify !== true, e)
        : undefined;
    return parseHost(endpoint.Host, source, contextTls);
  }
  return parseHost(e.platform === 'win32' ? `npipe://${DEFAULT_NPIPE}` : `unix://${DEFAULT_UNIX_SOCKET}`, 'default', () => undefined);
}

function tlsFiles(dir: string, verify: boolean, e: EndpointEnvironment): TlsFiles {
  const file = (name: string): string | undefined => (e.exists(path.join(dir, name)) ? path.join(dir, name) : undefined);
  return { verify, ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
}

/** Parses a daemon address as the docker CLI accepts it; `host:port` alone means tcp. */
export function parseHost(raw: string, source: string, tls: () => TlsFiles | undefined): EndpointResult {
  const fail = (error: string): EndpointResult => ({ ok: false, source, error });
  const make = (p: Omit<DockerEndpoint, 'source' | 'key'>): EndpointResult => ({
    ok: true,
    endpoint: { ...p, source, key: `${p.host}|${p.tls ? `tls:${p.tls.verify}:${p.tls.ca ?? ''}:${p.tls.cert ?? ''}` : 'plain'}` },
  });
  const none = { socketPath: undefined, hostname: undefined, port: undefined, username: undefined, tls: undefined };
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length) || DEFAULT_UNIX_SOCKET;
    return make({ ...none, kind: 'unix', host: `unix://${socketPath}`, socketPath });
  }
  if (raw.startsWith('npipe://')) {
    const socketPath = (raw.slice('npipe://'.length) || DEFAULT_NPIPE).replace(/\\/g, '/');
    return make({ ...none, kind: 'npipe', host: `npipe://${socketPath}`, socketPath });
  }
  if (raw.startsWith('fd://')) return fail(`${raw}: fd:// addresses only work for the daemon itself`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `tcp://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return fail(`"${raw}" is not a Docker daemon address (unix://, tcp://, ssh://, npipe://)`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname) return fail(`"${raw}" names no host`);
  if (scheme === 'ssh') {
    const port = url.port ? Number(url.port) : 22;
    const username = url.username ? decodeURIComponent(url.username) : undefined;
    return make({ ...none, kind: 'ssh', host: `ssh://${username ? `${username}@` : ''}${url.hostname}:${port}`, hostname, port, username });
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    const t = scheme === 'https' ? (tls() ?? { verify: true, ca: undefined, cert: undefined, key: undefined }) : scheme === 'http' ? undefined : tls();
    const port = url.port ? Number(url.port) : t ? 2376 : 2375;
    return make({ ...none, kind: 'tcp', host: `tcp://${url.hostname}:${port}`, hostname, port, tls: t });
  }
  return fail(`"${raw}": unsupported scheme ${scheme}:// (use unix://, tcp://, ssh:// or npipe://)`);
}
