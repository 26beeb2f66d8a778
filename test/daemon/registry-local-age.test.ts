import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import type Docker from 'dockerode';
import type { DaemonClient } from '../../server/src/docker/client';
import { testDaemon, unsupportedOn } from '../support/daemon';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';
import { startRegistry, type RegistryHandle } from '../support/registry';
import { connect, removeImage, RUN_ID } from './docker-fixtures';
import { until } from '../support/until';

/**
 * The FROM hover and lens say whether the local base image is what its tag points to in the
 * registry now, through the real server, the private daemon and a private registry: the daemon
 * pushes an image (its RepoDigest is the digest served: current), then another image is pushed
 * under the same tag while the local tag keeps the first (older, with `docker pull` to update).
 */

const SERVER = path.resolve('server/out/server.js');
const LOCAL_DIGESTS = 'its RepoDigests list unpushed local digests, so they say nothing about what a registry serves';
const daemon = testDaemon();
const skip = daemon.skip || unsupportedOn({ podman: LOCAL_DIGESTS, docker26: LOCAL_DIGESTS });

async function push(docker: Docker, repo: string, tag: string): Promise<void> {
  const stream = await docker.getImage(repo).push({ tag, authconfig: {} });
  const out = await new Promise<{ error?: string }[]>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, o: { error?: string }[]) => (err ? reject(err) : resolve(o))));
  assert.deepEqual(out.filter((p) => p.error), []);
}

describe('the local base image against the registry, in the FROM hover and lens', { skip }, () => {
  let registry: RegistryHandle | undefined;
  let skipReason: string | undefined;
  let client: DaemonClient;
  let docker: Docker;
  let repo = '';
  let newer = '';
  let dir = '';
  let uri = '';
  let text = '';
  const host = daemon.host ?? '';
  const servers: LspClient[] = [];

  before(async () => {
    const started = await startRegistry();
    if (!started.ok) return void (skipReason = started.reason);
    registry = started.registry;
    client = await connect(host);
    docker = await client.streaming();
    await ensureBusyboxImage(docker);
    repo = `${registry.host}/lw-test/age-${RUN_ID}`;
    await docker.getImage(BUSYBOX_IMAGE).tag({ repo, tag: '1' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-local-age-'));
    text = `FROM ${repo}:1\nRUN true\n`;
    fs.writeFileSync(path.join(dir, 'Dockerfile'), text);
    uri = pathToFileURL(path.join(dir, 'Dockerfile')).href;
  });
  after(async () => {
    for (const s of servers) await s.shutdown();
    if (registry) {
      await removeImage(client, `${repo}:1`);
      if (newer) await removeImage(client, newer);
      await registry.stop();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh server (registry answers are cached for minutes): the hover's local-image line and the lens title. */
  async function ask(): Promise<{ hover: string; lens: string }> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-home-'));
    const lsp = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: home, DOCKER_HOST: host },
      settings: { layerwise: { registry: { enabled: true } } },
    });
    servers.push(lsp);
    await lsp.initialize({ capabilities: DEFAULT_CLIENT_CAPABILITIES, rootUri: pathToFileURL(dir).href });
    await lsp.didOpen(uri, text, 1);
    // The registry answer and the daemon's facts arrive in the background, in either order.
    const hover = await until('a hover with the local image line', async () => {
      const h = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 8 } });
      const value = h ? (h.contents as MarkupContent).value : '';
      return /^- local image: .*$/m.exec(value)?.[0];
    });
    const lens = await until('the registry lens', async () => {
      const lenses = await lsp.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      return lenses.find((l) => l.command?.title.startsWith('registry:') && l.command.title.includes('local image'))?.command!.title;
    });
    await lsp.shutdown();
    servers.splice(servers.indexOf(lsp), 1);
    return { hover, lens };
  }

  it('current after the push; older once another image is pushed under the same tag', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const name = repo.slice(registry!.host.length + 1);
    await push(docker, repo, '1');
    const first = await registry!.manifestDigest(name, '1');
    assert.match(first ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok((await docker.getImage(`${repo}:1`).inspect()).RepoDigests.includes(`${repo}@${first}`));
    const before = await ask();
    assert.equal(before.hover, '- local image: current, what the tag points to now');
    assert.match(before.lens, / · local image current$/);

    // Another image (a commit of an unstarted container: a new config) pushed as the same tag,
    // then the local tag moved back to the first image, as on a machine that has not pulled since.
    const container = await docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: ['true'] });
    try {
      const committed = (await container.commit({ repo, tag: '1', changes: `LABEL layerwise.test=${RUN_ID}` })) as { Id: string };
      newer = committed.Id;
    } finally {
      await container.remove({ force: true });
    }
    await push(docker, repo, '1');
    const second = await registry!.manifestDigest(name, '1');
    assert.match(second ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(second, first);
    await docker.getImage(BUSYBOX_IMAGE).tag({ repo, tag: '1' });
    assert.deepEqual((await docker.getImage(`${repo}:1`).inspect()).RepoDigests.filter((d) => d.startsWith(repo)), [`${repo}@${first}`]);

    const afterPush = await ask();
    assert.equal(afterPush.hover, `- local image: older, not what the tag points to now (local \`${first!.slice(0, 19)}…\`): \`docker pull\` to update`);
    assert.match(afterPush.lens, / · local image older: docker pull$/);
  });
});
