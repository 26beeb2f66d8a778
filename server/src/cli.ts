import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { pathToFileURL } from 'node:url';
import { ANALYZE_USAGE, runAnalyze } from './analyze/cli';
import { CACHE_REPORT_USAGE, runCacheReport } from './cache/report';
import { NEXT_BUILD_USAGE, RECORD_USAGE, runNextBuild, runRecord } from './cache/next-build-cli';
import { defaultTimingsDir, TimingsStore } from './cache/timings';
import { DEFAULT_SETTINGS } from './config';
import { commandLineImageFacts } from './docker/image-facts';
import { fsBuildContext } from './model/build-context';
import { findDockerfiles } from './engine/discover';
import { ParsedDocument } from './engine/document';
import { toFinding, type Finding, type FindingSeverity } from './engine/findings';
import { findHadolintConfig, parseHadolintConfig, type HadolintConfig } from './engine/hadolint-config';
import { lintDocument } from './engine/lint';
import { toSarif } from './engine/sarif';
import { initShellParser } from './model/shell';
import { commandLineRegistryDigests, IMAGE_INFO_USAGE, runImageInfo } from './registry/cli';

const VERSION = '0.1.0';

const LINT_USAGE = `Usage: layerwise lint [--format tty|json|sarif] [--fail-level error|warning|info|none] [--config FILE] [--docker] [--registry] PATHS...

  Lints Dockerfiles with the same engine and rules as the Layerwise editor extension.
  Directories are searched for Dockerfiles; files given by name are linted whatever their name.
  Suppression comments (# layerwise ignore=..., # hadolint ignore=..., # check=skip=...) and the
  nearest .hadolint.yaml (or --config FILE) apply as in the editor. --docker also asks the local
  Docker daemon about base images (their platform, their registry digests), as the editor does.
  --registry asks the base images' registries which digest each tag points to now (sending the
  image names and the credentials of ~/.docker/config.json there), for the digest-pinning rules.

  Exit status: 0 no finding at or above the fail level (default: error, or the
  failure-threshold of .hadolint.yaml), 1 findings at or above it, 2 usage or input problem.`;

const USAGE = `${LINT_USAGE}\n\n${ANALYZE_USAGE}\n\n${CACHE_REPORT_USAGE}\n\n${NEXT_BUILD_USAGE}\n\n${RECORD_USAGE}\n\n${IMAGE_INFO_USAGE}`;

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

