/**
 * `npx tsx test/bench/next-build-bench.ts`: the next-build prediction (server/src/cache/next-build*)
 * on a context of 10,000 files (100 folders of 100 files of about 200 bytes, plus ignored ones),
 * a multi-stage Dockerfile whose `COPY . .` takes them all. After one recorded build: a clean
 * start (a new ContextReader: every file hashed), the same call again with nothing changed, and a
 * prediction after a one-file edit (only that file hashed again). Median of 5 runs each (wall
 * and CPU time of the process). Prints a
 * markdown table and writes it into docs/BENCHMARKS.md between its own markers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ContextReader } from '../../server/src/cache/context-snapshot';
import { BuildInputsStore, predictNow, recordNow, type NextBuildInputs } from '../../server/src/cache/next-build-store';
import { initShellParser } from '../../server/src/model/shell';
import { benchMarks, writeBenchSection } from './benchmarks-doc';

const { start: START_MARK, end: END_MARK } = benchMarks('next-build');
const FILES = 10_000;
const RUNS = 5;

const DOCKERFILE = [
  'FROM node:20-slim AS deps',
  'WORKDIR /app',
  'COPY package.json package-lock.json ./',
  'RUN npm ci',
  'COPY . .',
  'FROM deps AS build',
  'ARG VERSION=1',
  'RUN npm run build',
  'FROM node:20-slim AS runtime',
  'COPY --from=build /app/dist /app',
  'CMD ["node", "/app/server.js"]',
  '',
].join('\n');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  await initShellParser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-next-build-bench-'));
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-next-build-store-'));
  try {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    fs.writeFileSync(path.join(dir, '.dockerignore'), 'node_modules\n*.log\nDockerfile\n');
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"bench"}');
    fs.writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion":3}');
    for (let d = 0; d < FILES / 100; d++) {
      fs.mkdirSync(path.join(dir, 'src', `mod${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, 'src', `mod${d}`, `file${f}.ts`), `export const v${f} = ${d * 100 + f};\n`.padEnd(200, '/'));
    }
    fs.mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
    for (let f = 0; f < 1000; f++) fs.writeFileSync(path.join(dir, 'node_modules', 'dep', `f${f}.js`), 'x');
    const store = new BuildInputsStore(storeDir);
    const inputs = (reader: ContextReader): NextBuildInputs => ({
      dockerfilePath: path.join(dir, 'Dockerfile'),
      settings: { buildArgs: {} },
      imageId: async () => 'sha256:bench',
      reader,
    });
    await recordNow(inputs(new ContextReader()), store, 'sha256:built');

    const time = async (reader: ContextReader, before?: (i: number) => void): Promise<{ ms: number[]; cpu: number[]; hashed: number; reruns: number }> => {
      const ms: number[] = [];
      const cpu: number[] = [];
      let hashed = 0;
      let reruns = 0;
      for (let i = 0; i < RUNS; i++) {
        before?.(i);
        const r = reader === shared ? reader : new ContextReader();
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const p = await predictNow(inputs(r), store);
        const c = process.cpuUsage(c0);
        ms.push(performance.now() - t0);
        cpu.push((c.user + c.system) / 1000);
        hashed = r.lastHashed;
        if (p.kind !== 'prediction') throw new Error(`no prediction: ${JSON.stringify(p)}`);
        reruns = p.prediction.steps.filter((s) => s.willRun === true).length;
      }
      return { ms, cpu, hashed, reruns };
    };
    const shared = new ContextReader();
    const clean = await time(new ContextReader());
    await predictNow(inputs(shared), store);
    const unchanged = await time(shared);
    const edited = await time(shared, (i) => fs.writeFileSync(path.join(dir, 'src', 'mod42', 'file7.ts'), `export const v7 = ${i + 1};\n`));

    const rows: [string, Awaited<ReturnType<typeof time>>][] = [
      ['clean start (every file hashed)', clean],
      ['nothing changed since the last look', unchanged],
      ['one source file edited', edited],
    ];
    const section = [
      START_MARK,
      '## Next-build prediction on a context of 10,000 files',
      '',
      `\`npx tsx test/bench/next-build-bench.ts\` (${os.cpus().length} cores, Node ${process.version}, 1-minute load average ${os.loadavg()[0]!.toFixed(1)} at the start). ${FILES.toLocaleString('en-US')} files of 200 bytes in 100 folders (plus 1,000 in an ignored node_modules), a three-stage Dockerfile whose \`COPY . .\` takes them all, one recorded build; \`predictNow\` (read the Dockerfile, walk and stat the context, hash what changed, describe the steps, compare with the record). Median of ${RUNS} runs.`,
      '',
      '| Prediction | Wall, median | Wall, min | CPU, median | Files hashed | Steps that re-run |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(([name, r]) => `| ${name} | ${fmtMs(median(r.ms))} | ${fmtMs(Math.min(...r.ms))} | ${fmtMs(median(r.cpu))} | ${r.hashed} | ${r.reruns} |`),
      '',
      '- **clean start**: a new ContextReader each time (the editor after a restart): every file of the context is read and hashed.',
      '- On a loaded machine the wall time is mostly waiting for a core: the CPU column is the work done.',
      '- **nothing changed / one file edited**: the reader of the editor, which keeps each file\'s hash keyed by its size, inode, mtime and ctime: the walk still stats all 10,000 files (the cost that remains), only the edited one is read again.',
      END_MARK,
    ].join('\n');
    console.log(section);
    writeBenchSection('next-build', section);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}

void main();
