import type Docker from 'dockerode';
import * as tar from 'tar-stream';

/** Builds a Dockerfile (and context files) with the classic builder through the Engine API. */
export async function buildClassic(docker: Docker, dockerfile: string, tag: string, files: Record<string, string> = {}): Promise<{ id: string; log: string }> {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  for (const [name, text] of Object.entries(files)) pack.entry({ name }, text);
  pack.finalize();
  const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { t: tag, rm: true, forcerm: true });
  let log = '';
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err, res: { error?: string }[]) => {
        const failed = res?.find((r) => r.error);
        if (err || failed) reject(new Error(`build of ${tag} failed: ${err?.message ?? failed?.error}\n${log.slice(-3000)}`));
        else resolve();
      },
      (e: { stream?: string }) => {
        if (e.stream) log += e.stream;
      },
    ),
  );
  const info = await docker.getImage(tag).inspect();
  return { id: info.Id, log };
}

/** Runs an image's default command and returns its stdout. */
export async function runOutput(docker: Docker, image: string): Promise<string> {
  const container = await docker.createContainer({ Image: image, Tty: false, HostConfig: { AutoRemove: false } });
  try {
    await container.start();
    await container.wait();
    const logs = await container.logs({ stdout: true, stderr: false });
    return demux(logs as unknown as Buffer);
  } finally {
    await container.remove({ force: true });
  }
}

/** Docker's multiplexed log stream: 8-byte headers, then payload. */
function demux(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString('utf8');
    i += 8 + len;
  }
  return out;
}
