import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DaemonClient, DockerError } from '../docker/client';
import { resolveEndpoint } from '../docker/endpoint';
import { processEnvironment } from '../docker/service';
import { humanSize } from '../docker/units';
import { ParsedDocument } from '../engine/document';
import { initShellParser } from '../model/shell';
import { shortInstruction } from './labels';
import { analyzeOnDaemon } from './run';
import type { ImageAnalysis } from './types';

export const ANALYZE_USAGE = `Usage: layerwise analyze IMAGE [--json] [--dockerfile PATH] [--target STAGE] [--host URL]
                         [--ci [--lowest-efficiency 0.9] [--highest-wasted-bytes 20MB] [--highest-user-wasted-percent 0.1]]

  Reads the image's export from the Docker daemon (--host, else DOCKER_HOST, the docker context,
  the default socket) and reports what every layer adds and wastes. With --dockerfile, layers are
  linked to its lines and the base image's layers are told apart from yours.
  --ci checks the thresholds the way dive's CI mode does (defaults: lowest efficiency 0.9, highest
  user wasted percent 0.1, wasted bytes unchecked). Sizes take B, kB/KB, MB, GB (powers of 1000) or
  KiB, MiB, GiB (powers of 1024).

  Exit status: 0 analyzed (and, with --ci, every threshold met), 1 a --ci threshold failed,
  2 usage problem, image not found, or the daemon could not be read.`;

interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const BYTE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4, k: 1e3, m: 1e6, g: 1e9,
};

/** "20MB" → 20000000, "1.5 GiB" → 1610612736; undefined when it is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = BYTE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

export interface CiThresholds {
  lowestEfficiency: number | undefined;
  highestWastedBytes: number | undefined;
  highestUserWastedPercent: number | undefined;
}

export interface CiResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** dive's three CI rules; a threshold left undefined is not checked. */
export function evaluateCi(a: ImageAnalysis, t: CiThresholds): CiResult[] {
  const results: CiResult[] = [];
  if (t.lowestEfficiency !== undefined) {
    results.push({ name: 'lowestEfficiency', ok: a.efficiency >= t.lowestEfficiency, detail: `efficiency ${a.efficiency.toFixed(4)} (lowest allowed ${t.lowestEfficiency})` });
  }
  if (t.highestWastedBytes !== undefined) {
    results.push({ name: 'highestWastedBytes', ok: a.wastedBytes <= t.highestWastedBytes, detail: `wasted ${a.wastedBytes} bytes (highest allowed ${t.highestWastedBytes})` });
  }
  if (t.highestUserWastedPercent !== undefined) {
    results.push({
      name: 'highestUserWastedPercent',
      ok: a.userWastedPercent <= t.highestUserWastedPercent,
      detail: `user wasted ${a.userWastedPercent.toFixed(4)} (highest allowed ${t.highestUserWastedPercent})`,
    });
  }
  return results;
}

