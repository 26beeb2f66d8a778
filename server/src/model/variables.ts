/**
 * ARG and ENV values as BuildKit resolves them: global ARGs feed FROM, a stage's `ARG X`
 * inherits the global default, build-arg values override defaults, ENV follows ARG.
 * A value that cannot be known statically stays `undefined`; callers must not guess.
 */

export type VarKind = 'arg' | 'env' | 'predefined';

export interface VarValue {
  kind: VarKind;
  /** Undefined when it cannot be known (an ARG without default or build-arg, a platform ARG). */
  value: string | undefined;
}

/** Platform ARGs BuildKit defines in the global scope; their values depend on the build. */
export const PLATFORM_ARGS = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
] as const;

/** ARGs usable without declaration in RUN (proxy settings and BuildKit's own). */
export const PREDEFINED_ARGS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
  'BUILDKIT_SYNTAX',
  'BUILDKIT_INLINE_CACHE',
  'BUILDKIT_CONTEXT_KEEP_GIT_DIR',
  'BUILDKIT_MULTI_PLATFORM',
  'BUILDKIT_SANDBOX_HOSTNAME',
  'SOURCE_DATE_EPOCH',
] as const;

/** A deleted name in a layer above (`undefined` cannot mark it: a layer's Map would not tell it from absent). */
const DELETED: VarValue = Object.freeze({ kind: 'arg', value: undefined });

/**
 * A scope is a copy of its parent at the moment it was made. The copy is persistent rather than
 * flat: frozen layers shared with the parent (each merged into the one below once it is at least
 * half that size, so there are O(log n) of them) and one layer of its own. A copy of a Map per
 * ARG or ENV instruction made 70,000 global ARGs take minutes.
 */
/** What the lexer reads of a scope. */
export interface VarLookup {
  get(name: string): VarValue | undefined;
  entries(): Map<string, VarValue>;
}

export class VarScope implements VarLookup {
  private layers: ReadonlyMap<string, VarValue>[];
  private own = new Map<string, VarValue>();

  constructor(parent?: VarScope) {
    this.layers = parent ? parent.frozen() : [];
  }

  /** This scope's layers with its own one frozen; later writes here go to a fresh layer. */
  private frozen(): ReadonlyMap<string, VarValue>[] {
    if (this.own.size) {
      const layers = [...this.layers, this.own];
      while (layers.length >= 2 && layers[layers.length - 2]!.size <= 2 * layers[layers.length - 1]!.size) {
        const top = layers.pop()!;
        const below = layers.pop()!;
        const merged = new Map(below);
        for (const [k, v] of top) merged.set(k, v);
        if (!layers.length) for (const [k, v] of merged) if (v === DELETED) merged.delete(k);
        layers.push(merged);
      }
      this.layers = layers;
      this.own = new Map();
    }
    return this.layers;
  }

  get(name: string): VarValue | undefined {
    let v = this.own.get(name);
    for (let i = this.layers.length - 1; v === undefined && i >= 0; i--) v = this.layers[i]!.get(name);
    return v === DELETED ? undefined : v;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, value: VarValue): void {
    this.own.set(name, value);
  }

  delete(name: string): void {
    if (this.layers.length) this.own.set(name, DELETED);
    else this.own.delete(name);
  }

  /** Every name with its value, in declaration order of first appearance. */
  entries(): Map<string, VarValue> {
    const all = new Map<string, VarValue>();
    for (const layer of [...this.layers, this.own]) for (const [k, v] of layer) {
        if (v === DELETED) all.delete(k);
        else all.set(k, v);
      }
    return all;
  }

  names(): string[] {
    return [...this.entries().keys()];
  }

  /**
   * Expands a word the way BuildKit's shell lexer does (`frontend/dockerfile/shell/lex.go`):
   * `$X`, `${X}`, `${X:-w}` `${X-w}` `${X:+w}` `${X+w}` `${X:?w}` `${X?w}`, `${X#p}` `${X##p}`
   * `${X%p}` `${X%%p}`, `${X/p/r}` `${X//p/r}`, words nested to any depth. A value that cannot be
   * known is never guessed: the variable goes to `unresolved` (or `undeclared`) and `certain` is false.
   * The second argument is the escape character or the options; by default the text is taken as
   * already unquoted (`quotes: 'literal'`), pass `quotes: 'remove'` for a word as written in the file.
   */
  expand(text: string, options: string | ExpandOptions = '\\'): Expansion {
    const opts = typeof options === 'string' ? { escape: options } : options;
    return new Lexer(text, this, opts).word();
  }

