/**
 * `npm run bench` (its pathological section): a 1 MB Dockerfile of each shape in PATHOLOGIES
 * (test/support/fuzz.ts) opened in the bundled server next to a small document that is being
 * edited. Per shape: the time from didOpen to the big document's diagnostics, and how much later
 * than usual the small document's diagnostics arrive while the big one is being worked on (its
 * edits are sent every 10 ms; the delay is the worst latency minus the median latency with
 * nothing else open). Targets: under 1 s and under 50 ms. Written into docs/BENCHMARKS.md.
 *
 *   node scripts/build.mjs && npx tsx test/bench/pathological-bench.ts [--sizes 1000000,limit] [--only <shape substring>]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { documentTooLarge } from '../../server/src/engine/budget';
import { ParsedDocument } from '../../server/src/engine/document';
import { lintDocument } from '../../server/src/engine/lint';
import { initShellParser } from '../../server/src/model/shell';
import { PATHOLOGIES, percentile } from '../support/fuzz';
import { LspClient } from '../support/lsp-client';
import { benchMarks, writeBenchSection } from './benchmarks-doc';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'server/out/server.js');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
/** 1 MB (the issue's size, over the lint limits: answered by the limit's diagnostic); `limit`: the largest size of the shape the limits let through (linted in full). */
const SIZES = arg('sizes', '1000000,limit').split(',');
const ONLY = arg('only', '');
/** Give up on a shape after this long (reported as "> N s"). */
const GIVE_UP_MS = 120_000;

const SMALL = 'FROM alpine:3.20\nRUN apk add --no-cache curl\nCOPY . /app\nCMD ["/app/run"]\n';

interface Row {
  shape: string;
  bytes: number;
  diagnosticsMs: number | undefined;
  diagnostics: number;
  delayMs: number;
  edits: number;
}

/** Sends an edit of the small document and resolves with how long its diagnostics took. */
async function smallRoundTrip(client: LspClient, uri: string, version: number): Promise<number> {
  const t0 = performance.now();
  const wait = client.waitForDiagnostics(uri, { version }, GIVE_UP_MS);
  await client.didChange(uri, version, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: version % 2 ? '#' : '' }]);
  await wait;
  return performance.now() - t0;
}

/**
 * Per shape, the largest document the limits still let through (engine/budget.ts) and the CPU
 * time of linting it in this process (a fresh document, after a warm-up on a slightly smaller one): what the
 * limits bound, independent of the machine's load.
 */
/** The largest size (within 64 characters) at which a shape is still linted. */
function largestLinted(make: (chars: number) => string): number {
  let lo = 8;
  let hi = 300_000;
  while (hi - lo > 64) {
    const mid = (lo + hi) >> 1;
    if (documentTooLarge(make(mid))) hi = mid;
    else lo = mid;
  }
  return lo;
}

async function atTheLimits(): Promise<string[]> {
  await initShellParser();
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const rows: string[] = [];
  for (const [shape, make] of Object.entries(PATHOLOGIES)) {
    if (ONLY && !shape.includes(ONLY)) continue;
    const size = largestLinted(make);
    // The warm-up is a slightly smaller document: the same RUN scripts would come from the shell parse cache.
    lintDocument(new ParsedDocument('file:///bench/Dockerfile', 1, make(size - 256)), DEFAULT_SETTINGS);
    const text = make(size);
    const c0 = cpu();
    const count = lintDocument(new ParsedDocument('file:///bench/Dockerfile', 1, text), DEFAULT_SETTINGS).length;
    const ms = cpu() - c0;
    rows.push(`| ${shape} | ${(text.length / 1000).toFixed(1)} KB | ${ms.toFixed(0)} ms${ms > 1000 ? ' ✗' : ''} | ${count} |`);
  }
  return rows;
}

