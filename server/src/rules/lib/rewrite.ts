import type { Range, TextEdit } from 'vscode-languageserver-types';
import type { Inst, Model } from '../../model/model';

/**
 * Helpers for fixes that rewrite structure while keeping the author's formatting: line endings,
 * the escape character, and how continuation lines are laid out.
 */

export function eolOf(model: Model): string {
  return model.text.includes('\r\n') ? '\r\n' : '\n';
}

export interface ContinuationStyle {
  /** `&&` at the start of continuation lines (` && cmd`) rather than at the end (`cmd && \`). */
  leadingAnd: boolean;
  /** Indentation of continuation lines. */
  indent: string;
}

/** How this file lays out `&&` chains over continuation lines; Docker's official images' style when it has none. */
export function continuationStyle(model: Model): ContinuationStyle {
  const esc = model.escape;
  let leading = 0;
  let trailing = 0;
  const indents = new Map<string, number>();
  const lines = model.lines;
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1]!;
    if (!prev.trimEnd().endsWith(esc)) continue;
    const line = lines[i]!;
    const m = /^([ \t]+)(&&)?/.exec(line);
    if (!m || /^\s*#/.test(line)) continue;
    if (m[2]) leading++;
    if (/&&\s*\S?$/.test(prev.trimEnd().slice(0, -1).trimEnd())) trailing++;
    indents.set(m[1]!, (indents.get(m[1]!) ?? 0) + 1);
  }
  const indent = [...indents.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '    ';
  return { leadingAnd: leading >= trailing, indent };
}

/** An edit deleting an instruction's whole lines (and the newline after it). */
export function deleteInstruction(model: Model, inst: Inst): TextEdit {
  const start = { line: inst.range.start.line, character: 0 };
  const endLine = inst.range.end.line + 1;
  const lineCount = model.doc.textDocument.lineCount;
  const end = endLine < lineCount ? { line: endLine, character: 0 } : model.doc.textDocument.positionAt(model.text.length);
  return { range: { start, end }, newText: '' };
}

export function insertAt(model: Model, offset: number, text: string): TextEdit {
  const p = model.doc.textDocument.positionAt(offset);
  return { range: { start: p, end: p } as Range, newText: text };
}

export function replaceSpan(model: Model, start: number, end: number, text: string): TextEdit {
  return { range: model.range(start, end), newText: text };
}