  /** BuildKit's ProcessWords: expansion, then word splitting outside quotes (EXPOSE, heredoc words). */
  expandWords(text: string, options: ExpandOptions = {}): WordsExpansion {
    return new Lexer(text, this, { quotes: 'remove', ...options }).words();
  }
}

export interface ExpandOptions {
  /** The escape character (`# escape=`); `\` by default. */
  escape?: string;
  /**
   * `literal` (the default): for text whose quotes and escapes the caller has already processed
   * (an ARG value from `declarations`): quotes are plain characters and an escape character is
   * kept, except that it still makes a `$` literal. `remove`: quotes and escapes are processed and
   * removed, as BuildKit does for each word of ENV, LABEL, COPY, FROM ... (ProcessWord). `keep`:
   * processed but kept in the text (RawQuotes).
   */
  quotes?: 'literal' | 'remove' | 'keep';
  /** Keep the escape characters in the text (BuildKit's RawEscapes). */
  rawEscapes?: boolean;
  /** Variable names are case-insensitive, as BuildKit has them on Windows. */
  windows?: boolean;
  /**
   * Every variable that is set is in the scope (FROM's global scope, a table's environment), so one
   * that is not is unset. Without it an undeclared variable may come from the base image's ENV.
   */
  closed?: boolean;
}

export interface Expansion {
  /** The expanded word. Unknown values are left out (then `certain` is false); on `error`, the input unchanged. */
  text: string;
  /** Declared variables whose value cannot be known statically. */
  unresolved: string[];
  /** Variables that are not declared at all (BuildKit expands them to ''). */
  undeclared: string[];
  /** Every variable had a known value and BuildKit accepts the word: safe to draw conclusions from `text`. */
  certain: boolean;
  /** BuildKit's message when it rejects the word (`${}`, `${X:=y}`, `${X:?}` of an unset X ...). */
  error?: string;
  /** Where each character of `text` came from in the input. */
  map: SourceMap;
}

export interface ExpandedWord {
  text: string;
  map: SourceMap;
}

export interface WordsExpansion extends Omit<Expansion, 'text' | 'map'> {
  words: ExpandedWord[];
}

/** Offsets into the expanded text → offsets into the input it came from. */
export class SourceMap {
  /** Without `starts`/`ends`, output character i is input character i. */
  constructor(
    private readonly starts: readonly number[] | undefined,
    private readonly ends: readonly number[] | undefined,
    private readonly inputLength: number,
  ) {}

  /** The input offset output character `i` comes from (a variable's value maps to its `$`). */
  start(i: number): number {
    if (!this.starts) return Math.min(i, this.inputLength);
    return this.starts[i] ?? (i > 0 ? (this.ends![this.starts.length - 1] ?? this.inputLength) : 0);
  }

  /** The input range that output `[from, to)` comes from: a value covers its whole `${...}`. */
  range(from: number, to: number): { start: number; end: number } {
    if (to <= from) {
      const at = this.start(from);
      return { start: at, end: at };
    }
    if (!this.starts) return { start: Math.min(from, this.inputLength), end: Math.min(to, this.inputLength) };
    let start = Infinity;
    let end = -Infinity;
    for (let i = from; i < to && i < this.starts.length; i++) {
      start = Math.min(start, this.starts[i]!);
      end = Math.max(end, this.ends![i]!);
    }
    return start === Infinity ? { start: this.inputLength, end: this.inputLength } : { start, end };
  }

  static identity(text: string): SourceMap {
    return new SourceMap(undefined, undefined, text.length);
  }
}

/**
 * The words of ARG and ENV (`name=value` form) as BuildKit's parser splits them (parseWords):
 * at whitespace outside quotes, with quotes and escapes kept for the lexer to process.
 */
