/**
 * `npm run bench`: drives Layerwise's language server and the peer dockerfile-language-server-nodejs
 * through the same LSP sequence over stdio, in the same run, alternating between them step by step
 * so that both see the same machine state:
 *   1. initialize: spawn → initialize response (median of 5 spawns each);
 *   2. open → diagnostics on every file of shared/corpus/real (p50/p90), closing each after;
 *   3. change → diagnostics on the largest file (200 edits, each waiting for its diagnostics);
 *   4. peak RSS (VmHWM) of each long-running server process just before shutdown.
 * Prints a markdown table and writes it into docs/BENCHMARKS.md between its own markers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { LspClient, type ReceivedDiagnostics } from '../support/lsp-client';
import { BENCHMARKS_DOC, benchMarks, writeBenchSection } from './benchmarks-doc';
import { cpuModel, editScript, ms, percentile } from './lsp-common';

const ROOT = path.resolve(__dirname, '..', '..');
const CORPUS = process.env.LAYERWISE_BENCH_CORPUS ?? '/work/shared/corpus/real';
const EDIT_FILE = 'apache__airflow__Dockerfile';
const INIT_SPAWNS = 5;
const EDITS = 200;
const WAIT_MS = 15_000;
const { start: START_MARK, end: END_MARK } = benchMarks('lsp');

interface ServerSpec {
  key: 'ours' | 'peer';
  label: string;
  args: string[];
}

function packageVersion(dir: string): string {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '?';
}

const PEER_DIR = path.join(ROOT, 'node_modules', 'dockerfile-language-server-nodejs');
/** Our bundled server; BENCH_OURS_SERVER points at another build (e.g. of an older commit) to compare. */
const OURS_SERVER = path.resolve(process.env.BENCH_OURS_SERVER ?? path.join(ROOT, 'server', 'out', 'server.js'));

