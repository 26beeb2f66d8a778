import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import Docker from 'dockerode';
import * as tar from 'tar-stream';

/** Every image the tests make is named below this prefix, so they are easy to tell apart and remove. */
export const TEST_IMAGE_PREFIX = 'layerwise-test/';
export const BUSYBOX_IMAGE = `${TEST_IMAGE_PREFIX}busybox:local`;

export function dockerFor(host: string): Docker {
  return new Docker({ socketPath: host.replace(/^unix:\/\//, ''), timeout: 120_000 });
}

/**
 * A 2 MB base image from Debian's static busybox, imported through the Engine API: no registry is
 * reachable here, and FROM needs something local.
 */
export async function ensureBusyboxImage(docker: Docker): Promise<string> {
  const existing = await docker.listImages({ filters: JSON.stringify({ reference: [BUSYBOX_IMAGE] }) });
  if (existing.length) return BUSYBOX_IMAGE;
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const pack = tar.pack();
  for (const dir of ['bin', 'tmp', 'etc', 'root']) pack.entry({ name: dir, type: 'directory', mode: dir === 'tmp' ? 0o1777 : 0o755 });
  pack.entry({ name: 'bin/busybox', mode: 0o755 }, fs.readFileSync(busybox));
  for (const applet of applets) {
    if (applet !== 'busybox') pack.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox' });
  }
  pack.entry({ name: 'etc/passwd' }, 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  pack.entry({ name: 'etc/group' }, 'root:x:0:\nnogroup:x:65534:\n');
  pack.finalize();
  const [repo, tag] = BUSYBOX_IMAGE.split(':') as [string, string];
  const stream = await docker.importImage(pack as unknown as NodeJS.ReadableStream, { repo, tag });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  // Podman 4.3's compatible import drops `tag` (the image comes out as `repo:latest`).
  const tagged = await docker.getImage(BUSYBOX_IMAGE).inspect().then(() => true, () => false);
  if (!tagged) await docker.getImage(`${repo}:latest`).tag({ repo, tag });
  return BUSYBOX_IMAGE;
}
