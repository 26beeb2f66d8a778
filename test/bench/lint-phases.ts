/**
 * Where one edit's lint goes, in process and without the server: npm run bench's 200 keystrokes on
 * airflow's Dockerfile, each version timed phase by phase (flattening the edited text, blanking
 * heredoc bodies, parse, model, syntax checks, rules), median of the last 170.
 * `npx tsx test/bench/lint-phases.ts [SERVER_SRC]`: SERVER_SRC is another checkout's server/src,
 * to compare revisions on the same machine state. Prints; writes nothing.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { editScript, percentile } from './lsp-common';

const CORPUS = process.env.LAYERWISE_BENCH_CORPUS ?? '/work/shared/corpus/real';
const src = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'server', 'src'));

(async () => {
  const { ParsedDocument } = (await import(path.join(src, 'engine/document'))) as typeof import('../../server/src/engine/document');
  const { syntaxDiagnostics } = (await import(path.join(src, 'engine/syntax-validation'))) as typeof import('../../server/src/engine/syntax-validation');
  const { runRuleSteps } = (await import(path.join(src, 'engine/rule-runner'))) as typeof import('../../server/src/engine/rule-runner');
  const { drain } = (await import(path.join(src, 'engine/cooperative'))) as typeof import('../../server/src/engine/cooperative');
  const { toRuleConfig } = (await import(path.join(src, 'engine/hadolint-config'))) as typeof import('../../server/src/engine/hadolint-config');
  const { initShellParser } = (await import(path.join(src, 'model/shell'))) as typeof import('../../server/src/model/shell');
  const { DEFAULT_SETTINGS } = (await import(path.join(src, 'config'))) as typeof import('../../server/src/config');
  await initShellParser();
  const base = readFileSync(path.join(CORPUS, 'apache__airflow__Dockerfile'), 'utf8');
  const uri = 'file:///bench/Dockerfile';
  let td = TextDocument.create(uri, 'dockerfile', 1, base);
  const times: Record<string, number[]> = {};
  const timed = <T>(phase: string, f: () => T): T => {
    const start = performance.now();
    const v = f();
    (times[phase] ??= []).push(performance.now() - start);
    return v;
  };
  syntaxDiagnostics(new ParsedDocument(uri, 1, base));
  const config = toRuleConfig(DEFAULT_SETTINGS.rules, undefined);
  for (const [k, e] of editScript(base, 200).entries()) {
    td = TextDocument.update(td, [{ range: e.range, rangeLength: e.rangeLength, text: e.text }], k + 2);
    const doc = new ParsedDocument(uri, k + 2, td.getText());
    timed('flatten', () => doc.text.charCodeAt(doc.text.length >> 1));
    timed('blank', () => doc.analysisText);
    timed('parse', () => doc.dockerfile);
    const model = timed('model', () => doc.model());
    timed('syntax', () => syntaxDiagnostics(doc));
    timed('rules', () => drain(runRuleSteps(model, { config, buildContext: undefined })));
  }
  let sum = 0;
  for (const [phase, samples] of Object.entries(times)) {
    const p50 = percentile(samples.slice(30), 50);
    sum += p50;
    console.log(`${phase.padEnd(8)} ${p50.toFixed(2)} ms`);
  }
  console.log(`${'sum'.padEnd(8)} ${sum.toFixed(2)} ms`);
})();
