/**
 * `npm run bench` (part): Analyze Image on each engine the daemon tier runs on (Docker Engine
 * 20.10, Engine 26 with the containerd image store, Podman 4.3), started by the same starters.
 * The fixture images are built once on Engine 20.10 and loaded into the others from its export,
 * so every engine holds the same files. Per engine and image, the median of ROUNDS rounds of:
 * the export alone (`GET /images/{id}/get` into a file: what the engine delivers), the analysis
 * alone (analyzeExport on that file: what Layerwise adds), and the whole Analyze Image as the
 * editor runs it (analyzeOnDaemon). Writes a table into docs/BENCHMARKS.md between its own markers.
 * Run it under `flock /tmp/lw-daemon.lock` (it starts the private engines).
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { analyzeExport } from '../../server/src/analyze/analyze';
import { analyzeOnDaemon } from '../../server/src/analyze/run';
import type { DaemonClient } from '../../server/src/docker/client';
import { humanSize } from '../../server/src/docker/units';
import { apiBuild, connect, fixtureDir } from '../daemon/docker-fixtures';
import { ENGINE_LABELS, startPrivateDaemon, TEST_ENGINES, type DaemonResult, type TestEngine } from '../support/daemon';
import { startPrivateDocker26 } from '../support/docker26';
import { dockerFor, ensureBusyboxImage } from '../support/images';
import { startPrivatePodman } from '../support/podman';
import { analyzeImageDockerfile, analyzeImageSpecs, type AnalyzeImageSpec } from './analyze-images';
import { BENCHMARKS_DOC, benchMarks, writeBenchSection } from './benchmarks-doc';

const ROOT = path.resolve(__dirname, '..', '..');
const { start: START_MARK, end: END_MARK } = benchMarks('analyze-engines');
const ROUNDS = Number(process.env.LAYERWISE_BENCH_ROUNDS ?? 3);

const STARTERS: Record<TestEngine, (log: (s: string) => void) => Promise<DaemonResult>> = {
  docker20: startPrivateDaemon,
  docker26: startPrivateDocker26,
  podman: startPrivatePodman,
};

const SPECS = analyzeImageSpecs('layerwise-bench/engines');

async function exportToFile(client: DaemonClient, id: string, file: string): Promise<{ ms: number; firstByteMs: number; bytes: number }> {
  const t0 = performance.now();
  const stream = (await client.exportImage(id)) as NodeJS.ReadableStream;
  let firstByteMs = 0;
  stream.once('data', () => (firstByteMs = performance.now() - t0));
  await pipeline(stream, createWriteStream(file));
  return { ms: performance.now() - t0, firstByteMs, bytes: statSync(file).size };
}

/** Loads a docker-archive into an engine (`POST /images/load`), as `docker load` does. */
async function loadInto(host: string, archive: string): Promise<void> {
  const docker = dockerFor(host);
  const res = await docker.loadImage(archive);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(res, (err) => (err ? reject(err) : resolve())));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbps = (bytes: number, ms: number): string => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

interface Row {
  engine: TestEngine;
  spec: AnalyzeImageSpec;
  format: string;
  bytes: number;
  entries: number;
  wasted: number;
  exportMs: number;
  firstByteMs: number;
  analysisMs: number;
  wholeMs: number;
}

async function measure(engine: TestEngine, host: string, spec: AnalyzeImageSpec, scratch: string): Promise<Row> {
  const client = await connect(host);
  const inspected = await client.inspect(spec.tag);
  if (!inspected) throw new Error(`${spec.tag} is not on ${ENGINE_LABELS[engine]}`);
  const file = path.join(scratch, `${engine}.tar`);
  const exports: { ms: number; firstByteMs: number }[] = [];
  const analyses: number[] = [];
  const wholes: number[] = [];
  let bytes = 0;
  let entries = 0;
  let wasted = 0;
  let format = '';
  await exportToFile(client, inspected.Id, file); // warm the engine's and the page cache
  for (let round = 0; round < ROUNDS; round++) {
    const e = await exportToFile(client, inspected.Id, file);
    exports.push(e);
    bytes = e.bytes;
    const t0 = performance.now();
    const a = await analyzeExport(createReadStream(file, { highWaterMark: 1 << 20 }), { image: spec.tag });
    analyses.push(performance.now() - t0);
    entries = a.layers.reduce((n, l) => n + l.added + l.modified + l.removed, 0);
    wasted = a.wastedBytes;
    format = a.format;
    const t1 = performance.now();
    const whole = await analyzeOnDaemon(client, spec.tag);
    wholes.push(performance.now() - t1);
    if (!whole.ok) throw new Error(`Analyze Image on ${ENGINE_LABELS[engine]}: ${whole.error}`);
    if (whole.analysis.wastedBytes !== wasted) throw new Error(`${engine}: the file gave ${wasted} wasted bytes, the daemon ${whole.analysis.wastedBytes}`);
  }
  rmSync(file, { force: true });
  const row: Row = {
    engine,
    spec,
    format,
    bytes,
    entries,
    wasted,
    exportMs: median(exports.map((e) => e.ms)),
    firstByteMs: median(exports.map((e) => e.firstByteMs)),
    analysisMs: median(analyses),
    wholeMs: median(wholes),
  };
  process.stdout.write(`${line(row)}\n`);
  return row;
}