export function splitDeclarationWords(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  let inWord = false;
  let blankOk = false;
  for (let i = 0; i < text.length; i++) {
    let c = text[i]!;
    if (!inWord) {
      if (SPACE.test(c)) continue;
      inWord = true;
    }
    if (!quote) {
      if (SPACE.test(c)) {
        if (blankOk || word) words.push(word);
        word = '';
        blankOk = false;
        inWord = false;
        continue;
      }
      if (c === "'" || c === '"') {
        quote = c;
        blankOk = true;
      } else if (c === escape) {
        if (i + 1 === text.length) continue;
        word += c;
        c = text[++i]!;
      }
      word += c;
      continue;
    }
    if (c === quote) quote = '';
    else if (c === escape && quote !== "'") {
      if (i + 1 === text.length) continue;
      word += c;
      c = text[++i]!;
    }
    word += c;
  }
  if (inWord && (blankOk || word)) words.push(word);
  return words;
}

/**
 * Reads the `$` reference that starts at `at` the way BuildKit's lexer does, with no variable
 * set: where it ends, and BuildKit's message when the reference itself is malformed
 * (`${}`, `${X:=y}`, a missing `}`), whatever the values.
 */
export function readReference(text: string, at: number, escape = '\\'): { end: number; error?: string } {
  const lexer = new Lexer(text, new VarScope(), { escape, quotes: 'remove' });
  return lexer.reference(at);
}

/** What a name holds: `set` undefined when it may or may not be set, `value` undefined when unknown. */
interface Lookup {
  set: boolean | undefined;
  value: string | undefined;
  declared: boolean;
}

/** Text with the input range of each UTF-16 unit. */
class Mapped {
  text = '';
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  push(s: string, start: number, end: number): void {
    this.text += s;
    for (let i = 0; i < s.length; i++) {
      this.starts.push(start);
      this.ends.push(end);
    }
  }

  append(m: Mapped, from = 0, to = m.text.length): void {
    this.text += m.text.slice(from, to);
    for (let i = from; i < to; i++) {
      this.starts.push(m.starts[i]!);
      this.ends.push(m.ends[i]!);
    }
  }

  reset(): void {
    this.text = '';
    this.starts.length = 0;
    this.ends.length = 0;
  }

  clone(): Mapped {
    const m = new Mapped();
    m.append(this);
    return m;
  }
}

/** Names whose value was needed and is unknown, or not declared (duplicates removed at the end). */
interface Frame {
  unresolved: string[];
  undeclared: string[];
}

const frame = (): Frame => ({ unresolved: [], undeclared: [] });

class LexError extends Error {}

const UNSET: Lookup = { set: false, value: '', declared: false };
const UNKNOWN_ENV: Lookup = { set: true, value: undefined, declared: true };
const UNKNOWN_ARG: Lookup = { set: undefined, value: undefined, declared: true };

const EOF = '';
/**
 * `${A:-${A:-…}}` nested deeper than this is not expanded: the lexer recurses once per level, and
 * thousands of levels would overflow the stack. Real Dockerfiles nest two or three.
 */
const MAX_NESTING = 200;
const MODIFIERS = new Set(['+', '-', '?', '#', '%']);
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const SPACE = /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
const DIGIT = /^\p{Nd}$/u;
const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;
const isDigit = (c: string): boolean => (c >= '0' && c <= '9') || (c > '\x7f' && DIGIT.test(c));
const isNameChar = (c: string): boolean =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || (c > '\x7f' && NAME_CHAR.test(c));

/** The words being split: BuildKit shares one buffer between nested words, and so do we. */
class WordSplitter {
  readonly words: Mapped[] = [];
  inWord = false;
  constructor(private readonly buf: Mapped) {}

  addChar(ch: string, start: number, end: number): void {
    if (SPACE.test(ch)) {
      if (this.inWord && this.buf.text.length) {
        this.words.push(this.buf.clone());
        this.buf.reset();
        this.inWord = false;
      }
    } else this.addRaw(ch, start, end);
  }

  addRaw(ch: string, start: number, end: number): void {
    this.buf.push(ch, start, end);
    this.inWord = true;
  }

