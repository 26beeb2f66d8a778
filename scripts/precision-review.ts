// A precision review you can repeat (docs/PRECISION.md says how it was used).
//
//   npx tsx scripts/precision-review.ts sample <folder> --out <review.md> [--judgments <file.tsv>]
//       [--seed N] [--per-rule N] [--info-per-rule N] [--exclude REGEX]
//   npx tsx scripts/precision-review.ts table <folder> --judgments <file.tsv> [--doc docs/PRECISION.md]
//       [--exclude REGEX]
//
// `sample` lints every Dockerfile below <folder> the way `layerwise lint` does (default settings,
// the nearest .hadolint.yaml, the real build context with its .dockerignore) and writes, per rule,
// a seeded sample of findings with the lines around them, for a person to judge. Each sampled
// finding that the judgments file does not judge yet is appended to <review.md>.tsv as a row to
// fill in. `table` lints again, matches the judgments to what the tree reports now and writes the
// table between the markers of the doc; a finding judged false that is no longer reported counts
// as fixed.
//
// Judgments file: tab-separated `rule  file  line  verdict  reason`, verdict true|false|debatable
// (file relative to <folder>); `#fixed<TAB>rule<TAB>what` lines say what was fixed for a rule;
// other lines starting with # are comments.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SETTINGS } from '../server/src/config';
import { fsBuildContext, type BuildContext } from '../server/src/model/build-context';
import { findDockerfiles } from '../server/src/engine/discover';
import { ParsedDocument } from '../server/src/engine/document';
import { toFinding, type Finding, type FindingSeverity } from '../server/src/engine/findings';
import { findHadolintConfig } from '../server/src/engine/hadolint-config';
import { lintDocument } from '../server/src/engine/lint';
import { initShellParser } from '../server/src/model/shell';
import { contextSources, sourceMatches } from '../server/src/rules/lib/build-context';

type Verdict = 'true' | 'false' | 'debatable';
interface Judgment {
  rule: string;
  file: string;
  line: number;
  verdict: Verdict;
  reason: string;
}
interface Linted {
  /** Relative to the review folder, `/`-separated. */
  file: string;
  context: string;
  text: string;
  /** 1-based first and last line of each instruction: an excerpt shows the whole instruction. */
  instructions: [number, number][];
  findings: Finding[];
}

const MARK_START = '<!-- precision:table:start -->';
const MARK_END = '<!-- precision:table:end -->';
const RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

function usage(): never {
  process.stderr.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 7).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(2);
}

function parseArgs(argv: string[]): { mode: string; folder: string; opts: Map<string, string> } {
  const [mode, folder, ...rest] = argv;
  if ((mode !== 'sample' && mode !== 'table') || !folder) usage();
  const opts = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--') || i + 1 >= rest.length) usage();
    opts.set(a.slice(2), rest[++i]!);
  }
  return { mode, folder: path.resolve(folder), opts };
}

/** The top folder of the review folder a file is in: one fetched repository. */
function repoOf(rel: string): string {
  return rel.split('/')[0]!;
}

/**
 * The folder `docker build` is most likely run from: of the Dockerfile's folder and its parents up
 * to the repository, the one where most COPY/ADD sources exist (the nearest on a tie). Repositories
 * build `docker build -f docker/Dockerfile .` as often as `docker build docker/`.
 */
function chooseContext(doc: ParsedDocument, file: string, repoRoot: string): BuildContext {
  const sources = contextSources(doc.model(DEFAULT_SETTINGS.buildArgs)).filter((s) => s.path !== '' && s.path !== '*');
  let best: { bc: BuildContext; found: number } | undefined;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const bc = fsBuildContext(dir, file);
    const found = sources.filter((s) => sourceMatches(bc, s.path).length > 0).length;
    if (!best || found > best.found) best = { bc, found };
    if (dir === repoRoot || !dir.startsWith(repoRoot) || best.found === sources.length) break;
  }
  return best!.bc;
}

