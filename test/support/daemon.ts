import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The private Docker daemon of the test suite: its own socket, data root, exec root and bridge,
 * so it never touches a daemon, image or network of the machine it runs on.
 * `test/run.ts` starts it once and hands its address to every test file through
 * LAYERWISE_TEST_DOCKER_HOST, or the reason it could not run through LAYERWISE_TEST_DOCKER_SKIP.
 */
const ROOT = '/run/layerwise-test';
const SOCKET = path.join(ROOT, 'docker.sock');
const DATA_ROOT = '/var/lib/layerwise-test/data';
const BRIDGE = 'lw0';
const BRIDGE_ADDR = '172.30.99.1/24';

export interface DaemonHandle {
  host: string;
  stop(): Promise<void>;
}

export type DaemonResult = { ok: true; daemon: DaemonHandle } | { ok: false; reason: string };

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function isDebianRoot(): boolean {
  return process.getuid?.() === 0 && fs.existsSync('/etc/debian_version') && have('apt-get');
}

export function ping(socket: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/**
 * Removes the untagged images of one of our own test engines (POST /images/prune, dangling only)
 * before a run. Runs leave them behind as tags move, and BuildKit gives an image rebuilt from its
 * cache its first build's creation time: with hundreds of leftovers, an image a test builds can
 * fall outside the most recent ones the lens service reads. Returns how many went, or the error.
 */
export function pruneDanglingImages(host: string, timeoutMs = 120_000): Promise<number | string> {
  const filters = encodeURIComponent(JSON.stringify({ dangling: ['true'] }));
  return new Promise((resolve) => {
    const req = http.request({ socketPath: host.replace(/^unix:\/\//, ''), path: `/images/prune?filters=${filters}`, method: 'POST', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
        try {
          resolve(((JSON.parse(body) as { ImagesDeleted?: unknown[] | null }).ImagesDeleted ?? []).length);
        } catch {
          resolve(`not JSON: ${body.slice(0, 200)}`);
        }
      });
    });
    req.on('error', (e) => resolve(e.message));
    req.on('timeout', () => {
      req.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    });
    req.end();
  });
}

