import type { Range, TextEdit } from 'vscode-languageserver-types';
import type { Flag, Inst, Model, RunInfo, Stage } from '../../model/model';
import type { ShellCommand, ShellWord } from '../../model/shell';

/**
 * Helpers for the instruction-level rules (hadolint's DL3xxx/DL4xxx group): the words of COPY,
 * ADD, EXPOSE, USER arguments, key=value pairs of ENV and LABEL, `--from` targets, stage
 * ancestry, and where a shell command sits inside a subshell.
 */

/** One word of an instruction's arguments; offsets are into `inst.argsText.text`. */
export interface ArgWord {
  /** Quotes removed. */
  text: string;
  raw: string;
  start: number;
  end: number;
}

/**
 * The arguments as BuildKit splits them for COPY, ADD, EXPOSE, USER, VOLUME: the JSON array's
 * values, or whitespace-separated words (BuildKit does not honour quotes when splitting these;
 * they are removed when each word is expanded).
 */
export function argWords(inst: Inst): ArgWord[] {
  const text = inst.argsText.text;
  if (inst.json) {
    const out: ArgWord[] = [];
    let from = 0;
    for (const value of inst.json) {
      const raw = JSON.stringify(value);
      let start = text.indexOf(raw, from);
      if (start < 0) start = from;
      const end = start + raw.length;
      out.push({ text: value, raw, start, end: Math.min(end, text.length) });
      from = end;
    }
    return out;
  }
  const out: ArgWord[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ text: stripQuotes(m[0]), raw: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

/** Removes shell quotes (`"a"b'c'` → `abc`), keeping escaped characters. */
export function stripQuotes(raw: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else out += c;
    } else if (c === '"' || c === "'") quote = c;
    else out += c;
  }
  return out;
}

export function argRange(model: Model, inst: Inst, w: { start: number; end: number }): Range {
  const [s, e] = inst.argsText.docSpan(w.start, w.end);
  return model.range(s, e);
}

/** The Dockerfile offset just after `w` (for inserting text after a word). */
export function argEndOffset(inst: Inst, w: { start: number; end: number }): number {
  return inst.argsText.docSpan(w.start, w.end)[1];
}

export interface CopyArgs {
  sources: ArgWord[];
  dest: ArgWord | undefined;
}

/** COPY/ADD: sources and destination (the last word). Heredoc sources keep their `<<EOF` marker. */
export function copyArgs(inst: Inst): CopyArgs {
  const words = argWords(inst);
  if (words.length < 2) return { sources: words, dest: undefined };
  return { sources: words.slice(0, -1), dest: words[words.length - 1] };
}

export function isHeredocWord(w: ArgWord): boolean {
  return !w.raw.startsWith('"') && /^<<-?/.test(w.raw) && !w.raw.startsWith('<<<');
}

export function flagNamed(inst: Inst, name: string): Flag | undefined {
  return inst.flags.find((f) => f.name.toLowerCase() === name);
}

/** The instruction itself or, for ONBUILD, its trigger. */
export function target(inst: Inst): Inst {
  return inst.trigger ?? inst;
}

/** A stage, then the earlier stages it builds on (`FROM base` where `base` is a stage). */
export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !out.includes(s); s = s.base?.stage) out.push(s);
  return out;
}

/** The USER in effect at the end of the last stage: its own last USER, or that of the stage it builds on. */
export function finalUser(stages: Stage[]): Inst | undefined {
  const last = stages[stages.length - 1];
  if (!last) return undefined;
  for (const s of stageChain(last)) {
    const users = s.instructions.filter((i) => i.keyword === 'USER');
    if (users.length) return users[users.length - 1];
  }
  return undefined;
}

export type FromTarget =
  | { kind: 'stage'; stage: Stage; value: string }
  | { kind: 'index'; index: number; stage: Stage | undefined; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'image'; value: string }
  | { kind: 'unknown'; value: string };