async function lintFolder(folder: string, exclude: RegExp | undefined): Promise<Linted[]> {
  await initShellParser();
  const out: Linted[] = [];
  for (const abs of findDockerfiles(folder)) {
    const rel = path.relative(folder, abs).split(path.sep).join('/');
    if (exclude?.test(rel)) continue;
    const text = fs.readFileSync(abs, 'utf8');
    const doc = new ParsedDocument(pathToFileURL(abs).href, 1, text);
    const bc = chooseContext(doc, abs, path.join(folder, repoOf(rel)));
    const diagnostics = lintDocument(doc, DEFAULT_SETTINGS, {
      buildContext: bc,
      hadolint: findHadolintConfig(path.dirname(abs)),
      onRuleError: (rule, e) => process.stderr.write(`rule ${rule} failed on ${rel}: ${(e as Error).message}\n`),
    });
    const instructions = doc.model(DEFAULT_SETTINGS.buildArgs).instructions.map((i): [number, number] => [i.range.start.line + 1, i.range.end.line + 1]);
    out.push({ file: rel, context: path.relative(folder, bc.root).split(path.sep).join('/'), text, instructions, findings: diagnostics.map((d) => toFinding(rel, d)) });
  }
  return out;
}

function key(rule: string, file: string, line: number): string {
  return `${rule}\t${file}\t${line}`;
}

function readJudgments(file: string | undefined): { judged: Map<string, Judgment>; fixed: Map<string, string[]> } {
  const judged = new Map<string, Judgment>();
  const fixed = new Map<string, string[]>();
  if (!file || !fs.existsSync(file)) return { judged, fixed };
  fs.readFileSync(file, 'utf8').split('\n').forEach((l, i) => {
    const cols = l.split('\t');
    if (cols[0] === '#fixed' && cols[1] && cols[2]) {
      fixed.set(cols[1], [...(fixed.get(cols[1]) ?? []), cols[2]]);
      return;
    }
    if (!l.trim() || l.startsWith('#')) return;
    const [rule, f, line, verdict, reason = ''] = cols;
    if (!rule || !f || !line) throw new Error(`${file}:${i + 1}: expected rule, file, line, verdict, reason`);
    if (!verdict) return; // not judged yet
    if (verdict !== 'true' && verdict !== 'false' && verdict !== 'debatable') throw new Error(`${file}:${i + 1}: verdict must be true, false or debatable, not "${verdict}"`);
    judged.set(key(rule, f, Number(line)), { rule, file: f, line: Number(line), verdict, reason });
  });
  return { judged, fixed };
}

