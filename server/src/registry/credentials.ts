import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DOCKER_HUB } from './reference';

/**
 * Credentials for a registry as the docker CLI finds them: `credHelpers[registry]`, then
 * `credsStore`, then `auths` in `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`).
 * A helper is `docker-credential-<name> get` with the server address on stdin.
 */

export interface Credentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (`docker login` against registries that issue one): exchanged at the token realm, never sent as Basic. */
  identityToken?: string;
}

/** The key Docker Hub's credentials are stored under. */
const HUB_KEY = 'https://index.docker.io/v1/';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface CredentialOptions {
  env?: NodeJS.ProcessEnv;
  log?(message: string): void;
  /** A helper that does not answer within this is given up on (default 5 s). */
  helperTimeoutMs?: number;
}

function configPath(env: NodeJS.ProcessEnv): string {
  return path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'config.json');
}

/** `https://ghcr.io/v1/`, `ghcr.io` → `ghcr.io`; Docker Hub's aliases → `docker.io`. */
function hostOfKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0]!.toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

function readConfig(env: NodeJS.ProcessEnv, log: (m: string) => void): DockerConfig {
  const file = configPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as DockerConfig) : {};
  } catch (e) {
    log(`Registry credentials: ${file} is not JSON (${(e as Error).message}); going anonymous.`);
    return {};
  }
}

function runHelper(helper: string, server: string, o: Required<Pick<CredentialOptions, 'helperTimeoutMs'>> & { env: NodeJS.ProcessEnv; log(m: string): void }): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    const bin = `docker-credential-${helper}`;
    let out = '';
    let done = false;
    const finish = (c: Credentials | undefined, why?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (why) o.log(`Registry credentials: ${bin} get ${server}: ${why}`);
      resolve(c);
    };
    const child = spawn(bin, ['get'], { env: o.env, stdio: ['pipe', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(undefined, `no answer within ${o.helperTimeoutMs} ms`);
    }, o.helperTimeoutMs);
    child.on('error', (e) => finish(undefined, e.message));
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => {
      // "credentials not found in native keychain" exits 1: anonymous, not an error worth a line.
      if (code !== 0) return finish(undefined);
      try {
        const j = JSON.parse(out) as { Username?: string; Secret?: string };
        // A helper answers an identity token with the user name "<token>", as the docker CLI reads it.
        finish(!j.Secret ? undefined : j.Username === '<token>' ? { username: '', password: '', identityToken: j.Secret } : { username: j.Username ?? '', password: j.Secret });
      } catch {
        finish(undefined, 'the answer is not JSON');
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(server);
  });
}

/** The credentials the docker CLI would send to `registry` (as written in references), or undefined. */
export async function registryCredentials(registry: string, o: CredentialOptions = {}): Promise<Credentials | undefined> {
  const env = o.env ?? process.env;
  const log = o.log ?? (() => undefined);
  const config = readConfig(env, log);
  const host = registry.toLowerCase();
  const server = host === DOCKER_HUB ? HUB_KEY : host;
  const helperOptions = { env, log, helperTimeoutMs: o.helperTimeoutMs ?? 5000 };
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => hostOfKey(k) === host)?.[1];
  if (helper) return runHelper(helper, server, helperOptions);
  if (config.credsStore) return runHelper(config.credsStore, server, helperOptions);
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (hostOfKey(key) !== host || !entry) continue;
    if (entry.identitytoken) return { username: '', password: '', identityToken: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  }
  return undefined;
}