/**
 * What `COPY --from=<value>` names: an earlier stage or this one (by name, case-insensitive like
 * BuildKit), a stage index, an image reference (it has a tag, digest or path: it cannot be a stage name),
 * a bare name that is no earlier stage, or something whose value cannot be known.
 */
const namedStages = new WeakMap<Model, Map<string, Stage[]>>();

/** The stages of each lower-cased name, in file order; built once per model. */
function stagesByName(model: Model): Map<string, Stage[]> {
  let byName = namedStages.get(model);
  if (!byName) {
    byName = new Map();
    for (const s of model.stages) {
      const key = s.name?.toLowerCase();
      if (key === undefined) continue;
      let list = byName.get(key);
      if (!list) byName.set(key, (list = []));
      list.push(s);
    }
    namedStages.set(model, byName);
  }
  return byName;
}

export function fromTarget(model: Model, inst: Inst, raw: string): FromTarget {
  const expanded = inst.scope.expand(stripQuotes(raw), model.escape);
  if (!expanded.certain) return { kind: 'unknown', value: raw };
  const value = expanded.text;
  if (/^\d+$/.test(value)) {
    const index = Number(value);
    return { kind: 'index', index, stage: model.stages.find((s) => s.from && s.index === index), value };
  }
  const lower = value.toLowerCase();
  // The latest stage of that name before this instruction (its own stage too, outside ONBUILD), by name: a scan of the stages per reference was quadratic.
  const named = stagesByName(model).get(lower) ?? [];
  let stage: Stage | undefined;
  for (let i = named.length - 1; i >= 0 && !stage; i--) {
    const s = named[i]!;
    if (s.index < inst.stage.index || (s === inst.stage && !inst.inOnbuild)) stage = s;
  }
  if (stage) return { kind: 'stage', stage, value };
  if (/[:@/]/.test(value)) return { kind: 'image', value };
  return { kind: 'name', value };
}

const VAR_CHAR = /[A-Za-z0-9_]/;

export interface KeyValue {
  key: string;
  /** Raw value text (quotes kept), or undefined for a bare key. */
  value: string | undefined;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

/**
 * ENV and LABEL pairs with their offsets in `argsText`: `K=V K2="v w"`, or the legacy
 * `K value with spaces` form.
 */
export function keyValues(inst: Inst, escape = '\\'): KeyValue[] {
  const text = inst.argsText.text;
  const tokens: { start: number; end: number }[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let quote: string | undefined;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === escape && quote === '"') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === escape) i++;
      else if (/\s/.test(c)) break;
    }
    tokens.push({ start, end: Math.min(i, text.length) });
  }
  if (!tokens.length) return [];
  const first = text.slice(tokens[0]!.start, tokens[0]!.end);
  if (!unquotedIndexOf(first, '=') && tokens.length > 1) {
    // Legacy form: the first word is the key, everything after it is the value.
    const t0 = tokens[0]!;
    const rest = tokens[1]!;
    const last = tokens[tokens.length - 1]!;
    return [{ key: stripQuotes(first), value: text.slice(rest.start, last.end), keyStart: t0.start, keyEnd: t0.end, valueStart: rest.start, valueEnd: last.end }];
  }
  return tokens.map((t) => {
    const token = text.slice(t.start, t.end);
    const eq = unquotedIndexOf(token, '=');
    if (eq === undefined) return { key: stripQuotes(token), value: undefined, keyStart: t.start, keyEnd: t.end, valueStart: t.end, valueEnd: t.end };
    return { key: stripQuotes(token.slice(0, eq)), value: token.slice(eq + 1), keyStart: t.start, keyEnd: t.start + eq, valueStart: t.start + eq + 1, valueEnd: t.end };
  });
}

function unquotedIndexOf(s: string, ch: string): number | undefined {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ch) return i;
  }
  return undefined;
}

/**
 * Where `$name` / `${name…}` is referenced in a raw ENV value (outside single quotes, not
 * escaped): offsets relative to the value.
 */