/** A stable order that does not depend on file order: the seeded hash of the finding's key. */
function seededOrder(seed: string, findings: Finding[]): Finding[] {
  const h = (f: Finding): string => createHash('sha256').update(`${seed}\t${key(f.rule, f.file, f.line)}`).digest('hex');
  return findings.map((f) => ({ f, k: h(f) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.f);
}

/** The instruction the finding is in (at most 40 lines of it) and `around` lines either side. */
function excerpt(l: Linted, f: Finding, around = 3): string {
  const lines = l.text.split(/\r?\n/);
  const inst = l.instructions.find(([s, e]) => s <= f.line && f.line <= e) ?? [f.line, f.endLine];
  const from = Math.max(1, Math.max(inst[0], f.line - 20) - around);
  const to = Math.min(lines.length, Math.min(Math.max(inst[1], f.endLine), f.endLine + 20) + around);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${n >= f.line && n <= f.endLine ? '>' : ' '}${String(n).padStart(width)}  ${lines[n - 1]}`);
  return out.join('\n').replace(/```/g, '`‵`');
}

function byRule(linted: Linted[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const l of linted) for (const f of l.findings) m.set(f.rule, [...(m.get(f.rule) ?? []), f]);
  return m;
}

function severityOf(findings: Finding[]): FindingSeverity {
  return findings.reduce<FindingSeverity>((s, f) => (RANK[f.severity] < RANK[s] ? f.severity : s), 'info');
}

export async function sample(folder: string, opts: Map<string, string>): Promise<void> {
  const out = opts.get('out') ?? usage();
  const seed = opts.get('seed') ?? '12';
  const perRule = Number(opts.get('per-rule') ?? 1000);
  const infoPerRule = Number(opts.get('info-per-rule') ?? 5);
  const exclude = opts.has('exclude') ? new RegExp(opts.get('exclude')!) : undefined;
  const linted = await lintFolder(folder, exclude);
  const byFile = new Map(linted.map((l) => [l.file, l]));
  const judgmentsFile = opts.get('judgments') ?? `${out}.tsv`;
  const { judged } = readJudgments(judgmentsFile);
  const rules = [...byRule(linted).entries()].sort((a, b) => RANK[severityOf(a[1])] - RANK[severityOf(b[1])] || a[0].localeCompare(b[0]));
  const md: string[] = [
    `# Precision review sample`,
    '',
    `${linted.length} Dockerfiles below \`${folder}\` (${new Set(linted.map((l) => repoOf(l.file))).size} repositories), seed ${seed}, every error, up to ${perRule} findings per warning rule and ${infoPerRule} per info rule.`,
    `Judge each one in \`${judgmentsFile}\` (verdict true|false|debatable, then a one-line reason).`,
    '',
  ];
  const newRows: string[] = [];
  for (const [rule, findings] of rules) {
    const sev = severityOf(findings);
    const picked = seededOrder(seed, findings).slice(0, sev === 'info' ? infoPerRule : sev === 'warning' ? perRule : undefined);
    md.push(`## ${rule} (${sev}): ${picked.length} of ${findings.length}`, '');
    for (const f of picked) {
      const k = key(f.rule, f.file, f.line);
      const l = byFile.get(f.file)!;
      const j = judged.get(k);
      md.push(`### ${f.file}:${f.line}:${f.column} ${j ? `— judged ${j.verdict}: ${j.reason}` : '— not judged'}`, '', `${f.severity}: ${f.message}`, '', `context: \`${l.context || '.'}\``, '', '```dockerfile', excerpt(l, f), '```', '');
      if (!j) newRows.push(`${k}\t\t`);
    }
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, md.join('\n'));
  // Rows still waiting for a verdict are written again from this sample; judged rows and comments stay.
  const kept = fs.existsSync(judgmentsFile) ? fs.readFileSync(judgmentsFile, 'utf8').split('\n').filter((l) => l !== '' && (l.startsWith('#') || !!l.split('\t')[3])) : [];
  fs.writeFileSync(judgmentsFile, [...kept, ...newRows].join('\n') + '\n');
  process.stdout.write(`${linted.length} files, ${linted.reduce((n, l) => n + l.findings.length, 0)} findings; ${newRows.length} sampled findings not judged yet → ${judgmentsFile}\n`);
}

/** The commit of the tree this script lints with, and whether tracked files differ from it. */
function treeState(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: path.join(__dirname, '..'), encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short=12', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' plus uncommitted changes' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function pct(t: number, f: number): string {
  return t + f ? `${((100 * t) / (t + f)).toFixed(1)}%` : '–';
}

export async function table(folder: string, opts: Map<string, string>): Promise<void> {
  const judgmentsFile = opts.get('judgments') ?? usage();
  const docFile = opts.get('doc') ?? path.join(__dirname, '..', 'docs', 'PRECISION.md');
  const exclude = opts.has('exclude') ? new RegExp(opts.get('exclude')!) : undefined;
  const linted = await lintFolder(folder, exclude);
  const { judged, fixed } = readJudgments(judgmentsFile);
  const current = byRule(linted);
  const reported = new Set(linted.flatMap((l) => l.findings.map((f) => key(f.rule, f.file, f.line))));
  const rules = [...new Set([...current.keys(), ...[...judged.values()].map((j) => j.rule), ...fixed.keys()])];
  const sevOf = (rule: string): FindingSeverity => {
    const fs_ = current.get(rule);
    if (fs_?.length) return severityOf(fs_);
    return /^syntax\//.test(rule) ? 'error' : 'warning';
  };
  rules.sort((a, b) => RANK[sevOf(a)] - RANK[sevOf(b)] || a.localeCompare(b));
  const totals = { warning: { t: 0, f: 0, d: 0 }, info: { t: 0, f: 0, d: 0 }, error: { t: 0, f: 0, d: 0 } };
  const rows: string[] = [];
  const remainingFalse: string[] = [];
  const lostTrueList: string[] = [];
  let unjudged = 0;
  for (const rule of rules) {
    const sev = sevOf(rule);
    const now = current.get(rule) ?? [];
    const js = [...judged.values()].filter((j) => j.rule === rule);
    // Counted per finding: two findings of a rule on one line (`apt update && apt install`) share their judgment.
    const verdicts = now.map((f) => judged.get(key(f.rule, f.file, f.line))?.verdict);
    const c = { t: 0, f: 0, d: 0 };
    for (const v of verdicts) if (v) c[v === 'true' ? 't' : v === 'false' ? 'f' : 'd']++;
    const gone = js.filter((j) => j.verdict === 'false' && !reported.has(key(j.rule, j.file, j.line))).length;
    const lostTrue = js.filter((j) => j.verdict === 'true' && !reported.has(key(j.rule, j.file, j.line))).length;
    unjudged += sev === 'info' ? 0 : verdicts.filter((v) => !v).length;
    totals[sev].t += c.t;
    totals[sev].f += c.f;
    totals[sev].d += c.d;
    for (const j of js) if (j.verdict === 'false' && reported.has(key(j.rule, j.file, j.line))) remainingFalse.push(`- \`${rule}\` ${j.file}:${j.line}: ${j.reason}`);
    for (const j of js) if (j.verdict === 'true' && !reported.has(key(j.rule, j.file, j.line))) lostTrueList.push(`- \`${rule}\` ${j.file}:${j.line}: ${j.reason}`);
    const what = [...(fixed.get(rule) ?? []), ...(gone ? [`${gone} judged false no longer reported`] : []), ...(lostTrue ? [`${lostTrue} judged true no longer reported`] : [])].join('; ');
    rows.push(`| ${rule} | ${sev} | ${now.length} | ${c.t + c.f + c.d} | ${c.t} | ${c.f} | ${c.d} | ${pct(c.t, c.f)} | ${what} |`);
  }
  const section = [
    MARK_START,
    `Measured at commit \`${treeState()}\` by \`npx tsx scripts/precision-review.ts table\` over ${linted.length} Dockerfiles from ${new Set(linted.map((l) => repoOf(l.file))).size} repositories. "findings" is what the tree reports now; "judged" counts those with a verdict (findings of a rule on one line share it). Precision is true / (true + false); debatable findings are left out of it.`,
    '',
    '| rule | severity | findings | judged | true | false | debatable | precision | what was fixed |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `**Totals.** Warning precision ${pct(totals.warning.t, totals.warning.f)} (${totals.warning.t} true, ${totals.warning.f} false, ${totals.warning.d} debatable); info precision ${pct(totals.info.t, totals.info.f)} (${totals.info.t} true, ${totals.info.f} false, ${totals.info.d} debatable, a sample); error-level findings ${linted.reduce((n, l) => n + l.findings.filter((f) => f.severity === 'error').length, 0)} (${totals.error.t} true, ${totals.error.f} false on files that build, ${totals.error.d} debatable). Warning/error findings not judged: ${unjudged}.`,
    '',
    '**Remaining false positives**',
    '',
    ...(remainingFalse.length ? remainingFalse : ['- none']),
    '',
    '**Judged true, no longer reported** (a fix that went too far shows here)',
    '',
    ...(lostTrueList.length ? lostTrueList : ['- none']),
    MARK_END,
  ].join('\n');
  let doc = fs.existsSync(docFile) ? fs.readFileSync(docFile, 'utf8') : '# Precision\n';
  const s = doc.indexOf(MARK_START);
  const e = doc.indexOf(MARK_END);
  doc = s >= 0 && e > s ? doc.slice(0, s) + section + doc.slice(e + MARK_END.length) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(docFile, doc);
  process.stdout.write(section + '\n');
}

async function main(): Promise<void> {
  const { mode, folder, opts } = parseArgs(process.argv.slice(2));
  if (mode === 'sample') await sample(folder, opts);
  else await table(folder, opts);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  });
}
