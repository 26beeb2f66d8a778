/**
 * `npx tsx test/bench/cache-bench.ts`: the build-cache report (server/src/cache) on a generated
 * repository of 10,000 commits (made with `git fast-import`, a seeded mix of source, docs,
 * lockfile, Dockerfile and .dockerignore edits). Times the cold computation for the last 200 and
 * all 10,000 commits, the warm (cached per HEAD) call, and the event loop's worst delay while the
 * cold 10,000-commit computation runs (perf_hooks.monitorEventLoopDelay; a server that blocked
 * would show it here). Prints a markdown table and writes it into docs/BENCHMARKS.md between its
 * own markers.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { cacheReport, type CacheReport } from '../../server/src/cache/report';
import { benchMarks, writeBenchSection } from './benchmarks-doc';

const { start: START_MARK, end: END_MARK } = benchMarks('cache');
const COMMITS = 10_000;

/** mulberry32: the same history on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function dockerfile(variant: number): string {
  return [
    'FROM node:20-slim',
    'WORKDIR /app',
    `ENV NODE_ENV=production APP_REV=${variant % 7}`,
    'COPY package.json package-lock.json ./',
    'RUN npm ci --omit=dev',
    'COPY . .',
    `RUN npm run build -- --level=${variant % 3}`,
    'EXPOSE 8080',
    'CMD ["node", "dist/server.js"]',
    '',
  ].join('\n');
}

/** The fast-import stream of the whole history, and the share of commits of each kind. */
function history(): { stream: Buffer; kinds: Record<string, number> } {
  const rand = prng(42);
  const parts: Buffer[] = [];
  const kinds: Record<string, number> = {};
  const blob = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  let dfVariant = 0;
  let ignoreVariant = 0;
  const ignore = (v: number): string => `.git\nnode_modules\nREADME.md\ndocs\nDockerfile\n.dockerignore\n${v % 2 ? '*.tmp\n' : ''}`;
  for (let i = 0; i < COMMITS; i++) {
    const files: Record<string, string> = {};
    let kind: string;
    if (i === 0) {
      kind = 'init';
      files['Dockerfile'] = dockerfile(0);
      files['.dockerignore'] = ignore(0);
      files['package.json'] = '{"name":"bench","scripts":{"build":"tsc"}}';
      files['package-lock.json'] = '{"lockfileVersion":3}';
      files['README.md'] = '# bench';
      for (let f = 0; f < 200; f++) files[`src/mod${f}/index.ts`] = `export const v = 0;\n`;
      for (let f = 0; f < 50; f++) files[`docs/page${f}.md`] = `# ${f}\n`;
    } else {
      const r = rand();
      if (r < 0.7) {
        kind = 'source';
        const n = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < n; k++) files[`src/mod${Math.floor(rand() * 200)}/index.ts`] = `export const v = ${i}_${k};\n`;
      } else if (r < 0.85) {
        kind = 'docs / README (ignored)';
        files[rand() < 0.5 ? 'README.md' : `docs/page${Math.floor(rand() * 50)}.md`] = `# ${i}\n`;
      } else if (r < 0.9) {
        kind = 'lockfile';
        files['package-lock.json'] = `{"lockfileVersion":3,"rev":${i}}`;
      } else if (r < 0.95) {
        kind = 'Dockerfile';
        files['Dockerfile'] = dockerfile(++dfVariant);
      } else if (r < 0.97) {
        kind = '.dockerignore';
        files['.dockerignore'] = ignore(++ignoreVariant);
      } else {
        kind = 'tests and CI config';
        files[`test/t${Math.floor(rand() * 30)}.test.ts`] = `// ${i}\n`;
      }
    }
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const when = 1_600_000_000 + i * 600;
    let cmd = `commit refs/heads/main\nmark :${i + 1}\ncommitter Bench <bench@layerwise.invalid> ${when} +0000\n${blob(`${kind} ${i}`)}`;
    if (i > 0) cmd += `from :${i}\n`;
    for (const [p, text] of Object.entries(files)) cmd += `M 100644 inline ${p}\n${blob(text)}`;
    parts.push(Buffer.from(cmd + '\n'));
  }
  return { stream: Buffer.concat(parts), kinds };
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(2)} ms`;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-cache-bench-'));
  try {
    const t0 = performance.now();
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    const { stream, kinds } = history();
    const imported = spawnSync('git', ['fast-import', '--quiet'], { cwd: dir, input: stream, maxBuffer: 1 << 26 });
    if (imported.status !== 0) throw new Error(`git fast-import failed: ${imported.stderr.toString()}`);
    execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: dir }); // the temporary repository's work tree
    const generateMs = performance.now() - t0;
    const df = path.join(dir, 'Dockerfile');

    const cold200 = await timed(() => cacheReport(df, { commits: 200 }));
    const loop = monitorEventLoopDelay({ resolution: 1 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const load = os.loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    loop.enable();
    const cold10k = await timed(() => cacheReport(df, { commits: COMMITS }));
    loop.disable();
    const cpu = process.cpuUsage(cpu0);
    clearInterval(ticker);
    const warm = await timed(() => cacheReport(df, { commits: COMMITS }));
    const warm200 = await timed(() => cacheReport(df, { commits: 200 }));

    const share = (r: CacheReport, text: string): string => `${(r.instructions.find((l) => l.instruction === text)!.rerunShare * 100).toFixed(1)}%`;
    const maxDelay = loop.max / 1e6;
    const p99 = loop.percentile(99) / 1e6;
    const expectedTicks = Math.floor(cold10k.ms / 10);
    const rows: [string, string][] = [
      ['cold, last 200 commits', fmtMs(cold200.ms)],
      [`cold, all ${COMMITS.toLocaleString('en-US')} commits`, fmtMs(cold10k.ms)],
      [`warm (cached per HEAD), ${COMMITS.toLocaleString('en-US')} commits`, fmtMs(warm.ms)],
      ['warm, 200 commits', fmtMs(warm200.ms)],
      [`event loop during the cold ${COMMITS.toLocaleString('en-US')}-commit run: max delay`, fmtMs(maxDelay)],
      ['… p99 delay', fmtMs(p99)],
      ['… 10 ms timer ticks that ran', `${ticks} of ~${expectedTicks}`],
      [`CPU time of the Node process during the cold ${COMMITS.toLocaleString('en-US')}-commit call`, fmtMs((cpu.user + cpu.system) / 1000)],
    ];
    const table = ['| Figure | Time |', '|---|---:|', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n');
    const mix = Object.entries(kinds)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const text = [
      START_MARK,
      '## Build-cache report on a long history',
      '',
      `\`npx tsx test/bench/cache-bench.ts\` (${os.cpus().length} cores, Node ${process.version}, ${execFileSync('git', ['--version']).toString().trim()}). ` +
        `A generated repository of ${COMMITS.toLocaleString('en-US')} commits (fast-import, ${fmtMs(generateMs)}; ${mix}); ` +
        'the Dockerfile copies the manifests, runs `npm ci`, then `COPY . .` and a build.',
      '',
      table,
      '',
      `- **cold**: first \`cacheReport\` call for that HEAD and N: one streamed \`git log --first-parent --name-only\`, one \`git ls-tree\`, one \`git cat-file --batch\` for the Dockerfile and .dockerignore versions, then the per-commit computation, which yields to the event loop every 8 ms.`,
      '- **warm**: the same call again; the history scan and the result are cached per (repository, HEAD, Dockerfile, N) and per Dockerfile text.',
      `- **event loop**: \`monitorEventLoopDelay\` (1 ms resolution) and a 10 ms \`setInterval\` running during the cold ${COMMITS.toLocaleString('en-US')}-commit call. ` +
        `The machine's 1-minute load average was ${load.toFixed(1)} when it started: on a shared machine the worst delays include time the process was not scheduled; no step of the computation runs longer than one commit's work between two yields.`,
      `- Result (all ${COMMITS.toLocaleString('en-US')} commits): \`RUN npm ci --omit=dev\` re-runs on ${share(cold10k.value, 'RUN npm ci --omit=dev')} of commits, \`COPY . .\` on ${share(cold10k.value, 'COPY . .')}; over the last 200: ${share(cold200.value, 'RUN npm ci --omit=dev')} and ${share(cold200.value, 'COPY . .')}.`,
      END_MARK,
    ].join('\n');
    console.log(text);
    writeBenchSection('cache', text);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
