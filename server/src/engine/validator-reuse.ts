import type { Dockerfile, Instruction } from 'dockerfile-ast';
import type { ValidatorSettings } from 'dockerfile-utils';
import { createHash } from 'node:crypto';
import { Validator } from 'dockerfile-utils/lib/dockerValidator';
import type { Diagnostic } from 'vscode-languageserver-types';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { linesMoved } from './heredocs';
import { parseDockerfile } from './parse';

/**
 * dockerfile-utils validates a whole document on every call, and most of that time goes to its
 * per-instruction checks. Their answer depends only on the lines the instruction spans, the
 * escape character and, for an instruction that uses a variable, the ARG/ENV declarations of that
 * name and where they are (dockerfile-ast resolves variables against them). So each instruction's problems are
 * kept, keyed by exactly that, and moved to the instruction's current line: an edit re-checks the
 * instructions it touched and the document-wide checks, nothing else.
 * A corpus test compares every answer with a fresh `validate()`.
 */

type Problem = Diagnostic & { instructionLine: number | null };

interface ValidatorInternals {
  validateInstruction(document: TextDocument, escapeChar: string, instruction: Instruction, keyword: string, isTrigger: boolean, problems: Problem[]): void;
  checkVariables(instruction: Instruction, problems: Problem[]): void;
}

interface Kept {
  line: number;
  problems: Problem[];
}

const DECLARATIONS = new Set(['ARG', 'ENV', 'ONBUILD']);
/** Documents whose instruction answers are kept (the ones being edited; an open needs none). */
const DOCUMENTS = 16;

export class ReusingValidator {
  /** Per document: instruction lines -> check kind and variable context -> the problems found. */
  private readonly kept = new Map<string, Map<string, Map<string, Kept>>>();
  /** Instructions checked and reused by the last call (tests and the bench read them). */
  lastRun = { checked: 0, reused: 0 };

  constructor(private readonly settings: ValidatorSettings) {}

  /** `lines`: a document with the same line breaks at the same offsets as `text`, whose line table can be shared. */
  validate(uri: string, text: string, lines?: TextDocument): Diagnostic[] {
    const dockerfile = parseDockerfile(text);
    const previous = this.kept.get(uri);
    this.kept.delete(uri);
    const next = new Map<string, Map<string, Kept>>();
    const document = lines && lines.getText().length === text.length ? sameLines(text, lines) : TextDocument.create(uri, 'dockerfile', 0, text);
    const validator = new Validator(this.settings);
    const internals = validator as unknown as ValidatorInternals;
    const original = Validator.prototype as unknown as ValidatorInternals;
    const context = declarationContext(dockerfile, document);
    const escape = dockerfile.getEscapeCharacter();
    const run = { checked: 0, reused: 0 };
    // Both checks of an instruction run one after the other: its lines and context are read once.
    let last: { instruction: Instruction; lines: string; context: string } | undefined;
    const reuse = (kind: string, instruction: Instruction, problems: Problem[], check: () => void): void => {
      const range = instruction.getRange();
      if (last?.instruction !== instruction) {
        const lines = document.getText({ start: { line: range.start.line, character: 0 }, end: { line: range.end.line + 1, character: 0 } });
        last = { instruction, lines, context: lines.includes('$') ? context(range.start.line, lines) : '' };
      }
      const key = `${kind}${escape}\u0000${last.context}`;
      const hit = previous?.get(last.lines)?.get(key) ?? next.get(last.lines)?.get(key);
      let kinds = next.get(last.lines);
      if (!kinds) next.set(last.lines, (kinds = new Map()));
      if (hit) {
        run.reused++;
        for (const p of hit.problems) problems.push(moved(p, range.start.line - hit.line));
        kinds.set(key, hit);
        return;
      }
      run.checked++;
      const from = problems.length;
      check();
      kinds.set(key, { line: range.start.line, problems: problems.slice(from).map((p) => moved(p, 0)) });
    };
    internals.validateInstruction = (doc, escapeChar, instruction, keyword, isTrigger, problems) =>
      reuse(`v${keyword}${isTrigger ? 't' : ''}`, instruction, problems, () => original.validateInstruction.call(validator, doc, escapeChar, instruction, keyword, isTrigger, problems));
    internals.checkVariables = (instruction, problems) =>
      reuse('c', instruction, problems, () => original.checkVariables.call(validator, instruction, problems));
    const problems = validator.validate(document);
    this.lastRun = run;
    this.kept.set(uri, next);
    if (this.kept.size > DOCUMENTS) this.kept.delete(this.kept.keys().next().value as string);
    return problems;
  }
}

/**
 * For an instruction that uses variables, what dockerfile-ast resolves them against: the ARG and
 * ENV instructions that may declare one of the names it uses (any word of theirs equal to the
 * name), which stage each is in and whether it comes before the instruction. A `$` not followed
 * by a plain name falls back to every declaration.
 */
function declarationContext(dockerfile: Dockerfile, document: TextDocument): (line: number, lines: string) => string {
  const decls: { start: number; stage: number; text: string }[] = [];
  const byName = new Map<string, number[]>();
  const fromLines: number[] = [];
  for (const i of dockerfile.getInstructions()) {
    const keyword = i.getKeyword();
    const start = i.getRange().start.line;
    if (keyword === 'FROM') fromLines.push(start);
    if (!DECLARATIONS.has(keyword)) continue;
    const text = document.getText(i.getRange());
    const at = decls.push({ start, stage: fromLines.length, text }) - 1;
    for (const word of new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])) {
      const list = byName.get(word);
      if (list) list.push(at);
      else byName.set(word, [at]);
    }
  }
  let all: string | undefined;
  const stageOf = (line: number): number => {
    let lo = 0;
    let hi = fromLines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fromLines[mid]! <= line) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (line, lines) => {
    const relation = (d: { start: number; stage: number; text: string }): string => `${d.stage}${d.start < line ? '<' : d.start === line ? '=' : '>'}${d.text}`;
    const names = new Set<string>();
    for (const m of lines.matchAll(/\$(\{?)([A-Za-z_][A-Za-z0-9_]*)?/g)) {
      if (!m[2]) {
        all ??= createHash('sha1').update(decls.map((d) => `${d.stage}:${d.start}:${d.text}`).join('\u0001')).digest('base64');
        return `*${stageOf(line)}\u0001${decls.filter((d) => d.start < line).length}\u0001${all}`;
      }
      names.add(m[2]);
    }
    const used = new Set<number>();
    for (const n of names) for (const at of byName.get(n) ?? []) used.add(at);
    return `${stageOf(line)}\u0001${[...used].sort((a, b) => a - b).map((at) => relation(decls[at]!)).join('\u0001')}`;
  };
}

function sameLines(text: string, lines: TextDocument): TextDocument {
  return {
    uri: lines.uri,
    languageId: lines.languageId,
    version: lines.version,
    lineCount: lines.lineCount,
    getText: (range) => (range ? text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end)) : text),
    positionAt: (offset) => lines.positionAt(offset),
    offsetAt: (position) => lines.offsetAt(position),
  };
}

function moved(p: Problem, delta: number): Problem {
  return { ...p, range: linesMoved(p.range, delta), instructionLine: p.instructionLine === null ? null : p.instructionLine + delta, ...(p.tags ? { tags: [...p.tags] } : {}) };
}
