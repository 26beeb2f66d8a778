import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/** What the LSP benchmarks share: percentiles, formatting, and edit scripts that never repeat a text. */

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function ms(v: number): string {
  return v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // fall back to os.cpus()
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Lines whose text belongs to an instruction (not blank, not a comment), and a column inside each. */
export function editTargets(text: string): { line: number; col: number }[] {
  const lines = text.split(/\r?\n/);
  const targets: { line: number; col: number }[] = [];
  lines.forEach((raw, line) => {
    const first = raw.search(/\S/);
    if (first < 0 || raw[first] === '#') return;
    let last = raw.trimEnd().length;
    if (raw.trimEnd().endsWith('\\')) last -= 1;
    if (last - first < 2) return;
    targets.push({ line, col: first + Math.floor((last - first) / 2) });
  });
  return targets;
}

export interface Edit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  rangeLength: number;
  text: string;
  /** The whole document after this edit (for servers that want full-text changes). */
  after: string;
}

/**
 * `count` edits that alternately insert and delete one character, each on an instruction line
 * spread over the file: insert on line 0, insert on line 1, delete on line 0, insert on line 2,
 * delete on line 1, ... (lines here meaning the chosen target lines). Every edit yields a text
 * that no earlier step had, the original included, so a server cannot answer from a cache
 * keyed by text (as an insert-then-undo sequence would allow).
 */
export function editScript(original: string, count: number, ch = 'x'): Edit[] {
  const targets = editTargets(original);
  const needed = Math.ceil(count / 2) + 1;
  if (targets.length < needed) throw new Error(`only ${targets.length} instruction lines to edit, need ${needed}`);
  const target = (j: number): { line: number; col: number } => targets[Math.floor((j * targets.length) / needed)]!;
  const edits: Edit[] = [];
  const seen = new Set<string>([original]);
  let text = original;
  for (let k = 0; k < count; k++) {
    const insert = k === 0 || k % 2 === 1;
    const { line, col } = target(insert ? (k + 1) >> 1 : (k >> 1) - 1);
    const off = offsetAt(text, line, col);
    if (insert) {
      text = text.slice(0, off) + ch + text.slice(off);
      edits.push({ range: { start: { line, character: col }, end: { line, character: col } }, rangeLength: 0, text: ch, after: text });
    } else {
      if (text[off] !== ch) throw new Error(`edit script bookkeeping: no inserted ${ch} at ${line}:${col}`);
      text = text.slice(0, off) + text.slice(off + 1);
      edits.push({ range: { start: { line, character: col }, end: { line, character: col + 1 } }, rangeLength: 1, text: '', after: text });
    }
    if (seen.has(text)) throw new Error(`edit ${k} repeats an earlier text`);
    seen.add(text);
  }
  return edits;
}

export function offsetAt(text: string, line: number, col: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + col;
}