async function main(): Promise<void> {
  const limits = await atTheLimits();
  const rows: Row[] = [];
  for (const size of SIZES) for (const [shape, make] of Object.entries(PATHOLOGIES)) {
    if (ONLY && !shape.includes(ONLY)) continue;
    const client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], settings: { layerwise: { docker: { host: 'unix:///nonexistent/layerwise-bench.sock' } } } });
    await client.initialize({ timeoutMs: 120_000 });
    const small = 'untitled:small';
    const opened = client.waitForDiagnostics(small, { version: 1 });
    await client.didOpen(small, SMALL, 1);
    await opened;
    // The small document's usual latency, with nothing else to do (after a warm-up).
    let version = 1;
    const idle: number[] = [];
    for (let i = 0; i < 15; i++) idle.push(await smallRoundTrip(client, small, ++version));
    const usual = percentile(idle.slice(5), 50);

    const text = make(size === 'limit' ? largestLinted(make) : Number(size));
    const big = 'untitled:big';
    const t0 = performance.now();
    const bigDone = client
      .waitForDiagnostics(big, { version: 1 }, GIVE_UP_MS)
      .then((d) => ({ ms: performance.now() - t0, count: d.diagnostics.length }))
      .catch(() => undefined);
    await client.didOpen(big, text, 1);
    let finished = false;
    void bigDone.then(() => (finished = true));
    // Edit the small document every 10 ms while the big one is worked on, one round trip at a time.
    const during: number[] = [];
    while (!finished && performance.now() - t0 < GIVE_UP_MS) {
      during.push(await smallRoundTrip(client, small, ++version).catch(() => GIVE_UP_MS));
      await new Promise((r) => setTimeout(r, 10));
    }
    const result = await bigDone;
    rows.push({
      shape,
      bytes: Buffer.byteLength(text),
      diagnosticsMs: result?.ms,
      diagnostics: result?.count ?? 0,
      delayMs: Math.max(0, (during.length ? Math.max(...during) : 0) - usual),
      edits: during.length,
    });
    const r = rows[rows.length - 1]!;
    console.log(`${shape}: ${(r.bytes / 1e6).toFixed(2)} MB, diagnostics ${r.diagnosticsMs === undefined ? 'none' : `${r.diagnosticsMs.toFixed(0)} ms`} (${r.diagnostics}), small document delayed ${r.delayMs.toFixed(0)} ms over ${r.edits} edits (usual ${usual.toFixed(1)} ms)`);
    await client.shutdown(5_000);
  }
  const fmt = (v: number | undefined, target: number): string => (v === undefined ? `> ${GIVE_UP_MS / 1000} s` : `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms${v > target ? ' ✗' : ''}`);
  const { start, end } = benchMarks('pathological');
  const section = [
    start,
    '## 1 MB documents of each pathological shape, and the largest that are linted',
    '',
    `\`npx tsx test/bench/pathological-bench.ts\` (after \`node scripts/build.mjs\`), ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, ` +
      `load average ${os.loadavg()[0]!.toFixed(1)} at the end (a shared machine). The shapes are PATHOLOGIES in test/support/fuzz.ts at ${SIZES.map((n) => (n === 'limit' ? 'the largest size the limits let through' : `about ${(Number(n) / 1e6).toFixed(2)} MB`)).join(' and ')} each ` +
      '(over 256 KiB, over 2,000 instructions or with a logical line over 16 KiB, a document is not linted: one information diagnostic says so; below that it is linted in steps with turns of the event loop between them), ' +
      'opened in the bundled server next to a small Dockerfile that is edited every 10 ms (each edit waits for its diagnostics). ' +
      'Time to diagnostics is from didOpen of the big document to its publish; the delay is the small document\'s worst round trip while the big one was worked on, minus its median round trip with nothing else to do. ' +
      'Targets: under 1 s and under 50 ms (✗ marks a miss).',
    '',
    '| Shape | Size | Time to diagnostics | Diagnostics | Other document delayed by | Edits meanwhile |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.shape} | ${r.bytes >= 100_000 ? `${(r.bytes / 1e6).toFixed(2)} MB` : `${(r.bytes / 1e3).toFixed(1)} KB`} | ${fmt(r.diagnosticsMs, 1000)} | ${r.diagnostics} | ${fmt(r.delayMs, 50)} | ${r.edits} |`),
    '',
    'The largest document of each shape that the limits (engine/budget.ts: 256 KiB, 2,000 instructions, 16 KiB in one logical line) still let through, ' +
      'and the CPU time of `lintDocument` on it in the bench process (parse, model, syntax checks and rules of a fresh document, after a warm-up on a slightly smaller one): ' +
      'the most one document can cost, whatever the load. Target: under 1 s (✗ marks a miss).',
    '',
    '| Shape | Largest linted | Lint CPU time | Diagnostics |',
    '| --- | ---: | ---: | ---: |',
    ...limits,
    end,
  ].join('\n');
  console.log(section);
  if (!ONLY) writeBenchSection('pathological', section);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