  addMapped(m: Mapped, raw: boolean): void {
    if (raw) {
      this.buf.append(m);
      this.inWord = true;
      return;
    }
    for (let i = 0; i < m.text.length; i++) this.addChar(m.text[i]!, m.starts[i]!, m.ends[i]!);
  }

  finish(): Mapped[] {
    if (this.buf.text.length) {
      this.words.push(this.buf.clone());
      this.buf.reset();
      this.inWord = false;
    }
    return this.words;
  }
}

const NO_SPLIT: Pick<WordSplitter, 'addChar' | 'addRaw' | 'addMapped' | 'finish'> = {
  addChar(): void {},
  addRaw(): void {},
  addMapped(): void {},
  finish: (): Mapped[] => [],
};

/** One pass of BuildKit's word lexer over `src`, with unknown values tracked instead of guessed. */
class Lexer {
  private pos = 0;
  private readonly escape: string;
  private rawEscapes: boolean;
  private readonly wordsBuf = new Mapped();
  private frame = frame();
  private lastWords: Mapped[] = [];
  /** Word splitting costs a test per character: only ProcessWords needs it. */
  private splitting = false;
  /** How many `${...}` enclose the current position (see MAX_NESTING). */
  private nesting = 0;

  constructor(
    private readonly src: string,
    private readonly vars: VarLookup,
    private readonly opts: ExpandOptions,
  ) {
    this.escape = opts.escape ?? '\\';
    this.rawEscapes = opts.rawEscapes ?? false;
  }

  private upper: Map<string, VarValue> | undefined;

  private get(name: string): Lookup {
    let v = this.vars.get(name);
    if (v === undefined && this.opts.windows) {
      // BuildKit on Windows: environment names are case-insensitive.
      this.upper ??= new Map([...this.vars.entries()].map(([k, x]) => [k.toUpperCase(), x]));
      v = this.upper.get(name.toUpperCase());
    }
    if (v === undefined) return UNSET;
    if (v.value !== undefined) return { set: true, value: v.value, declared: true };
    // An ENV is set even when its value is unknown; an ARG without a known value may be unset.
    return v.kind === 'env' ? UNKNOWN_ENV : UNKNOWN_ARG;
  }

  word(): Expansion {
    const src = this.src;
    if (!src.includes('$') && (this.opts.quotes ?? 'literal') === 'literal' && !this.rawEscapes) {
      return { text: src, unresolved: [], undeclared: [], certain: true, map: SourceMap.identity(src) };
    }
    try {
      const out = this.processStopOn(EOF, this.rawEscapes);
      return { text: out.text, ...this.verdict(), map: new SourceMap(out.starts, out.ends, src.length) };
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      return { text: src, ...this.verdict(), certain: false, error: `failed to process "${src}": ${e.message}`, map: SourceMap.identity(src) };
    }
  }

  reference(at: number): { end: number; error?: string } {
    this.pos = at;
    try {
      this.processDollar();
      return { end: this.pos };
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      return { end: this.pos, error: e.message };
    }
  }

  words(): WordsExpansion {
    this.splitting = true;
    try {
      this.processStopOn(EOF, this.rawEscapes);
      return { words: this.lastWords.map((w) => ({ text: w.text, map: new SourceMap(w.starts, w.ends, this.src.length) })), ...this.verdict() };
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      return { words: [], ...this.verdict(), certain: false, error: `failed to process "${this.src}": ${e.message}` };
    }
  }

  private verdict(): Pick<Expansion, 'unresolved' | 'undeclared' | 'certain'> {
    const unresolved = [...new Set(this.frame.unresolved)];
    const undeclared = [...new Set(this.frame.undeclared)];
    return { unresolved, undeclared, certain: unresolved.length === 0 && (this.opts.closed === true || undeclared.length === 0) };
  }

  private peek(): string {
    return this.src[this.pos] ?? EOF;
  }

  private next(): string {
    const c = this.src[this.pos] ?? EOF;
    if (c !== EOF) this.pos++;
    return c;
  }

  /** Runs `fn` with its own record of unknowns; the caller merges it if the result is used. */
  private tracked<T>(fn: () => T): [T, Frame] {
    const saved = this.frame;
    const f = frame();
    this.frame = f;
    try {
      return [fn(), f];
    } finally {
      this.frame = saved;
    }
  }

