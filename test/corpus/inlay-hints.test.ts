import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { InlayHint } from 'vscode-languageserver-types';
import { ParsedDocument } from '../../server/src/engine/document';
import { inlayHints } from '../../server/src/engine/inlay-hints';
import { initShellParser } from '../../server/src/model/shell';
import { readReal, realFiles } from '../support/corpus';

/**
 * Inline hints on every real Dockerfile: each one sits right after what it explains (a variable
 * reference, an ARG's name or value, a stage reference), through continuations, CRLF, heredocs and
 * `# escape=`; and a known value never still holds a reference that was not expanded.
 */

const ALL = { start: { line: 0, character: 0 }, end: { line: 1_000_000, character: 0 } };

function label(h: InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

describe('inline hints on the real-world corpus', () => {
  before(() => initShellParser());

  it('every hint sits right after the reference, ARG or stage it is about', (t) => {
    const misplaced: string[] = [];
    const unexpanded: string[] = [];
    let values = 0;
    let unknown = 0;
    let stages = 0;
    for (const f of realFiles()) {
      const text = readReal(f);
      const doc = new ParsedDocument(`file:///corpus/${f}`, 1, text);
      const lines = text.split('\n');
      for (const h of inlayHints(doc, ALL, { buildArgs: {}, variables: true, stages: true })) {
        const l = label(h);
        const line = lines[h.position.line] ?? '';
        const before = line.slice(0, h.position.character);
        const where = `${f}:${h.position.line + 1}:${h.position.character + 1} ${l} after "${before.slice(-40)}"`;
        if (h.position.character > line.replace(/\r$/, '').length) misplaced.push(`past the end of the line: ${where}`);
        else if (l.startsWith('→')) {
          stages++;
          if (!/(^\s*FROM\s.*\S|(--|--mount=|,)from=[^,\s]+)$/i.test(before)) misplaced.push(where);
        } else {
          if (l === '= ?') unknown++;
          else values++;
          const afterReference = /(\$\{.*\}|\$[A-Za-z_][A-Za-z0-9_]*)$/.test(before);
          const afterArg = /^\s*ARG\s.*\S$/i.test(line);
          if (!afterReference && !afterArg) misplaced.push(where);
          if (l !== '= ?' && /\$\{?[A-Za-z_]/.test(l)) unexpanded.push(where);
        }
      }
    }
    t.diagnostic(`${values} known values, ${unknown} "= ?", ${stages} stage hints`);
    assert.deepEqual(misplaced, []);
    assert.deepEqual(unexpanded, []);
    assert.ok(values > 1000 && unknown > 100 && stages > 100, `${values} ${unknown} ${stages}`);
  });
});