/** The `--json` shape: the analysis without the per-layer file trees (they are for the editor). */
export function analysisJson(a: ImageAnalysis): unknown {
  return { ...a, layers: a.layers.map(({ tree: _tree, ...layer }) => ({ ...layer })) };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function analysisText(a: ImageAnalysis): string[] {
  const lines: string[] = [];
  lines.push(`Image ${a.image} (${a.id.slice(0, 19)}), ${a.format}`);
  lines.push(`  size ${humanSize(a.size)}, wasted ${humanSize(a.wastedBytes)}, efficiency ${pct(a.efficiency)}, user efficiency ${pct(a.userEfficiency)}, user wasted ${pct(a.userWastedPercent)}`);
  lines.push('');
  lines.push('  #  line        size      wasted   +/~/-             instruction');
  for (const l of a.layers) {
    if (l.empty) continue;
    const changes = `${l.added}/${l.modified}/${l.removed}`;
    const cmd = l.createdBy ? shortInstruction(l.createdBy, 80) : l.base ? '(base image)' : '';
    lines.push(
      `${String(l.index).padStart(3)}  ${(l.line ? `:${l.line}` : l.base ? 'base' : '').padEnd(6)}${humanSize(l.size).padStart(10)}${(l.wastedBytes ? humanSize(l.wastedBytes) : '').padStart(12)}   ${changes.padEnd(18)}${cmd}`,
    );
  }
  if (a.findings.length) {
    lines.push('', 'Findings:');
    for (const f of a.findings) lines.push(`  ${f.line ? `line ${f.line}: ` : ''}${f.message}${f.ruleId ? ` [${f.ruleId}]` : ''}`);
  }
  if (a.waste.length) {
    lines.push('', 'Wasted (superseded copies, each counted once):');
    for (const w of a.waste.slice(0, 10)) lines.push(`  ${humanSize(w.wastedBytes).padStart(10)}  /${w.path}${w.removed ? ' (removed)' : ''}`);
  }
  return lines;
}

export async function runAnalyze(args: string[], io: CliIO): Promise<number> {
  let image: string | undefined;
  let json = false;
  let ci = false;
  let dockerfile: string | undefined;
  let target: string | undefined;
  let host = '';
  const t: CiThresholds = { lowestEfficiency: undefined, highestWastedBytes: undefined, highestUserWastedPercent: undefined };
  const explicit = new Set<keyof CiThresholds>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const valueOf = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]);
    const ratio = (key: keyof CiThresholds): boolean => {
      const v = Number(valueOf());
      if (!Number.isFinite(v) || v < 0 || v > 1) {
        io.err(`layerwise: ${flag} takes a ratio from 0 to 1 (0.9 is 90%)`);
        return false;
      }
      t[key] = v;
      explicit.add(key);
      return true;
    };
    if (a === '--json') json = true;
    else if (a === '--ci') ci = true;
    else if (flag === '--dockerfile') dockerfile = valueOf();
    else if (flag === '--target') target = valueOf();
    else if (flag === '--host') host = valueOf() ?? '';
    else if (flag === '--lowest-efficiency') {
      if (!ratio('lowestEfficiency')) return 2;
    } else if (flag === '--highest-user-wasted-percent') {
      if (!ratio('highestUserWastedPercent')) return 2;
    } else if (flag === '--highest-wasted-bytes') {
      const v = parseBytes(valueOf() ?? '');
      if (v === undefined) {
        io.err(`layerwise: --highest-wasted-bytes takes a size such as 20MB or 512KiB`);
        return 2;
      }
      t.highestWastedBytes = v;
      explicit.add('highestWastedBytes');
    } else if (a === '--help' || a === '-h') {
      io.out(ANALYZE_USAGE);
      return 0;
    } else if (a.startsWith('-')) {
      io.err(`layerwise: unknown option "${a}"\n\n${ANALYZE_USAGE}`);
      return 2;
    } else if (image === undefined) image = a;
    else {
      io.err(`layerwise: analyze takes one image, got "${image}" and "${a}"`);
      return 2;
    }
  }
  if (!image) {
    io.err(`layerwise: no image given\n\n${ANALYZE_USAGE}`);
    return 2;
  }
  if (!ci && explicit.size) {
    io.err('layerwise: thresholds are checked only with --ci');
    return 2;
  }
  if (ci) {
    if (!explicit.has('lowestEfficiency')) t.lowestEfficiency = 0.9;
    if (!explicit.has('highestUserWastedPercent')) t.highestUserWastedPercent = 0.1;
  }
  let doc: ParsedDocument | undefined;
  if (dockerfile) {
    try {
      const file = path.resolve(dockerfile);
      doc = new ParsedDocument(pathToFileURL(file).href, 1, fs.readFileSync(file, 'utf8'));
      await initShellParser();
    } catch (e) {
      io.err(`layerwise: cannot read ${dockerfile}: ${(e as Error).message}`);
      return 2;
    }
  }
  const endpoint = resolveEndpoint(host, processEnvironment());
  if (!endpoint.ok) {
    io.err(`layerwise: ${endpoint.error} [endpoint from ${endpoint.source}]`);
    return 2;
  }
  let client: DaemonClient;
  try {
    client = await DaemonClient.connect(endpoint.endpoint);
  } catch (e) {
    io.err(`layerwise: ${e instanceof DockerError ? e.detail : String(e)}`);
    return 2;
  }
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  let result;
  try {
    result = await analyzeOnDaemon(client, image, { model: doc?.model(), target, dockerfile, signal: abort.signal });
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  if (!result.ok) {
    io.err(`layerwise: ${result.error}`);
    return 2;
  }
  const checks = ci ? evaluateCi(result.analysis, t) : [];
  if (json) {
    io.out(JSON.stringify(ci ? { ...(analysisJson(result.analysis) as object), ci: checks } : analysisJson(result.analysis), null, 2));
  } else {
    for (const l of analysisText(result.analysis)) io.out(l);
    if (ci) {
      io.out('');
      for (const c of checks) io.out(`  ${c.ok ? 'PASS' : 'FAIL'}: ${c.name}: ${c.detail}`);
      io.out(checks.every((c) => c.ok) ? 'Result: PASS' : 'Result: FAIL');
    }
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