  private merge(f: Frame): void {
    this.frame.unresolved.push(...f.unresolved);
    this.frame.undeclared.push(...f.undeclared);
  }

  private processStopOn(stop: string, rawEscapes: boolean): Mapped {
    const result = new Mapped();
    this.wordsBuf.reset();
    const words = this.splitting ? new WordSplitter(this.wordsBuf) : NO_SPLIT;
    const quotes = this.opts.quotes ?? 'literal';
    const savedRaw = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      while (this.peek() !== EOF) {
        const ch = this.peek();
        if (stop !== EOF && ch === stop) {
          this.next();
          this.lastWords = words.finish();
          return result;
        }
        let special: Mapped | undefined;
        if (ch === '$') special = this.processDollar();
        else if (ch === '<') special = this.processPossibleHeredoc();
        else if (quotes !== 'literal' && ch === "'") special = this.processSingleQuote();
        else if (quotes !== 'literal' && ch === '"') special = this.processDoubleQuote();
        if (special) {
          result.append(special);
          words.addMapped(special, ch !== '$');
          continue;
        }
        const at = this.pos;
        let c = this.next();
        if (c === this.escape && quotes === 'literal' && !this.rawEscapes) {
          // Text whose escapes the caller has already processed: only an escaped `$` still means `$`.
          if (this.peek() === '$') {
            this.next();
            words.addRaw('$', at, this.pos);
            result.push('$', at, this.pos);
          } else {
            words.addRaw(c, at, this.pos);
            result.push(c, at, this.pos);
          }
          continue;
        }
        if (c === this.escape) {
          if (this.rawEscapes) {
            words.addRaw(c, at, at + 1);
            result.push(c, at, at + 1);
          }
          c = this.next();
          if (c === EOF) break;
          words.addRaw(c, at, this.pos);
          result.push(c, this.rawEscapes ? this.pos - 1 : at, this.pos);
          continue;
        }
        words.addChar(c, at, this.pos);
        result.push(c, at, this.pos);
      }
      if (stop !== EOF) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
      this.lastWords = words.finish();
      return result;
    } finally {
      this.rawEscapes = savedRaw;
    }
  }

  private processSingleQuote(): Mapped {
    const out = new Mapped();
    const keep = this.opts.quotes === 'keep';
    const open = this.pos;
    this.next();
    if (keep) out.push("'", open, open + 1);
    for (;;) {
      const at = this.pos;
      const c = this.next();
      if (c === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (c === "'") {
        if (keep) out.push(c, at, at + 1);
        return out;
      }
      out.push(c, at, at + 1);
    }
  }

  private processDoubleQuote(): Mapped {
    const out = new Mapped();
    const keep = this.opts.quotes === 'keep';
    const open = this.pos;
    this.next();
    if (keep) out.push('"', open, open + 1);
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        const at = this.pos;
        this.next();
        if (keep) out.push(p, at, at + 1);
        return out;
      }
      if (p === '$') {
        out.append(this.processDollar());
        continue;
      }
      const at = this.pos;
      let c = this.next();
      if (c === this.escape) {
        if (this.rawEscapes) out.push(c, at, at + 1);
        const n = this.peek();
        if (n === EOF) continue; // BuildKit drops an escape at the end of the word
        if (n === '"' || n === '$' || n === this.escape) c = this.next();
      }
      out.push(c, at, this.pos);
    }
  }

  private processPossibleHeredoc(): Mapped {
    const out = new Mapped();
    const at = this.pos;
    this.next();
    if (this.peek() !== '<') {
      out.push('<', at, at + 1);
      return out;
    }
    this.next();
    out.push('<<', at, at + 2);
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\r') {
      const s = this.pos;
      out.push(this.next(), s, s + 1);
    }
    return out;
  }

  private processName(): string {
    const src = this.src;
    const from = this.pos;
    const first = src[from];
    if (first === undefined) return '';
    if (isDigit(first)) {
      while (this.pos < src.length && isDigit(src[this.pos]!)) this.pos++;
      return src.slice(from, this.pos);
    }
    if (SPECIAL_PARAMS.has(first)) return this.next();
    while (this.pos < src.length && isNameChar(src[this.pos]!)) this.pos++;
    return src.slice(from, this.pos);
  }

  /** A plain use of a variable's value: unknown and undeclared values are recorded, never guessed. */
  private valueOf(name: string, v: Lookup): string | undefined {
    if (v.value === undefined) {
      this.frame.unresolved.push(name);
      return undefined;
    }
    if (!v.declared) this.frame.undeclared.push(name);
    return v.value;
  }

  private processDollar(): Mapped {
    if (this.nesting >= MAX_NESTING) return this.skipTooDeep();
    this.nesting++;
    try {
      return this.expandDollar();
    } finally {
      this.nesting--;
    }
  }

  /** `${...}` nested deeper than MAX_NESTING: skipped to its closing brace, its value unknown (never guessed). */
  private skipTooDeep(): Mapped {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name) this.frame.unresolved.push(name);
      return new Mapped();
    }
    this.next();
    const name = this.processName();
    for (let depth = 1; depth > 0; ) {
      const ch = this.next();
      if (ch === EOF) throw new LexError("syntax error: missing '}'");
      if (ch === this.escape) this.next();
      else if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    this.frame.unresolved.push(name || '?');
    return new Mapped();
  }

  private expandDollar(): Mapped {
    const out = new Mapped();
    const start = this.pos;
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (!name) {
        out.push('$', start, start + 1);
        return out;
      }
      const value = this.valueOf(name, this.get(name));
      if (value !== undefined) out.push(value, start, this.pos);
      return out;
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    let modifier = ch;
    if (ch === '}') return this.pushValue(out, name, this.get(name), start, this.pos);
    if (ch === '/') return this.processReplace(name, start, out);
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      modifier += ch;
    }
    if (!MODIFIERS.has(ch) && !nullIsUnset) throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    const pattern = ch === '#' || ch === '%';
    if (nullIsUnset && pattern) throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    const [word, wordFrame] = this.tracked(() => this.stopOnBrace('}', pattern, "syntax error: missing '}'"));
    const v = this.get(name);
    const end = this.pos;
    // Unset (or, with ':', empty): whether that holds when the value is unknown.
    const empty = v.set === false ? true : v.value !== undefined ? nullIsUnset && v.value === '' : v.set === true && !nullIsUnset ? false : undefined;
    // An undeclared name may still be set by the base image's ENV, unless the scope is closed.
    if ((ch === '-' || ch === '+') && v.set === false && !this.opts.closed) this.frame.undeclared.push(name);
    switch (ch) {
      case '-':
        if (empty === undefined) return this.unknown(out, name);
        if (empty) return this.useWord(word, wordFrame);
        return this.pushValue(out, name, v, start, end);
      case '+':
        if (empty === undefined) return this.unknown(out, name);
        return empty ? out : this.useWord(word, wordFrame);
      case '?':
        if (empty === undefined || (v.set === false && !this.opts.closed)) {
          if (v.set === false) this.frame.undeclared.push(name);
          return empty === undefined ? this.unknown(out, name) : out;
        }
        if (v.set === false) throw new LexError(`${name}: ${word.text || 'is not allowed to be unset'}`);
        if (empty) throw new LexError(`${name}: ${word.text || 'is not allowed to be empty'}`);
        return this.pushValue(out, name, v, start, end);
      case '#':
      case '%': {
        let text = word.text;
        const greedy = text.startsWith(ch);
        if (greedy) text = text.slice(1);
        const s = this.valueOf(name, v);
        if (s === undefined) return out;
        this.merge(wordFrame);
        if (wordFrame.unresolved.length) return out;
        const trimmed = ch === '%' ? trimSuffix(text, s, greedy) : trimPrefix(text, s, greedy);
        out.push(trimmed, start, end);
        return out;
      }
      default:
        throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  private pushValue(out: Mapped, name: string, v: Lookup, start: number, end: number): Mapped {
    const s = this.valueOf(name, v);
    if (s !== undefined) out.push(s, start, end);
    return out;
  }

  private useWord(word: Mapped, f: Frame): Mapped {
    this.merge(f);
    return word;
  }

  private unknown(out: Mapped, name: string): Mapped {
    this.frame.unresolved.push(name);
    return out;
  }

  private processReplace(name: string, start: number, out: Mapped): Mapped {
    const all = this.peek() === '/';
    if (all) this.next();
    const [pattern, patternFrame] = this.tracked(() => this.stopOnBrace('/', true, "syntax error: missing '/' in ${}"));
    const [replacement, replacementFrame] = this.tracked(() => this.stopOnBrace('}', true, "syntax error: missing '}'"));
    const end = this.pos;
    const s = this.valueOf(name, this.get(name));
    if (s === undefined) return out;
    this.merge(patternFrame);
    this.merge(replacementFrame);
    if (patternFrame.unresolved.length || replacementFrame.unresolved.length) return out;
    const re = shellPatternToRegex(pattern.text, true, false);
    out.push(all ? goReplaceAll(re, s, replacement.text) : replaceFirst(re, s, replacement.text), start, end);
    return out;
  }

  private stopOnBrace(stop: string, rawEscapes: boolean, atEof: string): Mapped {
    try {
      return this.processStopOn(stop, rawEscapes);
    } catch (e) {
      if (e instanceof LexError && this.peek() === EOF) throw new LexError(atEof);
      throw e;
    }
  }
}