export function variableReferences(value: string, name: string, escape: string): { start: number; end: number }[] {
  return allVariableReferences(value, escape).filter((r) => r.name === name);
}

/** Every `$name` / `${name…}` in a raw ENV value, in one pass: a rule that looks for many names reads the value once. */
export function allVariableReferences(value: string, escape: string): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  const nameEnd = (from: number): number => {
    let k = from;
    while (k < value.length && VAR_CHAR.test(value[k]!)) k++;
    return k;
  };
  let single = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "'" && !single) {
      single = true;
      continue;
    }
    if (single) {
      if (c === "'") single = false;
      continue;
    }
    if (c === escape) {
      i++;
      continue;
    }
    if (c !== '$') continue;
    if (value[i + 1] === '{') {
      const end = nameEnd(i + 2);
      const after = value[end];
      if (end > i + 2 && (after === '}' || after === ':' || after === '-' || after === '+' || after === '?')) {
        const close = value.indexOf('}', i);
        out.push({ name: value.slice(i + 2, end), start: i, end: close < 0 ? value.length : close + 1 });
      }
    } else {
      const end = nameEnd(i + 1);
      if (end > i + 1) out.push({ name: value.slice(i + 1, end), start: i, end });
    }
  }
  return out;
}

/** Scripts seen lately → their spans: several rules ask for each RUN, and an edit elsewhere leaves the RUN's text as it was. */
const SPANS_CHARS = 1_000_000;
const spansByText = new Map<string, [number, number][]>();
let spansChars = 0;

/**
 * Spans of a shell script that run in a child shell: `( … )`, `$( … )`, backticks, `<( … )`.
 * A `cd` inside one does not leak to the rest of the script. Quotes, comments and heredoc bodies
 * are skipped; an unbalanced `)` (a `case` pattern) is ignored. The array is shared: do not change it.
 */
export function childShellSpans(text: string): [number, number][] {
  let spans = spansByText.get(text);
  if (!spans) {
    spans = scanChildShellSpans(text);
    spansByText.set(text, spans);
    spansChars += text.length;
    while (spansChars > SPANS_CHARS && spansByText.size > 1) {
      const oldest = spansByText.keys().next().value as string;
      spansByText.delete(oldest);
      spansChars -= oldest.length;
    }
  }
  return spans;
}

function scanChildShellSpans(text: string): [number, number][] {
  type Kind = 'paren' | 'subst' | 'arith' | 'param' | 'backtick';
  const spans: [number, number][] = [];
  const stack: { kind: Kind; start: number; dq: boolean; depth: number }[] = [];
  let dq = false;
  const heredocs: { delim: string; strip: boolean }[] = [];
  const wordStart = (i: number): boolean => i === 0 || /[\s;&|(){}]/.test(text[i - 1]!);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '\n' && heredocs.length && !dq) {
      // Skip heredoc bodies; a missing terminator means the body is not in this text.
      let pos = i + 1;
      for (const h of heredocs.splice(0)) {
        const re = new RegExp(`^${h.strip ? '\\t*' : ''}${h.delim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*$`, 'm');
        const m = re.exec(text.slice(pos));
        if (!m) break;
        pos += m.index + m[0].length;
      }
      i = pos - 1;
      continue;
    }
    if (dq) {
      if (c === '"') dq = false;
      else if (c === '$' && text[i + 1] === '(' && text[i + 2] !== '(') {
        stack.push({ kind: 'subst', start: i, dq: true, depth: 0 });
        dq = false;
        i++;
      } else if (c === '`') {
        stack.push({ kind: 'backtick', start: i, dq: true, depth: 0 });
        dq = false;
      }
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? text.length : close;
      continue;
    }
    if (c === '"') {
      dq = true;
      continue;
    }
    if (c === '#' && wordStart(i)) {
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      const m = /^<<(-?)\s*(["']?)([A-Za-z0-9_.-]+)\2/.exec(text.slice(i));
      if (m) {
        heredocs.push({ delim: m[3]!, strip: m[1] === '-' });
        i += m[0].length - 1;
        continue;
      }
    }
    if (c === '`') {
      if (top?.kind === 'backtick') {
        stack.pop();
        spans.push([top.start, i + 1]);
        dq = top.dq;
      } else stack.push({ kind: 'backtick', start: i, dq: false, depth: 0 });
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      const arith = text[i + 2] === '(';
      stack.push({ kind: arith ? 'arith' : 'subst', start: i, dq: false, depth: 0 });
      i += arith ? 2 : 1;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      stack.push({ kind: 'param', start: i, dq: false, depth: 0 });
      i++;
      continue;
    }
    if (c === '}' && top?.kind === 'param') {
      stack.pop();
      dq = top.dq;
      continue;
    }
    if (top?.kind === 'arith') {
      if (c === '(') top.depth++;
      else if (c === ')') {
        if (top.depth > 0) top.depth--;
        else {
          stack.pop();
          if (text[i + 1] === ')') i++;
          dq = top.dq;
        }
      }
      continue;
    }
    if (c === '(') {
      stack.push({ kind: 'paren', start: (text[i - 1] === '<' || text[i - 1] === '>') ? i - 1 : i, dq: false, depth: 0 });
      continue;
    }
    if (c === ')' && top && (top.kind === 'paren' || top.kind === 'subst')) {
      stack.pop();
      spans.push([top.start, i + 1]);
      dq = top.dq;
    }
  }
  return spans;
}