type Format = 'tty' | 'json' | 'sarif';
type FailLevel = FindingSeverity | 'none';
const RANK: Record<FindingSeverity, number> = { info: 1, warning: 2, error: 3 };

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    io.out(VERSION);
    return 0;
  }
  if (command === 'analyze') return runAnalyze(rest, io);
  if (command === 'image-info') return runImageInfo(rest, io);
  if (command === 'cache-report') return runCacheReport(rest, io, { timingsStore: new TimingsStore(defaultTimingsDir()) });
  if (command === 'next-build') return runNextBuild(rest, io);
  if (command === 'record') return runRecord(rest, io);
  if (command !== 'lint') {
    io.err(`layerwise: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  return runLint(rest, io);
}

async function runLint(rest: string[], io: CliIO): Promise<number> {
  let format: Format = 'tty';
  let failLevel: FailLevel | undefined;
  let configFile: string | undefined;
  let docker = false;
  let registry = false;
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const valueOf = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i]);
    if (a === '--format' || a.startsWith('--format=')) {
      const v = valueOf();
      if (v !== 'tty' && v !== 'json' && v !== 'sarif') {
        io.err(`layerwise: --format must be tty, json or sarif, not "${v ?? ''}"`);
        return 2;
      }
      format = v;
    } else if (a === '--fail-level' || a.startsWith('--fail-level=')) {
      const v = valueOf();
      if (v !== 'error' && v !== 'warning' && v !== 'info' && v !== 'none') {
        io.err(`layerwise: --fail-level must be error, warning, info or none, not "${v ?? ''}"`);
        return 2;
      }
      failLevel = v;
    } else if (a === '--config' || a.startsWith('--config=')) {
      configFile = valueOf();
      if (!configFile) {
        io.err('layerwise: --config needs a file');
        return 2;
      }
    } else if (a === '--docker') {
      docker = true;
    } else if (a === '--registry') {
      registry = true;
    } else if (a === '--help' || a === '-h') {
      io.out(LINT_USAGE);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`layerwise: unknown option "${a}"\n\n${LINT_USAGE}`);
      return 2;
    } else {
      paths.push(a);
    }
  }
  if (!paths.length) {
    io.err(`layerwise: no paths given\n\n${LINT_USAGE}`);
    return 2;
  }
  let explicitConfig: HadolintConfig | undefined;
  if (configFile) {
    try {
      explicitConfig = parseHadolintConfig(fs.readFileSync(configFile, 'utf8'), configFile);
    } catch (e) {
      io.err(`layerwise: cannot read config ${configFile}: ${(e as Error).message}`);
      return 2;
    }
  }
  const files: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      io.err(`layerwise: ${p}: no such file or directory`);
      return 2;
    }
    files.push(...(stat.isDirectory() ? findDockerfiles(p) : [p]));
  }
  await initShellParser();
  const findings: Finding[] = [];
  const imageFacts = docker ? commandLineImageFacts((m) => io.err(`layerwise: ${m}`)) : undefined;
  const registryDigests = registry ? commandLineRegistryDigests((m) => io.err(`layerwise: ${m}`)) : undefined;
  let threshold: FailLevel = failLevel ?? 'error';
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      io.err(`layerwise: ${file}: ${(e as Error).message}`);
      return 2;
    }
    const dir = path.dirname(path.resolve(file));
    const hadolint = explicitConfig ?? findHadolintConfig(dir);
    if (!failLevel && hadolint?.failureThreshold) threshold = hadolintThreshold(hadolint.failureThreshold);
    const doc = new ParsedDocument(pathToFileURL(path.resolve(file)).href, 1, text);
    const diagnostics = lintDocument(doc, DEFAULT_SETTINGS, {
      buildContext: fsBuildContext(dir, path.resolve(file)),
      hadolint,
      onRuleError: (rule, e) => io.err(`layerwise: rule ${rule} failed on ${file}: ${(e as Error).message}`),
      ...(await imageFacts?.(doc.model(DEFAULT_SETTINGS.buildArgs))),
      ...(await registryDigests?.(doc.model(DEFAULT_SETTINGS.buildArgs))),
    });
    for (const d of diagnostics) findings.push(toFinding(file, d));
  }
  if (format === 'json') {
    io.out(JSON.stringify(findings, null, 2));
  } else if (format === 'sarif') {
    io.out(JSON.stringify(toSarif(findings, VERSION), null, 2));
  } else {
    for (const f of findings) io.out(`${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule}${f.aliases.length ? ` (${f.aliases.join(', ')})` : ''}: ${f.message}`);
    if (!findings.length) io.out(`${files.length} file(s) checked, no problems found.`);
  }
  if (threshold === 'none') return 0;
  return findings.some((f) => RANK[f.severity] >= RANK[threshold as FindingSeverity]) ? 1 : 0;
}

function hadolintThreshold(t: NonNullable<HadolintConfig['failureThreshold']>): FailLevel {
  if (t === 'ignore' || t === 'none') return 'none';
  if (t === 'style') return 'info';
  return t;
}

if (require.main === module) {
  // Baseline code only for tree-sitter-bash's wasm, as the server (main.ts): optimizing it made each
  // run wait about 0.8 s for the compiler (`layerwise lint` of a 30-line file: 1.2 s, now 0.4 s).
  v8.setFlagsFromString('--liftoff-only');
  void runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
  }).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`layerwise: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
