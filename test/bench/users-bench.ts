/**
 * The users' setting, against the peer dockerfile-language-server-nodejs in the same run:
 *   - the corpus copied into a git repository with a few commits of history, every document kept
 *     open (opened one after the other, never closed);
 *   - the initialize params vscode-languageclient 9.0.1 (our client) sends under VS Code 1.100
 *     (vscode-1.100-initialize.json: codeLens refresh, configuration, work-done progress, push
 *     and pull diagnostics as declared there);
 *   - after each open's diagnostics, the requests VS Code sends for a visible editor (codeLens,
 *     semantic tokens, document symbols, folding ranges, links), answered before the next open;
 *   - keystroke edits in the middle of instruction lines (incremental changes) and full-document
 *     replacements on the 2,309-line airflow file, then an hour-equivalent of keystrokes
 *     (BENCH_HOUR_EDITS, default 3,600) over other open files, and RSS after it.
 * Writes its section of docs/BENCHMARKS.md (marker `lsp-users`).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { GitRepo } from '../support/git-fixture';
import { LspClient, readProcStatusKiB, type ReceivedDiagnostics } from '../support/lsp-client';
import { benchMarks, writeBenchSection } from './benchmarks-doc';
import { cpuModel, editScript, editTargets, ms, percentile, type Edit } from './lsp-common';

const ROOT = path.resolve(__dirname, '..', '..');
const CORPUS = process.env.LAYERWISE_BENCH_CORPUS ?? '/work/shared/corpus/real';
const EDIT_FILE = 'apache__airflow__Dockerfile';
const INIT_SPAWNS = 9;
const KEYSTROKES = 200;
const FULL_CHANGES = 100;
const HOUR_EDITS = Number(process.env.BENCH_HOUR_EDITS ?? 3600);
const HOUR_FILES = 60;
const WAIT_MS = 30_000;
const PEER_DIR = path.join(ROOT, 'node_modules', 'dockerfile-language-server-nodejs');
const OURS_SERVER = path.resolve(process.env.BENCH_OURS_SERVER ?? path.join(ROOT, 'server', 'out', 'server.js'));
const INIT_TEMPLATE = fs.readFileSync(path.join(__dirname, 'vscode-1.100-initialize.json'), 'utf8');

interface ServerSpec {
  key: 'ours' | 'peer';
  label: string;
  args: string[];
}

const version = (dir: string): string => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
const SERVERS: ServerSpec[] = [
  { key: 'ours', label: `Layerwise ${version(ROOT)}`, args: [OURS_SERVER, '--stdio'] },
  { key: 'peer', label: `dockerfile-language-server-nodejs ${version(PEER_DIR)}`, args: [path.join(PEER_DIR, 'bin', 'docker-langserver'), '--stdio'] },
];

/** The corpus as a repository: `owner__repo__dir__Dockerfile` → `owner/repo/dir/Dockerfile`, with a few commits of history. */
function corpusRepository(): { repo: GitRepo; docs: { name: string; file: string }[] } {
  const names = fs.readdirSync(CORPUS).filter((f) => !f.endsWith('.tsv')).sort();
  const repo = GitRepo.create('lw-bench-users-');
  const taken = new Set<string>();
  const docs = names.map((name) => {
    let rel = name.split('__').join('/');
    // A path that is also another file's folder (or the reverse) stays flat.
    const parts = rel.split('/');
    const clash = parts.some((_, i) => taken.has(parts.slice(0, i + 1).join('/')) && i < parts.length - 1) || [...taken].some((t) => t.startsWith(`${rel}/`));
    if (clash) rel = `flat/${name}`;
    for (let i = 1; i < parts.length; i++) taken.add(parts.slice(0, i).join('/') + '/');
    taken.add(rel);
    return { name, file: repo.path(rel) };
  });
  const write = (subset: typeof docs): Record<string, string> =>
    Object.fromEntries(subset.map((d) => [path.relative(repo.dir, d.file), fs.readFileSync(path.join(CORPUS, d.name), 'utf8')]));
  const half = Math.floor(docs.length / 2);
  repo.commit('first half of the images', { ...write(docs.slice(0, half)), 'README.md': 'images\n' });
  repo.commit('second half of the images', write(docs.slice(half)));
  for (let c = 0; c < 4; c++) {
    const files: Record<string, string> = {};
    docs.forEach((d, i) => {
      if (i % 7 === c) files[path.relative(repo.dir, path.join(path.dirname(d.file), 'VERSION'))] = `${c}.${i}\n`;
    });
    files['README.md'] = `images, revision ${c}\n`;
    repo.commit(`bump versions ${c}`, files);
  }
  return { repo, docs };
}

