import type { Range } from 'vscode-languageserver-types';
import type { Inst, Model, Stage } from '../../model/model';
import type { MappedText } from '../../model/mapped-text';
import { readReference } from '../../model/variables';

/** Helpers for the rules that mirror BuildKit's build checks (`docker build --check`). */

export interface Word {
  /** As written, quotes included. */
  text: string;
  start: number;
  end: number;
}

/** Whitespace-separated words the way BuildKit's parser splits ENV/LABEL arguments: quotes and the escape character keep spaces. */
export function splitWords(text: string, escape = '\\'): Word[] {
  const out: Word[] = [];
  let start = -1;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (start < 0) {
      if (/\s/.test(c)) continue;
      start = i;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === escape && quote === '"') i++;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === escape) {
      i++;
    } else if (/\s/.test(c)) {
      out.push({ text: text.slice(start, i), start, end: i });
      start = -1;
    }
  }
  if (start >= 0) out.push({ text: text.slice(start), start, end: text.length });
  return out;
}

export interface VarRef {
  name: string;
  /** `-`, `:-`, `+`, `:+`, `?`, `:?`, `#`, `%`, `/`, or '' for `$X` and `${X}`. */
  modifier: string;
  /** The whole reference, `$X` or `${X...}`. */
  start: number;
  end: number;
}

/**
 * The `$X` / `${X...}` references BuildKit's lexer expands in a word, nested defaults included.
 * Single quotes stop expansion unless `ignoreQuotes` (heredoc bodies); the escape character
 * makes `$` literal. A reference the lexer rejects (`${templateOption:x}`) expands to nothing:
 * the build fails there, which the syntax layer reports, so it is not among them.
 */