export function inChildShell(spans: [number, number][], cmd: { start: number }): boolean {
  return spans.some(([s, e]) => cmd.start > s && cmd.start < e);
}

/** `command -v x` / `command -V x` only looks `x` up; the model peels `command` off as a wrapper. */
export function isLookupOnly(run: RunInfo, cmd: ShellCommand): boolean {
  const script = run.script?.text;
  if (!script) return false;
  return cmd.wrappers.some((w) => w.text === 'command' && /(^|\s)-[a-zA-Z]*[vV]/.test(script.slice(w.end, cmd.nameWord.start)));
}

/** An edit inserting ` <option>` after a command's name word, in shell or exec form. */
export function insertOptionAfterName(model: Model, run: RunInfo, cmd: ShellCommand, option: string): TextEdit {
  const end = run.script!.docSpan(cmd.nameWord.start, cmd.nameWord.end)[1];
  const pos = model.doc.textDocument.positionAt(end);
  return { range: { start: pos, end: pos }, newText: run.execForm ? `, ${JSON.stringify(option)}` : ` ${option}` };
}

/** Short options of a word such as `-qO-`: letters up to the first one that takes a value. */
export function shortOptions(word: ShellWord | string, takesValue: string): string[] {
  const t = typeof word === 'string' ? word : word.text;
  if (!/^-[A-Za-z]/.test(t) || t.startsWith('--')) return [];
  const out: string[] = [];
  for (const ch of t.slice(1)) {
    if (!/[A-Za-z0-9]/.test(ch)) break;
    out.push(ch);
    if (takesValue.includes(ch)) break;
  }
  return out;
}

/** hadolint's archive extensions: what ADD may unpack (it detects tar archives by content, compressed or not). */
export const ARCHIVE_EXTENSIONS = ['.tar', '.Z', '.bz2', '.gz', '.lz', '.lzma', '.tZ', '.tb2', '.tbz', '.tbz2', '.tgz', '.tlz', '.tpz', '.txz', '.xz', '.zst', '.tzst'];

export function isArchiveName(path: string): boolean {
  return ARCHIVE_EXTENSIONS.some((ext) => path.endsWith(ext));
}

export function isRemoteSource(src: string): boolean {
  return /^(https?|git|ssh):\/\//i.test(src) || /^[\w.-]+@[\w.-]+:/.test(src);
}

export function basenameOf(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}