function initializeParams(root: string): unknown {
  return JSON.parse(INIT_TEMPLATE.replaceAll('ROOT_URI', pathToFileURL(root).href).replaceAll('ROOT_PATH', root).replaceAll('ROOT_NAME', path.basename(root)));
}

function start(spec: ServerSpec, env: NodeJS.ProcessEnv): LspClient {
  const client = LspClient.spawn({ command: process.execPath, args: [...(process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean), ...spec.args], cwd: ROOT, env });
  for (const m of ['workspace/codeLens/refresh', 'workspace/diagnostic/refresh', 'workspace/semanticTokens/refresh', 'workspace/inlayHint/refresh']) client.connection.onRequest(m, () => null);
  return client;
}

async function initialize(client: LspClient, root: string): Promise<void> {
  client.initializeResult = await client.request('initialize', { ...(initializeParams(root) as object), processId: process.pid });
  await client.notify('initialized', {});
}

interface Session {
  spec: ServerSpec;
  client: LspClient;
  open: number[];
  /** Open → a later publish of the same version (the cache figures), where one came. */
  second: number;
  keystroke: number[];
  full: number[];
  hour: number[];
  diagnosticsOnOpen: number;
  rssAfterOpen?: number;
  hwmAfterEdits?: number;
  rssAfterHour?: number;
  hwm?: number;
  cpuMs?: number;
}

/** What VS Code asks for a visible editor once it is open, in the order it usually does. */
async function editorRequests(s: Session, uri: string): Promise<void> {
  const caps = s.client.initializeResult?.capabilities ?? {};
  const td = { textDocument: { uri } };
  const asks: Promise<unknown>[] = [];
  if (caps.semanticTokensProvider) asks.push(s.client.request('textDocument/semanticTokens/full', td));
  if (caps.documentSymbolProvider) asks.push(s.client.request('textDocument/documentSymbol', td));
  if (caps.foldingRangeProvider) asks.push(s.client.request('textDocument/foldingRange', td));
  if (caps.documentLinkProvider) asks.push(s.client.request('textDocument/documentLink', td));
  if (caps.codeLensProvider) asks.push(s.client.request('textDocument/codeLens', td));
  await Promise.all(asks.map((a) => a.catch(() => undefined)));
}

async function timedChange(s: Session, uri: string, version: number, change: object): Promise<number> {
  const wait = s.client.waitForDiagnostics(uri, { version }, WAIT_MS);
  const t0 = performance.now();
  void s.client.didChange(uri, version, [change as never]);
  const d: ReceivedDiagnostics = await wait;
  return d.receivedAt - t0;
}