/** Which source the measured server was built from: BENCH_OURS_REV, or this checkout's commit (+dirty). */
function oursRevision(): string {
  if (process.env.BENCH_OURS_REV) return process.env.BENCH_OURS_REV;
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
const SERVERS: ServerSpec[] = [
  {
    key: 'ours',
    label: `Layerwise ${packageVersion(ROOT)}`,
    args: [OURS_SERVER, '--stdio'],
  },
  {
    key: 'peer',
    label: `dockerfile-language-server-nodejs ${packageVersion(PEER_DIR)}`,
    args: [path.join(PEER_DIR, 'bin', 'docker-langserver'), '--stdio'],
  },
];

/** Extra node flags for the long-running sessions, e.g. `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`. */
const SESSION_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

function startServer(spec: ServerSpec, nodeArgs: string[] = []): LspClient {
  // Every `workspace/configuration` item is answered with null: each server's defaults.
  return LspClient.spawn({ command: process.execPath, args: [...nodeArgs, ...spec.args], cwd: ROOT });
}

interface Session {
  spec: ServerSpec;
  client: LspClient;
  openTimes: number[];
  changeTimes: number[];
  syncKind: 0 | 1 | 2;
  /** Diagnostics published on open, over the whole corpus. */
  diagnosticsOnOpen: number;
  filesWithErrors: number;
  peakRssKiB: number | undefined;
  cpuMs: number | undefined;
}

function isOurs(s: Session): boolean {
  return s.spec.key === 'ours';
}

async function measureInitialize(spec: ServerSpec): Promise<number> {
  const t0 = performance.now();
  const client = startServer(spec);
  await client.initialize({ sendInitialized: false });
  const dt = performance.now() - t0;
  await client.notify('initialized', {});
  await client.shutdown();
  return dt;
}

/** Opens `uri` and returns the time from didOpen to its diagnostics. */
async function openAndTime(s: Session, uri: string, text: string): Promise<ReceivedDiagnostics & { elapsed: number }> {
  const wait = s.client.waitForDiagnostics(uri, { version: 1 }, WAIT_MS);
  const t0 = performance.now();
  void s.client.didOpen(uri, text, 1);
  const d = await wait;
  return { ...d, elapsed: d.receivedAt - t0 };
}

async function closeAndSettle(s: Session, uri: string): Promise<void> {
  // Both servers clear a closed document's diagnostics with one publish; wait for it so that it
  // cannot be mistaken for the next measurement's publish.
  const cleared = s.client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0, 2_000).catch(() => undefined);
  void s.client.didClose(uri);
  await cleared;
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  for (const spec of SERVERS) {
    if (!existsSync(spec.args[0]!)) throw new Error(`Missing ${spec.args[0]}: run \`node scripts/build.mjs\` / install dependencies first.`);
  }
  const files = readdirSync(CORPUS)
    .filter((f) => !f.endsWith('.tsv'))
    .sort();
  if (!files.includes(EDIT_FILE)) throw new Error(`${EDIT_FILE} is not in ${CORPUS}`);

  // 1. initialize, alternating which server goes first in each round.
  const initTimes = new Map<string, number[]>(SERVERS.map((s) => [s.key, []]));
  for (let round = 0; round < INIT_SPAWNS; round++) {
    const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
    for (const spec of order) initTimes.get(spec.key)!.push(await measureInitialize(spec));
  }
  process.stderr.write(`initialize done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);

  // 2 + 3 + 4 use one long-running process per server.
  const sessions: Session[] = [];
  for (const spec of SERVERS) {
    const client = startServer(spec, SESSION_NODE_ARGS);
    await client.initialize();
    sessions.push({
      spec,
      client,
      openTimes: [],
      changeTimes: [],
      syncKind: client.textDocumentSyncKind,
      diagnosticsOnOpen: 0,
      filesWithErrors: 0,
      peakRssKiB: undefined,
      cpuMs: undefined,
    });
  }

  // 2. open → diagnostics, file by file, alternating servers.
  for (const [i, name] of files.entries()) {
    const file = path.join(CORPUS, name);
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');
    const order = i % 2 === 0 ? sessions : [...sessions].reverse();
    for (const s of order) {
      const d = await openAndTime(s, uri, text);
      s.openTimes.push(d.elapsed);
      s.diagnosticsOnOpen += d.diagnostics.length;
      if (d.diagnostics.some((x) => x.severity === 1)) s.filesWithErrors++;
      await closeAndSettle(s, uri);
    }
  }
  process.stderr.write(`open → diagnostics done on ${files.length} files (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);

  // 3. change → diagnostics on the largest file.
  const editPath = path.join(CORPUS, EDIT_FILE);
  const editUri = pathToFileURL(editPath).href;
  const original = readFileSync(editPath, 'utf8');
  const editLines = original.split('\n').length;
  const script = editScript(original, EDITS);
  for (const s of sessions) await openAndTime(s, editUri, original);
  for (const [k, edit] of script.entries()) {
    const version = k + 2;
    const order = k % 2 === 0 ? sessions : [...sessions].reverse();
    for (const s of order) {
      const change = s.syncKind === 2 ? { range: edit.range, rangeLength: edit.rangeLength, text: edit.text } : { text: edit.after };
      // Ours sends the version; the peer does not, so for it this is the next publish after the change.
      const wait = s.client.waitForDiagnostics(editUri, { version }, WAIT_MS);
      const t0 = performance.now();
      void s.client.didChange(editUri, version, [change]);
      const d = await wait;
      s.changeTimes.push(d.receivedAt - t0);
    }
  }
  for (const s of sessions) await closeAndSettle(s, editUri);
  process.stderr.write(`change → diagnostics done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);

  // 4. peak RSS just before shutdown.
  for (const s of sessions) {
    s.peakRssKiB = await s.client.peakRssKiB();
    s.cpuMs = await s.client.cpuTimeMs();
    await s.client.shutdown();
  }
  const totalSeconds = (performance.now() - started) / 1000;
  const loadAfter = os.loadavg()[0]!;

  const [ours, peer] = [sessions.find(isOurs)!, sessions.find((s) => !isOurs(s))!];
  const syncName = (k: number): string => (k === 2 ? 'incremental' : k === 1 ? 'full text' : 'none');
  const mib = (kib: number | undefined): string => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
  const cpu = (s: Session): string => (s.cpuMs === undefined ? 'n/a' : `${(s.cpuMs / 1000).toFixed(1)} s`);
  const row = (figure: string, f: (s: Session) => string): string => `| ${figure} | ${f(ours)} | ${f(peer)} |`;
  const initMedian = (s: Session): string => ms(percentile(initTimes.get(s.spec.key)!, 50));
  const table = [
    `| Figure | ${ours.spec.label} | ${peer.spec.label} |`,
    '|---|---:|---:|',
    row(`initialize (median of ${INIT_SPAWNS} spawns)`, initMedian),
    row(`open → diagnostics p50 (${files.length} files)`, (s) => ms(percentile(s.openTimes, 50))),
    row(`open → diagnostics p90 (${files.length} files)`, (s) => ms(percentile(s.openTimes, 90))),
    row(`change → diagnostics p50 (${EDITS} edits, ${editLines} lines)`, (s) => ms(percentile(s.changeTimes, 50))),
    row(`change → diagnostics p90 (${EDITS} edits, ${editLines} lines)`, (s) => ms(percentile(s.changeTimes, 90))),
    row('peak RSS (VmHWM)', (s) => mib(s.peakRssKiB)),
  ].join('\n');
  const sanity = [
    `Sanity: on open, ${ours.spec.label} published ${ours.diagnosticsOnOpen} diagnostics (${ours.filesWithErrors} files with an error),`,
    `${peer.spec.label} ${peer.diagnosticsOnOpen} (${peer.filesWithErrors} files with an error).`,
    `Edits were sent as ${syncName(ours.syncKind)} changes to ${ours.spec.label} and ${syncName(peer.syncKind)} changes to ${peer.spec.label}, as each advertises.`,
    `CPU time used by the long-running process (start, opens and edits): ${cpu(ours)} for ${ours.spec.label}, ${cpu(peer)} for ${peer.spec.label}.`,
    `The whole run took ${totalSeconds.toFixed(0)} s.`,
  ].join(' ');

  const now = new Date();
  const section = [
    START_MARK,
    '## Language server: Layerwise vs dockerfile-language-server-nodejs',
    '',
    `Generated by \`npm run bench\` (\`test/bench/bench.ts\`) on ${now.toISOString().slice(0, 10)} (${now.toISOString()}).`,
    `Machine: Node ${process.version}, ${cpuModel()}, ${os.cpus().length} cores, ${os.type()} ${os.release()};`,
    `1-minute load average ${loadBefore.toFixed(2)} at the start and ${loadAfter.toFixed(2)} at the end (other work on the machine inflates every figure, for both servers alike).`,
    `Layerwise server: \`${path.relative(ROOT, OURS_SERVER)}\` built from \`${oursRevision()}\` (\`-dirty\` = with uncommitted changes).`,
    `Both servers run as \`node <server> --stdio\` and get identical inputs in the same run, alternating step by step;`,
    'every `workspace/configuration` request is answered with null (each server\'s defaults).',
    `Corpus: \`${CORPUS}\` (every file except \`*.tsv\`).`,
    '',
    table,
    '',
    '- **initialize**: wall time from spawning the server process to receiving its `initialize` response (process start, module loading and the handshake), median of 5 fresh spawns per server.',
    `- **open → diagnostics**: for each corpus file opened one at a time in one long-running server, the time from sending \`textDocument/didOpen\` to receiving that document's \`textDocument/publishDiagnostics\` (including the server's \`workspace/configuration\` round trip); each file is closed before the next.`,
    `- **change → diagnostics**: on \`${EDIT_FILE}\` (${editLines} lines), ${EDITS} \`textDocument/didChange\` edits that alternately insert and delete one character in the middle of instruction lines spread over the file (no edit returns to an earlier text, so a cache keyed by text cannot help), each timed from sending the change to receiving the diagnostics for that version (the next publish, for a server that sends no version).`,
    '- **peak RSS**: the server process\'s peak resident set size (`VmHWM` in `/proc/<pid>/status`) read just before `shutdown`, after the open and change runs above.',
    '',
    sanity,
    END_MARK,
  ].join('\n');

  process.stdout.write(`\n${table}\n\n${sanity}\n`);

  // Numbers from a server that failed to analyse are meaningless: refuse to record them.
  const problems: string[] = [];
  for (const s of sessions) {
    if (s.client.errorLogs.length > 0) {
      problems.push(`${s.spec.label} logged ${s.client.errorLogs.length} error(s), the first: ${s.client.errorLogs[0]!.split('\n').slice(0, 3).join(' | ')}`);
    }
    if (s.diagnosticsOnOpen === 0) problems.push(`${s.spec.label} published no diagnostics at all on ${files.length} files.`);
  }
  if (problems.length > 0 && process.env.BENCH_FORCE !== '1') {
    process.stderr.write(`\nNOT writing ${path.relative(ROOT, BENCHMARKS_DOC)}: these results look broken (set BENCH_FORCE=1 to write anyway):\n- ${problems.join('\n- ')}\n`);
    process.exit(1);
  }
  writeBenchSection('lsp', section);
  process.stdout.write(`\nWrote ${path.relative(ROOT, BENCHMARKS_DOC)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
