import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { ParsedDocument } from '../../server/src/engine/document';
import { EditorFeatures } from '../../server/src/engine/editor-features';
import { lintDocument } from '../../server/src/engine/lint';
import { blankOpaqueHeredocs } from '../../server/src/engine/opaque-heredocs';
import { initShellParser } from '../../server/src/model/shell';
import { readReal, realFiles } from '../support/corpus';
import { docOf } from '../support/docs';

/** The engine without the blanking of quoted COPY/ADD heredoc bodies. */
class Unblanked extends ParsedDocument {
  override get analysisText(): string {
    return this.text;
  }
}

describe('blanking quoted COPY/ADD heredoc bodies', () => {
  before(() => initShellParser());

  it('keeps offsets and line breaks, and blanks only quoted COPY/ADD bodies', () => {
    const text = 'FROM alpine\r\nCOPY <<"EOF" /a.sh\r\necho ${X:=1}\r\nEOF\r\nRUN <<EOF\necho hi\nEOF\nCOPY <<EOF /b\n$HOME\nEOF\nADD <<-\'END\' /c\n\tline\n\tEND\n';
    const blanked = blankOpaqueHeredocs(text);
    assert.equal(blanked.length, text.length);
    assert.deepEqual(blanked.split(/\r?\n/).map((l) => l.trim() === '' ? '' : l), text.split(/\r?\n/).map((l, i) => ([2, 11].includes(i) ? '' : l)));
  });

  it('changes no diagnostic and no rule finding on any corpus file', () => {
    const differ: string[] = [];
    let files = 0;
    for (const f of realFiles()) {
      const text = readReal(f);
      if (blankOpaqueHeredocs(text) === text) continue;
      files++;
      const a = lintDocument(new ParsedDocument(`file:///a/${f}`, 1, text), DEFAULT_SETTINGS, { ruleConfig: { rules: { shellcheck: 'off' }, enableAll: true } });
      const b = lintDocument(new Unblanked(`file:///b/${f}`, 1, text), DEFAULT_SETTINGS, { ruleConfig: { rules: { shellcheck: 'off' }, enableAll: true } });
      const key = (d: (typeof a)[number]) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${d.message}`;
      const ka = a.map(key).sort();
      const kb = b.map(key).sort();
      if (JSON.stringify(ka) !== JSON.stringify(kb)) differ.push(`${f}: only blanked ${ka.filter((k) => !kb.includes(k)).slice(0, 3).join(' | ')}; only original ${kb.filter((k) => !ka.includes(k)).slice(0, 3).join(' | ')}`);
    }
    assert.ok(files >= 3, `only ${files} corpus files have quoted COPY/ADD heredocs`);
    assert.deepEqual(differ, []);
  });

  it('formatting and symbols agree with the unblanked engine on those files', () => {
    const features = new EditorFeatures();
    for (const f of realFiles()) {
      const text = readReal(f);
      if (blankOpaqueHeredocs(text) === text) continue;
      const a = new ParsedDocument(`file:///a/${f}`, 1, text);
      const b = new Unblanked(`file:///b/${f}`, 1, text);
      assert.deepEqual(features.format(a, { tabSize: 4, insertSpaces: true }, DEFAULT_SETTINGS), features.format(b, { tabSize: 4, insertSpaces: true }, DEFAULT_SETTINGS), f);
      assert.deepEqual(features.symbols(a), features.symbols(b), f);
    }
  });

  it('an unterminated heredoc is left as it is', () => {
    const text = 'FROM alpine\nCOPY <<"EOF" /a\nno end\n';
    assert.equal(blankOpaqueHeredocs(text), text);
    assert.ok(Array.isArray(lintDocument(docOf(text), DEFAULT_SETTINGS)));
  });

  it('blanks exactly what a line-by-line scan blanks, on every corpus file and on variants of the ones with heredocs', () => {
    const variants = (t: string): string[] => [
      t,
      t.replace(/\n/g, '\r\n'),
      t.replace(/\n/g, '\r'),
      `# escape=\`\n${t.replace(/\\\n/g, '`\n')}`,
      t.replace(/^(COPY|ADD)/gm, 'RUN echo \\\n$1'),
      t.replace(/^(\s*)(EOF|END)\s*$/m, '$1$2 not the end'),
      t.replace(/<<"/g, '<<-"').replace(/^(EOF|END)$/gm, '\t\t$1'),
      t.replace(/(<<["'][A-Z]+["'])/, '$1 \\'),
      t.replace(/(<<["'][A-Z]+["'])/, '$1 <<EOF2'),
    ];
    let compared = 0;
    for (const f of realFiles()) {
      const text = readReal(f);
      for (const v of text.includes('<<') ? variants(text) : [text]) {
        assert.equal(blankOpaqueHeredocs(v), lineByLine(v), f);
        compared++;
      }
    }
    assert.ok(compared > 713, String(compared));
  });
});

/** The first implementation: every line split out and tested (the one above visits only marker lines). */
function lineByLine(text: string): string {
  if (!text.includes('<<')) return text;
  const marker = /^[ \t]*(?:COPY|ADD)\b[^\n]*?<<(-?)(["'])([A-Za-z0-9_.-]+)\2/i;
  let escape = '\\';
  for (const line of text.split('\n', 32)) {
    const m = /^#\s*escape\s*=\s*(\S)/i.exec(line);
    if (m) {
      escape = m[1]!;
      break;
    }
    if (!/^#\s*\w+\s*=/.test(line)) break;
  }
  const lines = text.split('\n');
  let changed = false;
  let continued = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const wasContinued = continued;
    continued = !/^\s*#/.test(line) && line.trimEnd().endsWith(escape);
    if (wasContinued) continue;
    const m = marker.exec(line);
    if (!m || continued || line.indexOf('<<', m.index + m[0].length) >= 0) continue;
    const name = m[3]!;
    let end = i + 1;
    while (end < lines.length) {
      const body = lines[end]!.replace(/\r$/, '');
      if ((m[1] === '-' ? body.replace(/^\t+/, '') : body) === name) break;
      end++;
    }
    if (end >= lines.length) continue;
    for (let k = i + 1; k < end; k++) {
      const blanked = lines[k]!.replace(/[^\r]/g, ' ');
      if (blanked !== lines[k]) {
        lines[k] = blanked;
        changed = true;
      }
    }
    i = end;
  }
  return changed ? lines.join('\n') : text;
}