export function varRefs(text: string, escape = '\\', ignoreQuotes = false): VarRef[] {
  const out: VarRef[] = [];
  const scan = (from: number, to: number): void => {
    let inSingle = false;
    for (let i = from; i < to; i++) {
      const c = text[i]!;
      if (inSingle) {
        if (c === "'") inSingle = false;
        continue;
      }
      if (c === "'" && !ignoreQuotes) {
        inSingle = true;
        continue;
      }
      if (c === escape) {
        i++;
        continue;
      }
      if (c !== '$') continue;
      if (text[i + 1] === '{') {
        const close = matchingBrace(text, i + 2, to);
        if (close < 0) return;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-+?]|##?|%%?|\/\/?)?/.exec(text.slice(i + 2, close));
        if (m && !readReference(text.slice(0, close + 1), i, escape).error) {
          out.push({ name: m[1]!, modifier: (m[2] ?? '').replace(/^(#|%|\/)\1$/, '$1'), start: i, end: close + 1 });
          const wordStart = i + 2 + m[0].length;
          if (wordStart < close) scan(wordStart, close);
        }
        i = close;
        continue;
      }
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1, to));
      if (m) {
        out.push({ name: m[0], modifier: '', start: i, end: i + 1 + m[0].length });
        i += m[0].length;
      }
    }
  };
  scan(0, text.length);
  return out;
}

function matchingBrace(text: string, from: number, to: number): number {
  let depth = 1;
  for (let i = from; i < to; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The modifiers whose author already decided what happens when the variable is unset. */
export function handlesUnset(ref: VarRef): boolean {
  return ['-', ':-', '+', ':+', '?', ':?'].includes(ref.modifier);
}

/** Dockerfile range of [start, end) of a mapped text. */
export function mappedRange(model: Model, text: MappedText, start: number, end: number): Range {
  const [s, e] = text.docSpan(start, end);
  return model.range(s, e);
}

/** The range of [start, end) inside a single-line token whose document range is `range`, or the whole range when the token spans lines. */
export function subRange(model: Model, range: Range, start: number, end: number): Range {
  const base = model.offsetAt(range.start);
  const len = model.offsetAt(range.end) - base;
  if (range.start.line !== range.end.line || end > len) return range;
  return model.range(base + start, base + end);
}

/**
 * Whether `ref` is a valid image reference for BuildKit (`reference.ParseNormalizedNamed`):
 * lowercase path components, an optional registry host, an optional tag and digest.
 */
export function isValidImageReference(ref: string): boolean {
  if (!ref || /^[a-f0-9]{64}$/.test(ref)) return false;
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/.test(rest.slice(at + 1))) return false;
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    if (!/^[\w][\w.-]{0,127}$/.test(rest.slice(colon + 1))) return false;
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  // Like the reference library: a first component with `.`, `:` or uppercase, or `localhost`, is a registry host.
  if (parts.length > 1 && (/[.:A-Z]/.test(parts[0]!) || parts[0] === 'localhost')) {
    const host = parts.shift()!;
    if (!/^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/.test(host)) return false;
  }
  if (rest.length > 255) return false;
  return parts.length > 0 && parts.every((p) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p));
}

const ARCHES = new Map([
  ['amd64', 'amd64'],
  ['x86_64', 'amd64'],
  ['x86-64', 'amd64'],
  ['arm64', 'arm64'],
  ['aarch64', 'arm64'],
  ['arm', 'arm'],
  ['armhf', 'arm'],
  ['armel', 'arm'],
  ['386', '386'],
  ['i386', '386'],
  ['i686', '386'],
  ['x86', '386'],
  ['ppc64le', 'ppc64le'],
  ['s390x', 's390x'],
  ['riscv64', 'riscv64'],
  ['mips64le', 'mips64le'],
  ['mips64', 'mips64'],
  ['loong64', 'loong64'],
]);
const OSES = new Set(['linux', 'windows', 'darwin', 'freebsd', 'netbsd', 'openbsd', 'solaris', 'illumos', 'aix', 'android', 'ios', 'js', 'wasip1', 'plan9', 'dragonfly']);

/** `os[/arch[/variant]]` or a lone arch, normalized the way containerd's platforms.Parse does; undefined when it is not a platform. */
export function parsePlatform(value: string): { os: string; arch: string } | undefined {
  const parts = value.toLowerCase().split('/');
  if (parts.length === 1) {
    if (OSES.has(parts[0]!)) return { os: parts[0]!, arch: 'amd64' };
    const arch = ARCHES.get(parts[0]!);
    return arch ? { os: 'linux', arch } : undefined;
  }
  if (parts.length > 3 || !OSES.has(parts[0]!)) return undefined;
  const arch = ARCHES.get(parts[1]!);
  return arch ? { os: parts[0]!, arch } : undefined;
}

/**
 * ENV names set by the config of well-known official images (the union over their current tags;
 * BuildKit always adds PATH). Any other image's config is unknown here.
 */
const IMAGE_ENV = new Map<string, string[]>([
  ['alpine', []],
  ['busybox', []],
  ['debian', []],
  ['ubuntu', []],
  ['buildpack-deps', []],
  ['python', ['LANG', 'GPG_KEY', 'PYTHON_VERSION', 'PYTHON_SHA256', 'PYTHON_PIP_VERSION', 'PYTHON_SETUPTOOLS_VERSION', 'PYTHON_GET_PIP_URL', 'PYTHON_GET_PIP_SHA256']],
  ['node', ['NODE_VERSION', 'YARN_VERSION']],
  ['golang', ['GOLANG_VERSION', 'GOTOOLCHAIN', 'GOPATH']],
]);
const DOCKER_HUB = new Set([undefined, 'docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The variables a stage's base image brings (ENV of the image config, ENV and ARG of the stages it
 * builds on), or undefined when the root image's config is not known.
 */
export function inheritedVars(stage: Stage): Set<string> | undefined {
  const names = new Set<string>(['PATH']);
  const seen = new Set<Stage>();
  let s: Stage | undefined = stage;
  for (;;) {
    const base: Stage['base'] = s.base;
    if (!base) return undefined;
    if (base.stage) {
      if (seen.has(base.stage)) return undefined;
      seen.add(base.stage);
      for (const inst of base.stage.instructions) if (inst.keyword === 'ARG' || inst.keyword === 'ENV') for (const n of declaredNames(inst)) names.add(n);
      s = base.stage;
      continue;
    }
    if (base.scratch) return names;
    const ref = base.ref;
    if (!ref || !DOCKER_HUB.has(ref.registry)) return undefined;
    const known = IMAGE_ENV.get(ref.name.replace(/^library\//, ''));
    if (!known) return undefined;
    for (const n of known) names.add(n);
    return names;
  }
}

/** Names an ARG or ENV instruction declares. */
export function declaredNames(inst: Inst): string[] {
  return declaredKeys(inst).map((k) => k.name);
}

export interface DeclaredKey {
  name: string;
  /** Offsets in `inst.argsText`. */
  start: number;
  end: number;
  value: string | undefined;
  valueStart: number;
}

/** The keys of an ARG, ENV or LABEL with their offsets in argsText (legacy `ENV key value` included). */
export function declaredKeys(inst: Inst, escape = '\\'): DeclaredKey[] {
  const text = inst.argsText.text;
  const words = splitWords(text, escape);
  if (!words.length) return [];
  if (inst.keyword !== 'ARG' && !words[0]!.text.includes('=')) {
    const w = words[0]!;
    const rest = text.slice(w.end).replace(/^\s+/, '');
    return [{ name: w.text, start: w.start, end: w.end, value: rest, valueStart: text.length - rest.length }];
  }
  return words.map((w) => {
    const eq = w.text.indexOf('=');
    const name = eq < 0 ? w.text : w.text.slice(0, eq);
    return { name, start: w.start, end: w.start + name.length, value: eq < 0 ? undefined : w.text.slice(eq + 1), valueStart: w.start + eq + 1 };
  });
}

/** Edit distance where swapping two neighbours counts as one edit (`PAHT` is one edit from `PATH`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** A close name among `options` (a typo of it), like BuildKit's "did you mean". */
export function suggest(name: string, options: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 4));
  for (const o of options) {
    if (o === name) continue;
    const d = o.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, o);
    if (d <= limit && d < bestDistance) {
      best = o;
      bestDistance = d;
    }
  }
  return best;
}

/** Instruction keywords BuildKit knows. */
export const INSTRUCTIONS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** Every instruction with its ONBUILD trigger right after it. */
export function withTriggers(model: Model): Inst[] {
  return model.instructions.flatMap((i) => (i.trigger ? [i, i.trigger] : [i]));
}

/** The edit that deletes whole lines [startLine, endLine] (the last one's line break included). */
export function deleteLines(model: Model, startLine: number, endLine: number): { range: Range; newText: string } {
  const lines = model.lines;
  const start = model.offsetAt({ line: startLine, character: 0 });
  const end = endLine + 1 < lines.length ? model.offsetAt({ line: endLine + 1, character: 0 }) : model.text.length;
  return { range: model.range(start, end), newText: '' };
}

/** The values of an exec-form (JSON) argument list with their offsets in the text; the value is the unquoted string. */
export function jsonWords(text: string, values: string[]): Word[] {
  const out: Word[] = [];
  let from = 0;
  for (const value of values) {
    const raw = JSON.stringify(value);
    let start = text.indexOf(raw, from);
    if (start < 0) start = from;
    out.push({ text: value, start, end: start + raw.length });
    from = start + raw.length;
  }
  return out;
}

export interface PortSpec {
  inst: Inst;
  /** The port as written and as BuildKit sees it after expansion. */
  raw: string;
  value: string;
  /** Whether `raw` has no variables, so offsets in it are offsets in the file. */
  literal: boolean;
  range: Range;
  /** `[ip:]host:` prefix length in `value` (0 when there is none), BuildKit's splitParts. */
  hostPrefix: number;
  ip: string;
  hostPort: string;
  containerPort: string;
  /** The protocol as written, '' when absent, and where it starts in `value`. */
  proto: string;
  protoStart: number;
}

/** Every port of every EXPOSE (ONBUILD triggers included) whose value is known. */
export function exposedPorts(model: Model): PortSpec[] {
  const out: PortSpec[] = [];
  for (const inst of withTriggers(model)) {
    if (inst.keyword !== 'EXPOSE') continue;
    for (const w of splitWords(inst.argsText.text, model.escape)) {
      const raw = w.text;
      const literal = !raw.includes('$') && !/["']/.test(raw);
      let values = [raw];
      if (!literal) {
        const e = inst.scope.expand(raw.replace(/^(["'])(.*)\1$/, '$2'), model.escape);
        if (!e.certain) continue;
        values = e.text.split(/\s+/).filter(Boolean);
      }
      const range = mappedRange(model, inst.argsText, w.start, w.end);
      for (const value of values) {
        const parts = value.split(':');
        const n = parts.length;
        const ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
        const hostPort = n >= 2 ? parts[n - 2]! : '';
        const containerPart = parts[n - 1]!;
        const slash = containerPart.indexOf('/');
        const hostPrefix = value.length - containerPart.length;
        out.push({
          inst,
          raw,
          value,
          literal,
          range,
          hostPrefix,
          ip,
          hostPort,
          containerPort: slash < 0 ? containerPart : containerPart.slice(0, slash),
          proto: slash < 0 ? '' : containerPart.slice(slash + 1),
          protoStart: slash < 0 ? value.length : hostPrefix + slash + 1,
        });
      }
    }
  }
  return out;
}
