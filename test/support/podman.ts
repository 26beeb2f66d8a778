import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ping, type DaemonResult } from './daemon';

/**
 * The private Podman of the test suite (Debian's 4.3): `podman system service` serving the
 * Docker-compatible API on its own socket, with its own storage (CONTAINERS_STORAGE_CONF), its
 * own containers.conf (cgroupfs, file events, a private CNI config dir) and its own bridge `lw2`,
 * so it shares nothing with a Podman or Docker of the machine, nor with the other test engines.
 */
const ROOT = '/run/layerwise-test-podman';
const DATA = '/var/lib/layerwise-test-podman';
const SOCKET = path.join(ROOT, 'podman.sock');
const BRIDGE = 'lw2';
const SUBNET = '172.30.97.0/24';
const GATEWAY = '172.30.97.1';

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function writeConfig(): Record<string, string> {
  fs.mkdirSync(path.join(ROOT, 'cni'), { recursive: true });
  fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
  fs.mkdirSync(DATA, { recursive: true });
  const storage = path.join(ROOT, 'storage.conf');
  fs.writeFileSync(storage, `[storage]\ndriver = "overlay"\nrunroot = "${ROOT}/run"\ngraphroot = "${DATA}/storage"\n`);
  const containers = path.join(ROOT, 'containers.conf');
  fs.writeFileSync(
    containers,
    [
      '[network]',
      'network_backend = "cni"',
      `network_config_dir = "${ROOT}/cni"`,
      'default_network = "lwpodman"',
      `default_subnet = "${SUBNET}"`,
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${ROOT}/events.log"`,
      `tmp_dir = "${ROOT}/tmp"`,
      `volume_path = "${DATA}/volumes"`,
      '',
    ].join('\n'),
  );
  const bridge = {
    type: 'bridge',
    bridge: BRIDGE,
    isGateway: true,
    ipMasq: true,
    hairpinMode: true,
    ipam: { type: 'host-local', routes: [{ dst: '0.0.0.0/0' }], ranges: [[{ subnet: SUBNET, gateway: GATEWAY }]] },
  };
  fs.writeFileSync(
    path.join(ROOT, 'cni', 'lwpodman.conflist'),
    JSON.stringify({ cniVersion: '0.4.0', name: 'lwpodman', plugins: [bridge, { type: 'portmap', capabilities: { portMappings: true } }, { type: 'firewall' }] }),
  );
  return { CONTAINERS_STORAGE_CONF: storage, CONTAINERS_CONF: containers };
}

/** The environment a `podman` command needs to act on the private engine's storage. */
export function podmanEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_STORAGE_CONF: path.join(ROOT, 'storage.conf'), CONTAINERS_CONF: path.join(ROOT, 'containers.conf') };
}

export async function startPrivatePodman(log: (s: string) => void = () => undefined): Promise<DaemonResult> {
  if (process.platform !== 'linux') return { ok: false, reason: 'the private Podman needs Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the private Podman runs as root (overlay storage, a bridge)' };
  if (!have('podman')) return { ok: false, reason: 'podman is not installed (Debian: apt-get install podman)' };
  const env = { ...process.env, ...writeConfig() };
  if (await ping(SOCKET)) {
    log(`reusing the private Podman already listening on ${SOCKET}`);
    return { ok: true, daemon: { host: `unix://${SOCKET}`, stop: async () => undefined } };
  }
  fs.rmSync(SOCKET, { force: true });
  const logFile = path.join(ROOT, 'podman.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${SOCKET}`], { stdio: ['ignore', out, out], detached: true, env, cwd: ROOT });
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ping(SOCKET)) {
      log(`private Podman ready on ${SOCKET} (log: ${logFile})`);
      return {
        ok: true,
        daemon: {
          host: `unix://${SOCKET}`,
          stop: async () => {
            try {
              process.kill(child.pid!, 'SIGTERM');
            } catch {
              return;
            }
            const until = Date.now() + 15_000;
            while (Date.now() < until && (await ping(SOCKET, 300))) await new Promise((r) => setTimeout(r, 200));
          },
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
  return { ok: false, reason: `podman system service did not answer within 30 s:\n${tail}` };
}
