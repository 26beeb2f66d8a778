import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsBuildContext } from '../model/build-context';
import { ParsedDocument } from '../engine/document';
import { pathToFileURL } from 'node:url';
import { GitError, historyContext, rerunCounts, scanHistory, type HistoryScan } from './history';
import { layerInputs, type LayerInputs } from './inputs';
import { TimingsStore } from './timings';

/**
 * The expected rebuild time of a Dockerfile, E[T] = Σ rerunShare_i · c_i: rerunShare_i from the
 * git history (history.ts), c_i from the editor's last builds (timings.ts).
 */

export interface CacheReportLine {
  /** 1-based. */
  line: number;
  instruction: string;
  /** Share of the considered commits after which this step re-runs, 0 to 1. */
  rerunShare: number;
  /** Seconds of its last non-cached run, null when never measured. */
  seconds: number | null;
}

export interface CacheReport {
  dockerfile: string;
  instructions: CacheReportLine[];
  /** Commits considered (at most the number asked for). */
  commits: number;
  head: string;
  /** Σ rerunShare · seconds over the steps with a known duration; null when none is known. */
  expectedSeconds: number | null;
  /** RUN/COPY/ADD steps without a measured duration (E[T] leaves them out). */
  untimedSteps: number;
}

export interface CacheReportOptions {
  /** How many commits of history (default 200). */
  commits?: number;
  timingsStore?: TimingsStore;
  /** The Dockerfile's text when it differs from the file (an unsaved editor buffer). */
  text?: string;
  buildArgs?: Record<string, string>;
}

export { GitError as CacheReportError };

interface Analysis {
  scan: HistoryScan;
  layers: LayerInputs[];
  counts: number[];
}

const RESULTS = new Map<string, Promise<Analysis>>();
const MAX_RESULTS = 16;

async function analyze(dockerfilePath: string, text: string, commits: number, buildArgs: Record<string, string>): Promise<Analysis> {
  const file = path.resolve(dockerfilePath);
  const onDisk = fsBuildContext(path.dirname(file), file);
  const ignoreFile = onDisk.ignoreFile?.path ?? path.join(path.dirname(file), '.dockerignore');
  const scan = await scanHistory(file, ignoreFile, commits);
  const key = [scan.repoRoot, scan.head, scan.dockerfile, commits, text, onDisk.ignoreFile?.patterns.join('\n') ?? '\0', JSON.stringify(buildArgs)].join('\u0001');
  let result = RESULTS.get(key);
  if (!result) {
    result = (async () => {
      const doc = new ParsedDocument(pathToFileURL(file).toString(), 0, text);
      const bc = historyContext(scan, onDisk.ignoreFile ? onDisk.ignoreFile.patterns.join('\n') : undefined);
      const layers = layerInputs(doc.model(buildArgs), bc);
      return { scan, layers, counts: await rerunCounts(scan, text, layers, bc) };
    })();
    RESULTS.set(key, result);
    result.catch(() => RESULTS.delete(key));
    if (RESULTS.size > MAX_RESULTS) RESULTS.delete(RESULTS.keys().next().value as string);
  }
  return result;
}

const TIMED = new Set(['RUN', 'COPY', 'ADD']);

/** The cache report of a Dockerfile: per instruction how often it re-runs and what that costs. */
export async function cacheReport(dockerfilePath: string, options: CacheReportOptions = {}): Promise<CacheReport> {
  const commits = options.commits ?? 200;
  const text = options.text ?? (await fs.promises.readFile(dockerfilePath, 'utf8'));
  const { scan, layers, counts } = await analyze(dockerfilePath, text, commits, options.buildArgs ?? {});
  const stored = options.timingsStore ? await options.timingsStore.read(dockerfilePath) : undefined;
  const total = scan.commits.length;
  let expected: number | null = null;
  let untimed = 0;
  const instructions = layers.map((l, i) => {
    const seconds = stored ? TimingsStore.secondsFor(stored, [l.text, l.expanded]) : null;
    const rerunShare = total ? counts[i]! / total : 0;
    if (seconds !== null) expected = (expected ?? 0) + rerunShare * seconds;
    else if (TIMED.has(l.keyword)) untimed++;
    return { line: l.line, instruction: l.text, rerunShare, seconds };
  });
  return { dockerfile: path.resolve(dockerfilePath), instructions, commits: total, head: scan.head, expectedSeconds: expected, untimedSteps: untimed };
}

export interface FixEffect {
  /** Share of commits after which the step re-runs now, and with the fix applied. */
  before: number;
  after: number;
  commits: number;
}

/**
 * What a fix does to how often one step re-runs, e.g. for the lockfile-order fix: the install
 * step before and after the manifests are copied on their own ("npm ci would re-run on 6% of
 * commits instead of 87%"). `line` is the step's 1-based line in the current text, `fixedLine`
 * in the fixed text (default: the line of the instruction with the same text). Undefined when
 * the step cannot be found in either text. Merging `apt-get update` into the install RUN
 * changes nothing here (the two were already in a row): callers show the figure only when
 * before and after differ.
 */