/**
 * A shell pattern (`?`, `*`, `\?`, `\*`, no bracket expressions) as a regular expression, the way
 * BuildKit converts it; `.` of Go's RE2 does not match a newline, hence `[^\n]`.
 */
function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i]!;
    if (c === '*') {
      out += greedy ? '[^\\n]*' : '[^\\n]*?';
      continue;
    }
    if (c === '?') {
      out += '[^\\n]';
      continue;
    }
    if (c === '\\') {
      // `\}` and `\/` are escaped only for ${}; the escape is not part of the pattern.
      if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      c = chars[++i] ?? '';
      if (c !== '*' && c !== '?' && c !== '\\') throw new LexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${c}'`);
      out += '\\' + c;
      continue;
    }
    out += '[]{}.+()|^$'.includes(c) ? '\\' + c : c;
  }
  return new RegExp(out, 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = shellPatternToRegex(pattern, greedy, true).exec(value);
  return m ? value.slice(m.index + m[0].length) : value;
}

/** Shortest or longest suffix: reversing pattern and value turns it into a prefix search, as BuildKit does. */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

function reverse(s: string): string {
  return Array.from(s).reverse().join('');
}

/** Reverses a pattern but keeps each escape before the character it escapes: `a\*c` → `c\*a`. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    const c = chars[i]!;
    if (c === '\\' && i !== last) {
      out[last - i - 1] = c;
      out[last - i] = chars[i + 1]!;
      i += 2;
    } else {
      out[last - i] = c;
      i++;
    }
  }
  return out.join('');
}

function replaceFirst(re: RegExp, value: string, replacement: string): string {
  const m = re.exec(value);
  return m ? value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length) : value;
}

/** Go's Regexp.ReplaceAllString: no empty match right after a match, and `$0`/`${0}` templates. */
function goReplaceAll(re: RegExp, value: string, template: string): string {
  const g = new RegExp(re.source, 'gu');
  let out = '';
  let lastEnd = 0;
  let search = 0;
  while (search <= value.length) {
    g.lastIndex = search;
    const m = g.exec(value);
    if (!m) break;
    const a0 = m.index;
    const a1 = a0 + m[0].length;
    out += value.slice(lastEnd, a0);
    if (a1 > lastEnd || a0 === 0) out += goExpand(template, m[0]);
    lastEnd = a1;
    const width = value.codePointAt(search)! > 0xffff ? 2 : 1;
    if (search + width > a1) search += width;
    else if (search + 1 > a1) search++;
    else search = a1;
  }
  return out + value.slice(lastEnd);
}

/** Go's template expansion with no capture groups: `$$` is `$`, `$0`/`${0}` the match, other names empty. */
function goExpand(template: string, match: string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    const m = /^(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/.exec(template.slice(i + 1));
    if (!m) {
      out += '$';
      continue;
    }
    const name = m[1] ?? m[2]!;
    if (/^\d+$/.test(name) && Number(name) === 0) out += match;
    i += m[0].length;
  }
  return out;
}
