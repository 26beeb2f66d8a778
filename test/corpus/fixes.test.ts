import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { ParsedDocument } from '../../server/src/engine/document';
import { lintDocument } from '../../server/src/engine/lint';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { readReal, realFiles } from '../support/corpus';

const ALL_ON = { ruleConfig: { rules: {}, enableAll: true } };

/** Lines of the original that no edit touches must all appear, in order, in the result. */
function keepsUntouchedLines(original: TextDocument, edits: { range: Diagnostic['range'] }[], result: string): string | undefined {
  const lines = original.getText().split(/\r?\n/);
  const touched = new Set<number>();
  for (const e of edits) for (let l = e.range.start.line; l <= e.range.end.line; l++) touched.add(l);
  const out = result.split(/\r?\n/);
  let j = 0;
  for (let i = 0; i < lines.length; i++) {
    if (touched.has(i)) continue;
    while (j < out.length && out[j] !== lines[i]) j++;
    if (j === out.length) return `line ${i + 1} ${JSON.stringify(lines[i])} is gone`;
    j++;
  }
  return undefined;
}

describe('every offered fix, applied on its own to every corpus file', () => {
  before(() => initShellParser());

  it('gives a Dockerfile that parses, gains no error, and keeps every line the fix is not about', { timeout: 600_000 }, () => {
    const problems: string[] = [];
    let applied = 0;
    const perRule = new Map<string, number>();
    for (const f of realFiles()) {
      const text = readReal(f);
      const doc = new ParsedDocument(`file:///corpus/${f}`, 1, text);
      const diagnostics = lintDocument(doc, DEFAULT_SETTINGS, ALL_ON);
      const errorsBefore = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
      for (const d of diagnostics) {
        for (const fix of (d.data as RuleDiagnosticData | undefined)?.fixes ?? []) {
          applied++;
          perRule.set(String(d.code), (perRule.get(String(d.code)) ?? 0) + 1);
          const where = `${f}:${d.range.start.line + 1} ${String(d.code)} "${fix.title}"`;
          let fixed: string;
          try {
            fixed = TextDocument.applyEdits(doc.textDocument, fix.edits);
          } catch (e) {
            problems.push(`${where}: edits do not apply: ${(e as Error).message}`);
            continue;
          }
          const after = new ParsedDocument(`file:///corpus/${f}.fixed`, 2, fixed);
          let errorsAfter: Diagnostic[];
          try {
            // ShellCheck never reports errors; re-running it on every fixed file would only cost time.
            errorsAfter = lintDocument(after, DEFAULT_SETTINGS, { ruleConfig: { rules: { shellcheck: 'off' }, enableAll: true } }).filter((x) => x.severity === DiagnosticSeverity.Error);
          } catch (e) {
            problems.push(`${where}: the fixed file does not lint: ${(e as Error).message}`);
            continue;
          }
          if (errorsAfter.length > errorsBefore) problems.push(`${where}: adds an error: ${errorsAfter.map((x) => `${x.range.start.line + 1}:${String(x.code)}`).join(', ')}`);
          const lost = keepsUntouchedLines(doc.textDocument, fix.edits, fixed);
          if (lost) problems.push(`${where}: ${lost}`);
        }
      }
    }
    console.log(`applied ${applied} fixes: ${[...perRule.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}`);
    assert.ok(applied > 100, `only ${applied} fixes offered on the corpus`);
    assert.deepEqual(problems.slice(0, 30), []);
  });
});
