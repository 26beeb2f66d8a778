import * as fs from 'node:fs';
import { DEFAULT_SETTINGS } from './config';
import { findDockerfiles } from './engine/discover';
import { ParsedDocument } from './engine/document';
import { toFinding, type Finding } from './engine/findings';
import { lintDocument } from './engine/lint';
import { pathToFileURL } from 'node:url';

const USAGE = `Usage: layerwise lint [--format tty|json] PATHS...

  Lints Dockerfiles with the same engine as the Layerwise editor extension.
  Directories are searched for Dockerfiles; files given by name are linted whatever their name.
  Exit status: 0 no errors, 1 errors found, 2 usage or input problem.`;

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

export function runCli(argv: string[], io: CliIO): number {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  if (command !== 'lint') {
    io.err(`layerwise: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let format: 'tty' | 'json' = 'tty';
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--format' || a.startsWith('--format=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (v !== 'tty' && v !== 'json') {
        io.err(`layerwise: --format must be tty or json, not "${v ?? ''}"`);
        return 2;
      }
      format = v;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`layerwise: unknown option "${a}"\n\n${USAGE}`);
      return 2;
    } else {
      paths.push(a);
    }
  }
  if (!paths.length) {
    io.err(`layerwise: no paths given\n\n${USAGE}`);
    return 2;
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
  const findings: Finding[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const doc = new ParsedDocument(pathToFileURL(file).href, 1, text);
    for (const d of lintDocument(doc, DEFAULT_SETTINGS)) findings.push(toFinding(file, d));
  }
  if (format === 'json') {
    io.out(JSON.stringify(findings, null, 2));
  } else {
    for (const f of findings) io.out(`${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule}: ${f.message}`);
    if (!findings.length) io.out(`${files.length} file(s) checked, no problems found.`);
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
  });
}