export async function fixEffect(
  dockerfilePath: string,
  change: { text?: string; fixedText: string; line: number; fixedLine?: number },
  options: { commits?: number; buildArgs?: Record<string, string> } = {},
): Promise<FixEffect | undefined> {
  const commits = options.commits ?? 200;
  const text = change.text ?? (await fs.promises.readFile(dockerfilePath, 'utf8'));
  const now = await analyze(dockerfilePath, text, commits, options.buildArgs ?? {});
  const fixed = await analyze(dockerfilePath, change.fixedText, commits, options.buildArgs ?? {});
  const i = now.layers.findIndex((l) => l.line === change.line);
  if (i < 0) return undefined;
  const j =
    change.fixedLine !== undefined
      ? fixed.layers.findIndex((l) => l.line === change.fixedLine)
      : fixed.layers.findIndex((l) => l.text === now.layers[i]!.text);
  if (j < 0) return undefined;
  const total = now.scan.commits.length;
  if (!total) return { before: 0, after: 0, commits: 0 };
  return { before: now.counts[i]! / total, after: fixed.counts[j]! / total, commits: total };
}

export const CACHE_REPORT_USAGE = `Usage: layerwise cache-report [--json] [--commits N] DOCKERFILE

  How often each instruction re-runs, from the git history of the repository that holds the
  Dockerfile: over the last N commits (default 200) of HEAD's first-parent history, the share in
  which a file it copies (after .dockerignore), its own line, or a step above it changed.
  Durations come from builds run from the editor (unknown: -).
  --json prints { "instructions": [ { "line", "instruction", "rerunShare", "seconds" } ], ... }.

  Exit status: 0 reported, 2 usage problem, no such file, or not in a git repository.`;

interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

function percent(share: number): string {
  const p = share * 100;
  return p === 0 || p === 100 || p >= 10 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}

function seconds(s: number | null): string {
  if (s === null) return '-';
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** `layerwise cache-report [--json] [--commits N] DOCKERFILE`. */
export async function runCacheReport(argv: string[], io: CliIO, options: { timingsStore?: TimingsStore } = {}): Promise<number> {
  let json = false;
  let commits = 200;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      io.out(CACHE_REPORT_USAGE);
      return 0;
    }
    if (a === '--json') json = true;
    else if (a === '--commits' || a.startsWith('--commits=')) {
      const v = a === '--commits' ? argv[++i] : a.slice('--commits='.length);
      if (!v || !/^\d+$/.test(v) || Number(v) < 1) {
        io.err(`layerwise cache-report: --commits needs a positive whole number\n\n${CACHE_REPORT_USAGE}`);
        return 2;
      }
      commits = Number(v);
    } else if (a.startsWith('-')) {
      io.err(`layerwise cache-report: unknown option ${a}\n\n${CACHE_REPORT_USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1) {
    io.err(`layerwise cache-report: give one Dockerfile\n\n${CACHE_REPORT_USAGE}`);
    return 2;
  }
  const file = path.resolve(files[0]!);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    io.err(`layerwise cache-report: ${files[0]}: no such file`);
    return 2;
  }
  let report: CacheReport;
  try {
    report = await cacheReport(file, { commits, timingsStore: options.timingsStore });
  } catch (e) {
    if (e instanceof GitError) {
      io.err(`layerwise cache-report: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (json) {
    io.out(
      JSON.stringify(
        {
          instructions: report.instructions.map((l) => ({ line: l.line, instruction: l.instruction, rerunShare: l.rerunShare, seconds: l.seconds })),
          commits: report.commits,
          head: report.head,
          expectedSeconds: report.expectedSeconds,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const rows = report.instructions.map((l) => [String(l.line), percent(l.rerunShare), seconds(l.seconds), l.instruction.length > 100 ? l.instruction.slice(0, 99) + '…' : l.instruction]);
  const head = ['line', 're-runs', 'time', 'instruction'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]): string => r.map((cell, c) => (c === 3 ? cell : c === 0 || c === 1 || c === 2 ? cell.padStart(widths[c]!) : cell)).join('  ');
  io.out(`${path.relative(process.cwd(), file) || file}: ${report.commits} commits up to ${report.head.slice(0, 12)}`);
  io.out(fmt(head));
  for (const r of rows) io.out(fmt(r));
  io.out(
    report.expectedSeconds === null
      ? 'Expected rebuild time: unknown (no build from the editor measured yet).'
      : `Expected rebuild time per commit: ${seconds(report.expectedSeconds)}${report.untimedSteps ? ` (plus ${report.untimedSteps} step(s) never timed)` : ''}.`,
  );
  return 0;
}