async function main(): Promise<void> {
  const started = performance.now();
  const load = [os.loadavg()[0]!];
  // Taken before the run: the checkout may move while it lasts.
  const rev = (() => {
    try {
      return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const { repo, docs } = corpusRepository();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-bench-home-'));
  // No daemon: lenses say so at once, for a run that does not depend on what this machine has.
  const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: home, DOCKER_HOST: `unix://${path.join(home, 'no-docker.sock')}` };
  const commits = repo.git('rev-list', '--count', 'HEAD');
  process.stderr.write(`repository with ${docs.length} Dockerfiles, ${commits} commits at ${repo.dir}\n`);

  const initTimes = new Map<string, number[]>(SERVERS.map((s) => [s.key, []]));
  for (let round = 0; round < INIT_SPAWNS; round++) {
    for (const spec of round % 2 === 0 ? SERVERS : [...SERVERS].reverse()) {
      const t0 = performance.now();
      const client = start(spec, env);
      client.initializeResult = await client.request('initialize', { ...(initializeParams(repo.dir) as object), processId: process.pid });
      initTimes.get(spec.key)!.push(performance.now() - t0);
      await client.notify('initialized', {});
      await client.shutdown();
    }
  }

  const sessions: Session[] = [];
  for (const spec of SERVERS) {
    const client = start(spec, env);
    await initialize(client, repo.dir);
    sessions.push({ spec, client, open: [], second: 0, keystroke: [], full: [], hour: [], diagnosticsOnOpen: 0 });
  }

  // Every document opened and kept open.
  const texts = new Map<string, string>();
  for (const [i, d] of docs.entries()) {
    const uri = pathToFileURL(d.file).href;
    const text = fs.readFileSync(d.file, 'utf8');
    texts.set(uri, text);
    for (const s of i % 2 === 0 ? sessions : [...sessions].reverse()) {
      const wait = s.client.waitForDiagnostics(uri, { version: 1 }, WAIT_MS);
      const t0 = performance.now();
      void s.client.didOpen(uri, text, 1);
      const got = await wait;
      s.open.push(got.receivedAt - t0);
      s.diagnosticsOnOpen += got.diagnostics.length;
      await editorRequests(s, uri);
    }
  }
  for (const s of sessions) {
    s.rssAfterOpen = await readProcStatusKiB(s.client.pid, 'VmRSS');
    // A later publish of the same version carries what came in the background (the cache figures).
    const firsts = new Map<string, number>();
    for (const p of s.client.diagnostics) {
      const key = `${p.uri}\0${String(p.version)}`;
      if (!firsts.has(key)) firsts.set(key, p.seq);
      else if (p.version === 1) s.second++;
    }
  }
  process.stderr.write(`opened ${docs.length} documents (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);

  // Keystrokes, then full-document replacements, on the largest file.
  const editUri = pathToFileURL(docs.find((d) => d.name === EDIT_FILE)!.file).href;
  const original = texts.get(editUri)!;
  const keys = editScript(original, KEYSTROKES, 'x');
  const fulls = editScript(keys.at(-1)!.after, FULL_CHANGES, 'y');
  let v = 1;
  const run = async (script: Edit[], full: boolean, into: (s: Session) => number[]): Promise<void> => {
    for (const [k, e] of script.entries()) {
      v++;
      for (const s of k % 2 === 0 ? sessions : [...sessions].reverse()) {
        into(s).push(await timedChange(s, editUri, v, full ? { text: e.after } : { range: e.range, rangeLength: e.rangeLength, text: e.text }));
      }
    }
  };
  await run(keys, false, (s) => s.keystroke);
  await run(fulls, true, (s) => s.full);
  for (const s of sessions) s.hwmAfterEdits = await readProcStatusKiB(s.client.pid, 'VmHWM');
  process.stderr.write(`edits done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);

  // An hour of typing: keystrokes spread over other open files, a file at a time.
  const perFile = Math.ceil(HOUR_EDITS / HOUR_FILES);
  // Files with enough instruction lines for their share of keystrokes without repeating a text.
  const others = [...texts.keys()].filter((u) => u !== editUri && editTargets(texts.get(u)!).length > Math.ceil(perFile / 2) + 1);
  const hourFiles = Array.from({ length: HOUR_FILES }, (_, i) => others[Math.floor((i * others.length) / HOUR_FILES)]!);
  for (const [f, uri] of hourFiles.entries()) {
    if (f * perFile >= HOUR_EDITS) break;
    const script = editScript(texts.get(uri)!, Math.min(perFile, HOUR_EDITS - f * perFile), 'z');
    for (const [k, e] of script.entries()) {
      for (const s of k % 2 === 0 ? sessions : [...sessions].reverse()) {
        s.hour.push(await timedChange(s, uri, k + 2, { range: e.range, rangeLength: e.rangeLength, text: e.text }));
      }
    }
  }
  for (const s of sessions) {
    s.rssAfterHour = await readProcStatusKiB(s.client.pid, 'VmRSS');
    s.hwm = await readProcStatusKiB(s.client.pid, 'VmHWM');
    s.cpuMs = await s.client.cpuTimeMs();
  }
  const errors = sessions.map((s) => s.client.errorLogs.length);
  for (const s of sessions) await s.client.shutdown();
  load.push(os.loadavg()[0]!);
  repo.remove();
  fs.rmSync(home, { recursive: true, force: true });
  const seconds = (performance.now() - started) / 1000;

  const [ours, peer] = sessions as [Session, Session];
  const mib = (kib: number | undefined): string => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
  const pct = (f: (s: Session) => number[], p: number) => (s: Session) => ms(percentile(f(s), p));
  const ratio = (f: (s: Session) => number): string => {
    const r = f(ours) / f(peer);
    return Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a';
  };
  const rows: [string, (s: Session) => string, (s: Session) => number][] = [
    [`initialize (median of ${INIT_SPAWNS} spawns)`, (s) => ms(percentile(initTimes.get(s.spec.key)!, 50)), (s) => percentile(initTimes.get(s.spec.key)!, 50)],
    // The bench's HOME is new, so Layerwise's first spawn has no V8 code cache yet: a first start after an install.
    ['initialize, first spawn (Layerwise without its code cache)', (s) => ms(initTimes.get(s.spec.key)![0]!), (s) => initTimes.get(s.spec.key)![0]!],
  ];
  const series: [string, (s: Session) => number[]][] = [
    [`open → diagnostics (${docs.length} files kept open)`, (s) => s.open],
    [`change → diagnostics, keystrokes (${KEYSTROKES} incremental, 2309 lines)`, (s) => s.keystroke],
    [`change → diagnostics, full-document changes (${FULL_CHANGES}, 2309 lines)`, (s) => s.full],
    [`change → diagnostics, hour of typing (${HOUR_EDITS} keystrokes over ${HOUR_FILES} files)`, (s) => s.hour],
  ];
  for (const [name, f] of series) for (const p of [50, 90, 99]) rows.push([`${name} p${p}`, pct(f, p), (s) => percentile(f(s), p)]);
  rows.push(
    ['RSS after opening every file', (s) => mib(s.rssAfterOpen), (s) => s.rssAfterOpen ?? NaN],
    ['peak RSS (VmHWM) after the airflow edits', (s) => mib(s.hwmAfterEdits), (s) => s.hwmAfterEdits ?? NaN],
    ['RSS after the hour of typing', (s) => mib(s.rssAfterHour), (s) => s.rssAfterHour ?? NaN],
    ['peak RSS (VmHWM) at the end', (s) => mib(s.hwm), (s) => s.hwm ?? NaN],
  );
  const table = [
    `| Figure | ${ours.spec.label} | ${peer.spec.label} | ratio |`,
    '|---|---:|---:|---:|',
    ...rows.map(([name, show, value]) => `| ${name} | ${show(ours)} | ${show(peer)} | ${ratio(value)} |`),
  ].join('\n');
  const cpu = (s: Session): string => (s.cpuMs === undefined ? 'n/a' : `${(s.cpuMs / 1000).toFixed(1)} s`);
  const notes = [
    `Sanity: on open, ${ours.spec.label} published ${ours.diagnosticsOnOpen} diagnostics, ${peer.spec.label} ${peer.diagnosticsOnOpen};`,
    `a second publish of the same version (the build-cache figures, computed in the background) came for ${ours.second} documents from ${ours.spec.label}.`,
    `Error logs: ${errors[0]} and ${errors[1]}. CPU time of the long-running process: ${cpu(ours)} and ${cpu(peer)}. The run took ${seconds.toFixed(0)} s.`,
  ].join(' ');
  const { start: startMark, end: endMark } = benchMarks('lsp-users');
  const now = new Date().toISOString();
  const section = [
    startMark,
    '## Language server in the users\' setting: Layerwise vs dockerfile-language-server-nodejs',
    '',
    `Generated by \`npm run bench\` (this part: \`npx tsx test/bench/users-bench.ts\`) on ${now.slice(0, 10)} (${now}).`,
    `Machine: Node ${process.version}, ${cpuModel()}, ${os.cpus().length} cores; 1-minute load average ${load[0]!.toFixed(2)} at the start and ${load[1]!.toFixed(2)} at the end.`,
    `Layerwise server: \`${path.relative(ROOT, OURS_SERVER)}\` built from \`${rev}\`. Both servers run as \`node <server> --stdio\`, get identical inputs, alternating step by step.`,
    '',
    table,
    '',
    `- **Setting**: the ${docs.length} files of \`${CORPUS}\` in a git repository (\`owner/repo/path/Dockerfile\`, ${commits} commits: the files in two commits, then four commits that change files beside some of them), every document opened and kept open; \`initialize\` with the params vscode-languageclient 9.0.1 sends under VS Code 1.100 (\`test/bench/vscode-1.100-initialize.json\`: configuration, codeLens refresh, work-done progress, push diagnostics without versionSupport and pull diagnostics); every \`workspace/configuration\` item answered with null (defaults); no Docker daemon.`,
    '- **open → diagnostics**: `didOpen` to the first `publishDiagnostics` of that version. For Layerwise this publish is complete (syntax and every rule); only the build-cache sentence on the two cache rules comes in a later publish, counted in the sanity line. After each open the bench sends what VS Code asks of a visible editor (semantic tokens, symbols, folding, links, and codeLens where offered) and waits for the answers before the next open.',
    `- **change → diagnostics**: \`didChange\` to the publish of that version (the next publish for a server that sends no version). Keystrokes insert or delete one character in the middle of instruction lines spread over the file, sent as incremental changes; full-document changes send the whole text after such a keystroke. No text repeats an earlier one. The hour of typing: ${HOUR_EDITS} keystrokes (about one a second for an hour, without the pauses), ${Math.ceil(HOUR_EDITS / HOUR_FILES)} in each of ${HOUR_FILES} other open files, one file after the other.`,
    '- **RSS**: `VmRSS` / `VmHWM` of the server process from `/proc/<pid>/status`.',
    '',
    notes,
    endMark,
  ].join('\n');
  process.stdout.write(`\n${table}\n\n${notes}\n`);
  if ((errors[0]! > 0 || ours.diagnosticsOnOpen === 0) && process.env.BENCH_FORCE !== '1') {
    process.stderr.write(`NOT writing docs/BENCHMARKS.md: ${ours.spec.label} logged ${errors[0]} errors: ${ours.client.errorLogs[0]?.slice(0, 500)}\n`);
    process.exit(1);
  }
  if (process.env.BENCH_NO_WRITE !== '1') writeBenchSection('lsp-users', section);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