/** Creates (once) and raises a test engine's own bridge; the reason when it cannot. */
export function ensureBridge(name: string, address: string): string | undefined {
  try {
    if (spawnSync('ip', ['link', 'show', name], { stdio: 'ignore' }).status !== 0) {
      execFileSync('ip', ['link', 'add', name, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', address, 'dev', name]);
    }
    execFileSync('ip', ['link', 'set', name, 'up']);
    return undefined;
  } catch (e) {
    return `could not create the test bridge ${name}: ${(e as Error).message.split('\n')[0]}`;
  }
}

export async function startPrivateDaemon(log: (s: string) => void = () => undefined): Promise<DaemonResult> {
  if (os.platform() !== 'linux') return { ok: false, reason: 'the private Docker daemon needs Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the private Docker daemon needs root (dockerd, a bridge)' };
  if (!have('dockerd')) {
    if (!isDebianRoot()) return { ok: false, reason: 'dockerd is not installed and this is not Debian as root' };
    log('installing docker.io from Debian (needed for the daemon tests)');
    const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static'], {
      stdio: 'inherit',
    });
    if (r.status !== 0 || !have('dockerd')) return { ok: false, reason: 'installing docker.io failed' };
  }
  fs.mkdirSync(ROOT, { recursive: true });
  fs.mkdirSync(DATA_ROOT, { recursive: true });
  if (await ping(SOCKET)) {
    log(`reusing the private daemon already listening on ${SOCKET}`);
    return { ok: true, daemon: { host: `unix://${SOCKET}`, stop: async () => undefined } };
  }
  const bridgeFailure = ensureBridge(BRIDGE, BRIDGE_ADDR);
  if (bridgeFailure) return { ok: false, reason: bridgeFailure };
  const logFile = path.join(ROOT, 'dockerd.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(
    'dockerd',
    [
      '--data-root', DATA_ROOT,
      '--exec-root', path.join(ROOT, 'exec'),
      '--pidfile', path.join(ROOT, 'docker.pid'),
      '--host', `unix://${SOCKET}`,
      '--bridge', BRIDGE,
    ],
    { stdio: ['ignore', out, out], detached: true },
  );
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ping(SOCKET)) {
      log(`private daemon ready on ${SOCKET} (log: ${logFile})`);
      return {
        ok: true,
        daemon: {
          host: `unix://${SOCKET}`,
          // By its pidfile: a test may have restarted it (restartPrivateDaemon), and that one must stop too.
          stop: () => stopPrivateDaemon(child.pid!),
        },
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    process.kill(child.pid!, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-5).join('\n');
  return { ok: false, reason: `dockerd did not become ready within 30 s:\n${tail}` };
}

const PIDFILE = path.join(ROOT, 'docker.pid');

function daemonPid(fallback?: number): number | undefined {
  try {
    return Number(fs.readFileSync(PIDFILE, 'utf8').trim()) || fallback;
  } catch {
    return fallback;
  }
}

async function stopPrivateDaemon(fallbackPid?: number): Promise<void> {
  const pid = daemonPid(fallbackPid);
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + 15_000;
  while (Date.now() < until && (await ping(SOCKET, 300))) await new Promise((r) => setTimeout(r, 200));
  // dockerd removes its pidfile last: wait for the process itself, so a new one can take the data root.
  while (Date.now() < until) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Restarts the private Engine 20.10 daemon (SIGTERM, as `systemctl restart docker` does, then the
 * same command line): for tests of a daemon that restarts under a client. Only the private one.
 */
export async function restartPrivateDaemon(log: (s: string) => void = () => undefined): Promise<void> {
  if (!(await ping(SOCKET))) throw new Error(`no private daemon on ${SOCKET} to restart`);
  await stopPrivateDaemon();
  const r = await startPrivateDaemon(log);
  if (!r.ok) throw new Error(`the private daemon did not come back: ${r.reason}`);
}

/**
 * The engines the daemon tier runs on, each a private daemon started by test/run.ts: Docker
 * Engine 20.10 (classic image store), Podman 4.3 (its Docker-compatible API), Docker Engine 26
 * with the containerd image store. test/run.ts runs the tier once per engine with
 * LAYERWISE_TEST_ENGINE set; a file run by hand is on Engine 20.10.
 */
export const TEST_ENGINES = ['docker20', 'podman', 'docker26'] as const;
export type TestEngine = (typeof TEST_ENGINES)[number];
export const ENGINE_LABELS: Record<TestEngine, string> = {
  docker20: 'Docker Engine 20.10',
  podman: 'Podman 4.3',
  docker26: 'Docker Engine 26 (containerd image store)',
};

export function testEngine(): TestEngine {
  const e = process.env.LAYERWISE_TEST_ENGINE;
  return (TEST_ENGINES as readonly string[]).includes(e ?? '') ? (e as TestEngine) : 'docker20';
}

/** A skip reason when the current engine cannot run a test (the reason says why), else false. */
export function unsupportedOn(reasons: Partial<Record<TestEngine, string>>): string | false {
  const why = reasons[testEngine()];
  return why ? `not on ${ENGINE_LABELS[testEngine()]}: ${why}` : false;
}

/**
 * Why a BuildKit build cannot run on the current engine, or false. Measured on Podman 4.3: `POST
 * /session` answers 404 (the docker CLI with DOCKER_BUILDKIT=1 fails "unable to upgrade to h2c,
 * received 404") and `/build?version=2` builds with buildah all the same (history without `# buildkit`).
 */
export const PODMAN_NO_BUILDKIT =
  'Podman 4.3 has no BuildKit: POST /session answers 404, and /build?version=2 builds with buildah (no "# buildkit" history, no BuildKit progress); the classic variant of this test runs on Podman';
export function buildkitSkip(): string | false {
  return unsupportedOn({ podman: PODMAN_NO_BUILDKIT });
}

/** The builder of tests about images rather than builders: BuildKit where the engine has it. */
export function defaultBuilder(): 'buildkit' | 'classic' {
  return buildkitSkip() ? 'classic' : 'buildkit';
}

/**
 * What a daemon test needs: the private daemon's address, or the reason to skip. `unsupported`
 * names the engines a whole file cannot run on, and why.
 */
export function testDaemon(unsupported: Partial<Record<TestEngine, string>> = {}): { host: string; skip: false; engine: TestEngine } | { host: undefined; skip: string; engine: TestEngine } {
  const engine = testEngine();
  const host = process.env.LAYERWISE_TEST_DOCKER_HOST;
  const why = unsupportedOn(unsupported);
  if (why) return { host: undefined, skip: why, engine };
  if (host) return { host, skip: false, engine };
  return { host: undefined, skip: `no private ${ENGINE_LABELS[engine]}: ${process.env.LAYERWISE_TEST_DOCKER_SKIP ?? 'run the tests through npm test'}`, engine };
}
