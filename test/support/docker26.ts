import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBridge, ping, type DaemonResult } from './daemon';
import { extractDebs, trixieDebs } from './trixie-debs';

/**
 * The private Docker Engine 26 of the test suite, with the containerd image store: Debian 13
 * ("trixie") ships docker.io 26.1 and containerd 1.7, whose binaries run on Debian 12; their .deb
 * files come through trixie-debs.ts (cached, verified, extracted into a private folder: no system
 * package changes). Its own containerd (own root, state, socket), its own dockerd (data root, exec root,
 * socket) with `containerd-snapshotter`, its own bridge lw1. runc is Debian 12's (trixie's needs
 * a newer libc).
 */
const ROOT = '/run/layerwise-test-d26';
const DATA = '/var/lib/layerwise-test-d26';
const PKG = path.join(DATA, 'pkg');
const SOCKET = path.join(ROOT, 'docker.sock');
const CONTAINERD_SOCKET = path.join(ROOT, 'containerd', 'containerd.sock');
const BRIDGE = 'lw1';
const BRIDGE_ADDR = '172.30.98.1/24';
const PACKAGES = ['docker.io', 'containerd'];

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function stopper(children: { pid?: number }[], socket: string): () => Promise<void> {
  return async () => {
    for (const c of children) {
      try {
        process.kill(c.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const until = Date.now() + 15_000;
      while (Date.now() < until && (await ping(socket, 300))) await new Promise((r) => setTimeout(r, 200));
    }
  };
}

export async function startPrivateDocker26(log: (s: string) => void = () => undefined): Promise<DaemonResult> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { ok: false, reason: 'Engine 26 from Debian trixie .debs needs Linux on amd64' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the private Engine 26 needs root (containerd, dockerd, a bridge)' };
  for (const cmd of ['dpkg-deb', 'xz', 'runc', 'ip']) if (!have(cmd)) return { ok: false, reason: `${cmd} is not installed (Debian: node scripts/install-test-deps.mjs)` };
  if (await ping(SOCKET)) {
    log(`reusing the private Engine 26 already listening on ${SOCKET}`);
    return { ok: true, daemon: { host: `unix://${SOCKET}`, stop: async () => undefined } };
  }
  try {
    extractDebs(await trixieDebs(PACKAGES, log), PKG);
  } catch (e) {
    return { ok: false, reason: `could not get Engine 26 from Debian trixie: ${(e as Error).message}` };
  }
  const bridgeFailure = ensureBridge(BRIDGE, BRIDGE_ADDR);
  if (bridgeFailure) return { ok: false, reason: bridgeFailure };
  fs.mkdirSync(path.dirname(CONTAINERD_SOCKET), { recursive: true });
  const containerdConfig = path.join(ROOT, 'containerd.toml');
  fs.writeFileSync(
    containerdConfig,
    [
      'version = 2',
      `root = "${DATA}/containerd"`,
      `state = "${ROOT}/containerd/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${CONTAINERD_SOCKET}"`,
      '[ttrpc]',
      `  address = "${CONTAINERD_SOCKET}.ttrpc"`,
      '',
    ].join('\n'),
  );
  const daemonJson = path.join(ROOT, 'daemon.json');
  fs.writeFileSync(daemonJson, JSON.stringify({ features: { 'containerd-snapshotter': true } }));
  // Trixie's binaries first (the containerd shim is looked up on PATH), the system's runc after.
  const env = { ...process.env, PATH: `${PKG}/usr/bin:${PKG}/usr/sbin:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` };
  fs.rmSync(path.join(PKG, 'usr', 'sbin', 'runc'), { force: true });
  const logOf = (name: string): number => fs.openSync(path.join(ROOT, `${name}.log`), 'w');
  const containerd = spawn(path.join(PKG, 'usr/bin/containerd'), ['--config', containerdConfig], { stdio: ['ignore', logOf('containerd'), logOf('containerd')], detached: true, env, cwd: ROOT });
  containerd.unref();
  const dockerd = spawn(
    path.join(PKG, 'usr/sbin/dockerd'),
    [
      '--config-file', daemonJson,
      '--containerd', CONTAINERD_SOCKET,
      '--data-root', path.join(DATA, 'docker'),
      '--exec-root', path.join(ROOT, 'exec'),
      '--pidfile', path.join(ROOT, 'docker.pid'),
      '--host', `unix://${SOCKET}`,
      '--bridge', BRIDGE,
    ],
    { stdio: ['ignore', logOf('dockerd'), logOf('dockerd')], detached: true, env, cwd: ROOT },
  );
  dockerd.unref();
  const stop = stopper([dockerd, containerd], SOCKET);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await ping(SOCKET)) {
      log(`private Engine 26 (containerd image store) ready on ${SOCKET} (logs: ${ROOT}/dockerd.log, containerd.log)`);
      return { ok: true, daemon: { host: `unix://${SOCKET}`, stop } };
    }
    if (dockerd.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  const tail = fs.readFileSync(path.join(ROOT, 'dockerd.log'), 'utf8').split('\n').slice(-5).join('\n');
  return { ok: false, reason: `dockerd 26 did not become ready within 60 s:\n${tail}` };
}
