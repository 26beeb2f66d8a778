import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { Model } from '../model/model';
import { MAX_SCRIPT_CHARS } from '../model/shell';

/**
 * Per-instruction limits on what one document version costs: an instruction of 100,000 words
 * must not turn into 100,000 diagnostics (each one built, sent and drawn by the editor), and a
 * feature that skips an instruction says so on it, so silence is never mistaken for a clean bill.
 */
export const MAX_DIAGNOSTICS_PER_INSTRUCTION = 100;
export const TOO_LARGE_CODE = 'instruction-too-large';

/**
 * Beyond these a document is not checked at all: one information diagnostic says so. The largest of
 * 713 real Dockerfiles has 94,093 characters, 507 instructions and its longest instruction line
 * (continuations joined) 2,570 characters. At 1 MB, parsing and the rules took 2 to 9 CPU seconds
 * per shape of test/support/fuzz.ts PATHOLOGIES, during which nothing else was answered; at these
 * limits, at most about half a second (test/bench/pathological-bench.ts).
 */
export const MAX_DOCUMENT_CHARS = 256 * 1024;
export const MAX_LINE_CHARS = 16 * 1024;
/** The most instructions of a real one is 507; a stage costs about 0.2 ms of CPU to check, 2,000 about half a second. */
export const MAX_INSTRUCTIONS = 2_000;
const KEYWORD = /[ \t]*(?:from|run|cmd|label|maintainer|expose|env|add|copy|entrypoint|volume|user|workdir|arg|onbuild|stopsignal|healthcheck|shell)(?=[ \t\r\n\\]|$)/iy;
export const DOCUMENT_TOO_LARGE_CODE = 'document-too-large';

/** Whether the line ending at `end` continues on the next (ends with `\` or `` ` ``, whatever the escape directive). */
function continues(text: string, end: number): boolean {
  let i = end - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return text[i] === '\\' || text[i] === '`';
}

function tooLarge(line: number, message: string): Diagnostic {
  const range = { start: { line, character: 0 }, end: { line, character: 0 } };
  return { range, severity: DiagnosticSeverity.Information, source: 'layerwise', code: DOCUMENT_TOO_LARGE_CODE, message };
}

/**
 * The information diagnostic for a document too large to check (over MAX_DOCUMENT_CHARS, or a
 * logical line over MAX_LINE_CHARS), found by one scan of the text; undefined when it can be checked.
 */
export function documentTooLarge(text: string): Diagnostic | undefined {
  const fmt = (n: number): string => n.toLocaleString('en-US');
  if (text.length > MAX_DOCUMENT_CHARS) {
    return tooLarge(0, `This Dockerfile has ${fmt(text.length)} characters, more than the ${fmt(MAX_DOCUMENT_CHARS)} Layerwise checks: nothing in it is checked.`);
  }
  let line = 0;
  let logicalStart = 0;
  let logicalLine = 0;
  let instructions = 0;
  for (let at = 0; at <= text.length; line++) {
    KEYWORD.lastIndex = at;
    // A keyword at the start of a logical line (heredoc body lines count too: an upper bound).
    if (at === logicalStart && KEYWORD.test(text) && ++instructions > MAX_INSTRUCTIONS) {
      return tooLarge(0, `This Dockerfile has more than ${fmt(MAX_INSTRUCTIONS)} instructions, the most Layerwise checks: nothing in it is checked.`);
    }
    let end = at;
    while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
    if (end - logicalStart > MAX_LINE_CHARS) {
      return tooLarge(
        logicalLine,
        `This line (with its continuation lines) has more than ${fmt(MAX_LINE_CHARS)} characters, the most Layerwise checks in one instruction: nothing in this Dockerfile is checked. Split it into smaller instructions.`,
      );
    }
    at = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
    if (!continues(text, end)) {
      logicalStart = at;
      logicalLine = line + 1;
    }
  }
  return undefined;
}

function info(range: Diagnostic['range'], message: string): Diagnostic {
  return { range, severity: DiagnosticSeverity.Information, source: 'layerwise', code: TOO_LARGE_CODE, message };
}

/** The index of the instruction whose lines hold `line` (by binary search), or -1 outside every instruction. */
function instructionAt(starts: readonly number[], ends: readonly number[], line: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= line) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && line <= ends[found]! ? found : -1;
}

/**
 * Keeps the first MAX_DIAGNOSTICS_PER_INSTRUCTION diagnostics of each instruction and adds an
 * information diagnostic on its keyword for what was left out; adds one on each RUN whose script
 * was too large to parse for the shell checks.
 */
export function applyBudget(model: Model, diagnostics: Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const inst of model.runs()) {
    if (inst.run?.shell?.tooLarge) {
      const chars = inst.run.shell.text.length.toLocaleString('en-US');
      out.push(info(inst.keywordRange, `This RUN's script has ${chars} characters, more than the ${MAX_SCRIPT_CHARS.toLocaleString('en-US')} Layerwise parses: its shell commands are not checked. Split it into smaller RUNs or move it into a script file.`));
    }
  }
  if (diagnostics.length <= MAX_DIAGNOSTICS_PER_INSTRUCTION) return [...diagnostics, ...out];
  const instructions = model.instructions;
  const starts = instructions.map((i) => i.range.start.line);
  const ends = instructions.map((i) => i.range.end.line);
  const shown = new Map<number, number>();
  const dropped = new Map<number, number>();
  for (const d of diagnostics) {
    const i = instructionAt(starts, ends, d.range.start.line);
    if (i < 0) {
      out.push(d);
      continue;
    }
    const n = shown.get(i) ?? 0;
    if (n < MAX_DIAGNOSTICS_PER_INSTRUCTION) {
      shown.set(i, n + 1);
      out.push(d);
    } else dropped.set(i, (dropped.get(i) ?? 0) + 1);
  }
  for (const [i, n] of dropped) {
    out.push(info(instructions[i]!.keywordRange, `Layerwise shows the first ${MAX_DIAGNOSTICS_PER_INSTRUCTION} problems of this instruction; ${n.toLocaleString('en-US')} more are not listed. It is too large to report in full: split it into smaller instructions.`));
  }
  return out;
}
