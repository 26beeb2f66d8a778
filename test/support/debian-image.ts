import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { TEST_IMAGE_PREFIX } from './images';

export const DEBIAN_IMAGE = `${TEST_IMAGE_PREFIX}debian:bookworm-local`;

function mirror(): string {
  try {
    const sources = fs.readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8');
    const m = /^URIs:\s*(\S+)/m.exec(sources);
    if (m) return m[1]!;
  } catch {
    /* fall through */
  }
  return 'http://deb.debian.org/debian';
}

/**
 * A minimal Debian bookworm base image made with debootstrap (about 25 s) and imported through
 * the Engine API; no registry is reachable here. Containers reach Debian's mirror, so apt works.
 */
export async function ensureDebianImage(docker: Docker): Promise<string> {
  const existing = await docker.listImages({ filters: JSON.stringify({ reference: [DEBIAN_IMAGE] }) });
  if (existing.length) return DEBIAN_IMAGE;
  if (spawnSync('sh', ['-c', 'command -v debootstrap'], { stdio: 'ignore' }).status !== 0) throw new Error('debootstrap is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-debootstrap-'));
  try {
    const r = spawnSync('debootstrap', ['--variant=minbase', 'bookworm', dir, mirror()], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`debootstrap failed: ${(r.stderr || r.stdout).slice(-2000)}`);
    const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, tag] = DEBIAN_IMAGE.split(':') as [string, string];
    const stream = await docker.importImage(tar.stdout, { repo, tag });
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return DEBIAN_IMAGE;
}