function line(r: Row): string {
  return `| ${ENGINE_LABELS[r.engine]} | ${r.spec.tag} | ${r.format} | ${humanSize(r.bytes)} | ${r.entries.toLocaleString('en-US')} | ${humanSize(r.wasted)} | ${secs(r.exportMs)} (first byte ${secs(r.firstByteMs)}), ${mbps(r.bytes, r.exportMs)} | ${secs(r.analysisMs)}, ${mbps(r.bytes, r.analysisMs)}, ${Math.round(r.entries / (r.analysisMs / 1000)).toLocaleString('en-US')} files/s | ${secs(r.wholeMs)}, ${mbps(r.bytes, r.wholeMs)} |`;
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const picked = process.env.LAYERWISE_TEST_ENGINES?.split(',').filter((e): e is TestEngine => (TEST_ENGINES as readonly string[]).includes(e));
  const engines: TestEngine[] = picked?.length ? picked : ['docker20', 'docker26', 'podman'];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'lw-engines-bench-'));
  const stops: (() => Promise<void>)[] = [];
  const rows: Row[] = [];
  const loads: string[] = [`start ${loadavg()}`];
  try {
    const hosts = new Map<TestEngine, string>();
    for (const engine of new Set<TestEngine>(['docker20', ...engines])) {
      const r = await STARTERS[engine]((s) => process.stdout.write(`[${engine}] ${s}\n`));
      if (!r.ok) throw new Error(`${ENGINE_LABELS[engine]} did not start: ${r.reason}`);
      stops.push(() => r.daemon.stop());
      hosts.set(engine, r.daemon.host);
    }
    // The fixtures, built once by BuildKit on Engine 20.10 and saved.
    const source = await connect(hosts.get('docker20')!);
    await ensureBusyboxImage(dockerFor(hosts.get('docker20')!));
    const archives = new Map<string, string>();
    for (const s of SPECS) {
      let image = await source.inspect(s.tag);
      if (!image) {
        process.stdout.write(`building ${s.tag}…\n`);
        await apiBuild(source, fixtureDir({ Dockerfile: analyzeImageDockerfile(s) }), { tag: s.tag, builder: 'buildkit' });
        image = (await source.inspect(s.tag))!;
      }
      const archive = path.join(scratch, `${s.tag.replace(/\W+/g, '-')}.tar`);
      await pipeline((await source.exportImage(s.tag)) as NodeJS.ReadableStream, createWriteStream(archive));
      archives.set(s.tag, archive);
    }
    for (const engine of engines) {
      const host = hosts.get(engine)!;
      const client = await connect(host);
      for (const s of SPECS) {
        if (engine !== 'docker20' && !(await client.inspect(s.tag))) {
          process.stdout.write(`[${engine}] loading ${s.tag}…\n`);
          await loadInto(host, archives.get(s.tag)!);
        }
        rows.push(await measure(engine, host, s, scratch));
      }
      loads.push(`after ${ENGINE_LABELS[engine]} ${loadavg()}`);
    }
  } finally {
    for (const stop of stops) await stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const s of SPECS) {
    const wasted = new Set(rows.filter((r) => r.spec === s).map((r) => r.wasted));
    if (wasted.size > 1) throw new Error(`${s.tag}: the engines disagree on the wasted bytes: ${[...wasted].join(', ')}`);
  }
  const section = [
    START_MARK,
    '## Analyze Image on each engine',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.platform}/${process.arch}, Node ${process.version}, ${os.cpus().length} cores shared with other work;`,
    `load average (1, 5, 15 min) ${loads.join('; ')}. Command: \`flock /tmp/lw-daemon.lock npx tsx test/bench/analyze-engines-bench.ts\``,
    '(part of `npm run bench`). Each engine is the private one the daemon tier starts; the images are built once by BuildKit on',
    'Engine 20.10 (files of random bytes in one layer, one big file in the next, a tenth of the small files deleted) and',
    `loaded into the others from its export, so all hold the same files. Median of ${ROUNDS} rounds of each column:`,
    '"export": `GET /images/{id}/get` written to a file (what the engine delivers, with the wait for its first byte, plus',
    'the write to the local disk, which is why the whole Analyze Image, writing nothing, can take less on this shared disk);',
    '"analysis": the analysis of that file alone (what Layerwise adds; files/s counts the entries the layers add, change or',
    'remove); "Analyze Image": the whole command as the editor runs it, the analysis reading the export as it streams.',
    '',
    '| engine | image | export format | export size | files | wasted | export | analysis | Analyze Image |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(line),
    '',
    '"export format": the layout the analysis read (Engine 26 writes an OCI layout with a docker-archive `manifest.json`',
    'beside it, which is read first). The wasted bytes must be the same on every engine (the same files): the benchmark',
    'fails otherwise, and also when the analysis of the file and Analyze Image on the engine disagree.',
    END_MARK,
  ].join('\n');
  writeBenchSection('analyze-engines', section);
  process.stdout.write(`\nWrote ${path.relative(ROOT, BENCHMARKS_DOC)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
