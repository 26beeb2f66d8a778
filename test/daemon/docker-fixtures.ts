/**
 * Fixtures for the layer-size tests: small Dockerfiles on the busybox test image whose layers
 * have known sizes (dd), built with BuildKit or the classic builder through the Engine API (the
 * code the editor's Build Image runs), or with the docker CLI; and the oracle the lenses are
 * checked against: `GET /images/{id}/history`, mapped to lines by position.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBuild, type BuildResult } from '../../server/src/docker/build';
import { DaemonClient, type HistoryEntry } from '../../server/src/docker/client';
import { resolveEndpoint } from '../../server/src/docker/endpoint';
import { processEnvironment } from '../../server/src/docker/service';
import type { Model } from '../../server/src/model/model';
import { stageByTarget, stageChain } from '../../server/src/docker/history-match';
import { BUSYBOX_IMAGE } from '../support/images';

/** A fresh value per test run, so builds are never served whole from an earlier run's cache. */
export const RUN_ID = randomBytes(4).toString('hex');

export async function connect(host: string): Promise<DaemonClient> {
  const r = resolveEndpoint(host, processEnvironment());
  if (!r.ok) throw new Error(r.error);
  return DaemonClient.connect(r.endpoint, { timeoutMs: 10_000 });
}

export function fixtureDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-fixture-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export async function apiBuild(
  client: DaemonClient,
  dir: string,
  o: { tag: string; builder: 'buildkit' | 'classic'; target?: string; buildArgs?: Record<string, string>; signal?: AbortSignal; onLine?: (l: string) => void },
): Promise<BuildResult> {
  const lines: string[] = [];
  const r = await runBuild(
    client,
    { contextDir: dir, dockerfile: 'Dockerfile', tag: o.tag, target: o.target, buildArgs: o.buildArgs ?? {}, builder: o.builder },
    {
      signal: o.signal,
      onLine: (l) => {
        lines.push(l);
        o.onLine?.(l);
      },
    },
  );
  if (!r.ok && !o.signal) assert.fail(`build of ${o.tag} failed: ${r.error}\n${lines.slice(-20).join('\n')}`);
  return r;
}

export const DOCKER_CLI = '/usr/bin/docker';

/** `docker build` against the same daemon, the CLI's output (status, stdout, stderr); undefined when there is no CLI. */
export function cliBuildRun(host: string, dir: string, tag: string, builder: 'buildkit' | 'classic' = 'buildkit'): { status: number | null; stdout: string; stderr: string } | undefined {
  if (!fs.existsSync(DOCKER_CLI)) return undefined;
  return spawnSync(DOCKER_CLI, ['build', '-q', '-t', tag, dir], {
    env: { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0', DOCKER_CONFIG: fs.mkdtempSync(path.join(os.tmpdir(), 'lw-cli-')) },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** `docker build` (DOCKER_BUILDKIT=1 unless `builder` says classic) against the same daemon: the image id; undefined when there is no CLI. */
export function cliBuild(host: string, dir: string, tag: string, builder: 'buildkit' | 'classic' = 'buildkit'): string | undefined {
  const r = cliBuildRun(host, dir, tag, builder);
  if (!r) return undefined;
  assert.equal(r.status, 0, `docker build failed: ${r.stderr}`);
  const id = r.stdout.trim();
  return /^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id; // Podman's classic build prints the bare hex
}

/** The busybox fixture: every kind of instruction, layers of known sizes. */
export function layeredDockerfile(marker: string): string {
  return [
    `FROM ${BUSYBOX_IMAGE}`,
    'ARG BLOCKS=64',
    `ENV LW_RUN=${marker} APP_HOME="/srv/app"`,
    'WORKDIR $APP_HOME',
    'COPY data.txt ./',
    'RUN dd if=/dev/zero of=/srv/app/a.bin bs=1024 count=${BLOCKS}',
    '# a comment between instructions',
    'RUN dd if=/dev/zero of=/srv/app/b.bin bs=1024 count=300 \\',
    '  && rm -f /srv/app/none',
    'LABEL org.example.fixture="layers"',
    'USER nobody',
    'EXPOSE 8080',
    'CMD ["sh"]',
    '',
  ].join('\n');
}

export const DATA_TXT = 'x'.repeat(1500);

/**
 * The oracle: for an image built from `text` exactly, the n-th instruction after FROM that leaves
 * a history entry owns the n-th entry after the base image's own entries (GET /images/{id}/history).
 */
export async function historyByLine(client: DaemonClient, model: Model, imageId: string, builder: 'buildkit' | 'classic', target?: string): Promise<{ byLine: Map<number, HistoryEntry>; history: HistoryEntry[]; baseSize: number }> {
  const history = await client.history(imageId);
  const stage = target ? stageByTarget(model, target)! : model.stages.at(-1)!;
  const chain = stageChain(stage);
  const rootRef = chain[0]!.base!.resolved!;
  const base = await client.history(rootRef);
  const insts = chain.flatMap((s) => s.instructions).filter((i) => i.keyword !== 'FROM' && !(builder === 'buildkit' && i.keyword === 'ONBUILD'));
  const oldestFirst = [...history].reverse();
  const mine = oldestFirst.slice(base.length);
  assert.equal(mine.length, insts.length, `history of ${imageId}: ${history.map((h) => h.CreatedBy).join(' | ')}`);
  return {
    byLine: new Map(insts.map((inst, k) => [inst.range.start.line, mine[k]!])),
    history,
    baseSize: oldestFirst.slice(0, base.length).reduce((n, e) => n + e.Size, 0),
  };
}

/**
 * A unix-socket proxy in front of the daemon that counts the HTTP requests going through it:
 * how the tests prove that lenses for new document versions do not ask the daemon.
 */
export async function countingProxy(daemonSocket: string): Promise<{ host: string; requests: string[]; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-proxy-'));
  const socket = path.join(dir, 'docker.sock');
  const requests: string[] = [];
  const conns = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(daemonSocket);
    conns.add(client);
    conns.add(upstream);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r\n/g)) requests.push(`${m[1]} ${m[2]}`);
    });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      conns.delete(client);
      conns.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    host: `unix://${socket}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function removeImage(client: DaemonClient, ref: string): Promise<void> {
  const docker = await client.streaming();
  await docker
    .getImage(ref)
    .remove({ force: true })
    .catch(() => undefined);
}
