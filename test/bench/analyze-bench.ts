/**
 * `npm run bench` (part): Analyze Image throughput and memory on images built locally on the
 * private test daemon. For each image, alternately: read `GET /images/{id}/get` to nowhere (the
 * ceiling: what the daemon and the socket deliver) and run the full analysis on the same stream,
 * three rounds each; then the peak RSS of `layerwise analyze --json` (the bundled command line) in
 * a process of its own. Writes a table into docs/BENCHMARKS.md between its own markers.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { analyzeOnDaemon } from '../../server/src/analyze/run';
import type { DaemonClient } from '../../server/src/docker/client';
import { humanSize } from '../../server/src/docker/units';
import { apiBuild, connect, fixtureDir } from '../daemon/docker-fixtures';
import { startPrivateDaemon } from '../support/daemon';
import { dockerFor, ensureBusyboxImage } from '../support/images';
import { readProcStatusKiB } from '../support/lsp-client';
import { analyzeImageDockerfile, analyzeImageSpecs, type AnalyzeImageSpec } from './analyze-images';
import { BENCHMARKS_DOC, benchMarks, writeBenchSection } from './benchmarks-doc';

const ROOT = path.resolve(__dirname, '..', '..');
const { start: START_MARK, end: END_MARK } = benchMarks('analyze');
const ROUNDS = 5;

const SPECS = analyzeImageSpecs('layerwise-bench/analyze');

async function ensureImage(client: DaemonClient, s: AnalyzeImageSpec): Promise<string> {
  const existing = await client.inspect(s.tag);
  if (existing) return existing.Id;
  process.stdout.write(`building ${s.tag}…\n`);
  const r = await apiBuild(client, fixtureDir({ Dockerfile: analyzeImageDockerfile(s) }), { tag: s.tag, builder: 'buildkit' });
  return r.imageId!;
}

async function rawRead(client: DaemonClient, id: string): Promise<{ bytes: number; ms: number; firstByteMs: number }> {
  const t0 = performance.now();
  const stream = await client.exportImage(id);
  let firstByteMs = 0;
  let bytes = 0;
  await pipeline(
    stream as NodeJS.ReadableStream,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (!bytes) firstByteMs = performance.now() - t0;
        bytes += chunk.length;
        cb();
      },
    }),
  );
  return { bytes, ms: performance.now() - t0, firstByteMs };
}

async function analysisRun(client: DaemonClient, id: string): Promise<{ bytes: number; ms: number; firstByteMs: number; wasted: number }> {
  const t0 = performance.now();
  let firstByteMs = 0;
  const r = await analyzeOnDaemon(client, id, {
    onProgress: (bytes) => {
      if (bytes > 0 && !firstByteMs) firstByteMs = performance.now() - t0;
    },
  });
  if (!r.ok) throw new Error(r.error);
  return { bytes: r.analysis.archiveSize, ms: performance.now() - t0, firstByteMs, wasted: r.analysis.wastedBytes };
}

/** Peak RSS (VmHWM) of `node server/out/cli.js analyze ID --json`, polled until it exits. */
async function cliPeakRss(host: string, id: string): Promise<{ kib: number; ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'server/out/cli.js'), 'analyze', id, '--json'], {
    env: { ...process.env, DOCKER_HOST: host },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let peak = 0;
  const poll = setInterval(() => {
    void readProcStatusKiB(child.pid, 'VmHWM').then((v) => {
      if (v && v > peak) peak = v;
    });
  }, 25);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`layerwise analyze exited with ${code}`);
  return { kib: peak, ms: performance.now() - t0 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

async function main(): Promise<void> {
  const started = await startPrivateDaemon((s) => process.stdout.write(`[daemon] ${s}\n`));
  if (!started.ok) throw new Error(`the analyze benchmark needs the private daemon: ${started.reason}`);
  const host = started.daemon.host;
  await ensureBusyboxImage(dockerFor(host));
  const client = await connect(host);
  const rows: string[] = [];
  const rss: number[] = [];
  for (const s of SPECS) {
    const id = await ensureImage(client, s);
    await rawRead(client, id); // warm the page cache for both sides
    const raw: number[] = [];
    const firstByte: number[] = [];
    const rawStreaming: number[] = [];
    const anaStreaming: number[] = [];
    const ana: number[] = [];
    let bytes = 0;
    let wasted = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const r = await rawRead(client, id);
      raw.push(mbps(r.bytes, r.ms));
      firstByte.push(r.firstByteMs);
      rawStreaming.push(mbps(r.bytes, r.ms - r.firstByteMs));
      const a = await analysisRun(client, id);
      ana.push(mbps(a.bytes, a.ms));
      anaStreaming.push(mbps(a.bytes, a.ms - a.firstByteMs));
      if (a.bytes !== r.bytes) throw new Error(`the analysis read ${a.bytes} bytes, the raw read ${r.bytes}`);
      bytes = a.bytes;
      wasted = a.wasted;
    }
    const peak = await cliPeakRss(host, id);
    rss.push(peak.kib);
    const ratio = median(ana) / median(raw);
    rows.push(
      `| ${s.tag} | ${humanSize(bytes)} | ${s.files.toLocaleString('en-US')} | ${humanSize(wasted)} | ${(median(firstByte) / 1000).toFixed(1)} s | ${median(raw).toFixed(0)} MB/s | ${median(ana).toFixed(0)} MB/s | ${ratio.toFixed(2)}× | ${median(rawStreaming).toFixed(0)} / ${median(anaStreaming).toFixed(0)} MB/s (${(median(anaStreaming) / median(rawStreaming)).toFixed(2)}×) | ${(peak.kib / 1024).toFixed(0)} MiB |`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const section = [
    START_MARK,
    '## Analyze Image: throughput and memory',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.platform}/${process.arch}, Node ${process.version}, load average ${load}, with`,
    '`npm run bench` (this part: `npx tsx test/bench/analyze-bench.ts`). Images are built by the benchmark on the private',
    'test daemon (files of random bytes in one layer, one big file in the next, a tenth of the small files deleted).',
    `Throughput: the median of ${ROUNDS} alternating rounds of reading \`GET /images/{id}/get\` to nowhere ("raw") and of the`,
    'whole analysis on the same stream, in one process. Peak RSS: VmHWM of `layerwise analyze ID --json` (the bundle) in its own process.',
    '',
    '| image | export | small files | wasted | first byte | raw read | analysis | analysis / raw | after the first byte: raw / analysis | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '"First byte": how long the daemon prepares the export before sending anything (moby writes it to a temporary folder',
    'first); "raw read" and "analysis" include it, as a user waits for it either way; the next column leaves it out. The',
    'daemon shares the 2 cores and the disk with the reader, so single rounds vary by ±20%: the median is what counts.',
    '',
    `Peak RSS from the 100 MB to the 1 GB image: ${(rss[0]! / 1024).toFixed(0)} → ${(rss[1]! / 1024).toFixed(0)} MiB (the file records grow with the number of files, not with bytes).`,
    END_MARK,
  ].join('\n');
  writeBenchSection('analyze', section);
  process.stdout.write(`\nWrote ${path.relative(ROOT, BENCHMARKS_DOC)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
