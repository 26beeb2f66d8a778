import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tar from 'tar-stream';
import { testDaemon } from '../support/daemon';
import { BUSYBOX_IMAGE, dockerFor, ensureBusyboxImage } from '../support/images';

const daemon = testDaemon({
  podman: 'checks the private Engine 20.10 itself; the other engines are checked by the files that use them',
  docker26: 'checks the private Engine 20.10 itself; the other engines are checked by the files that use them',
});

describe('the private test daemon', { skip: daemon.skip }, () => {
  const docker = dockerFor(daemon.host ?? '');

  it('is a real Docker Engine on its own socket, API 1.41 or later', async () => {
    const version = await docker.version();
    assert.match(daemon.host!, /^unix:\/\/\/run\/layerwise-test\//);
    const [major, minor] = version.ApiVersion.split('.').map(Number) as [number, number];
    assert.ok(major > 1 || minor >= 41, version.ApiVersion);
  });

  it('builds a Dockerfile on a local base image and reports its history', async () => {
    const base = await ensureBusyboxImage(docker);
    assert.equal(base, BUSYBOX_IMAGE);
    const pack = tar.pack();
    pack.entry({ name: 'Dockerfile' }, `FROM ${base}\nRUN dd if=/dev/zero of=/blob bs=1024 count=64\nENV A=1\n`);
    pack.finalize();
    const tag = 'layerwise-test/smoke:latest';
    const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { t: tag, rm: true });
    const output: string[] = [];
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (err, res) => (err ? reject(err) : res.find((r: { error?: string }) => r.error) ? reject(new Error(JSON.stringify(res))) : resolve()),
        (e: { stream?: string }) => e.stream && output.push(e.stream),
      ),
    );
    const history = await docker.getImage(tag).history();
    const dd = history.find((h: { CreatedBy: string }) => h.CreatedBy.includes('dd if=/dev/zero'));
    assert.ok(dd, JSON.stringify(history.map((h: { CreatedBy: string }) => h.CreatedBy)));
    assert.equal(dd.Size, 64 * 1024);
  });
});
