import type { ShellCommand, ShellScript, ShellWord } from './shell';
import type { VarScope } from './variables';

/**
 * The words a RUN's commands really get where the Dockerfile knows the values: ARG and ENV values
 * are in the environment of the RUN, so the shell expands `$WGET_ARGS` to them and splits an unquoted
 * result into words. `wget ${WGET_ARGS} URL` with `ARG WGET_ARGS="-q --progress=dot:giga"` reads as
 * `wget -q --progress=dot:giga URL` for every rule. Each resulting word keeps the range of the word
 * written in the file (`raw`, `start`, `end`). What cannot be known stays as written and `dynamic`:
 * an ARG without a value, a variable only the base image or the shell sets, `$(…)`, `$1`, `${#X}`.
 */
export function expandCommands(script: ShellScript, scope: VarScope): ShellCommand[] {
  const commands = script.commands;
  if (!commands.some((c) => [c.nameWord, ...c.args].some((w) => w.dynamic))) return commands;
  // `. ./env.sh` or `eval` may set anything.
  if (commands.some((c) => c.name === '.' || c.name === 'source' || c.name === 'eval')) return commands;
  const shellSet = assignedInScript(script);
  const value: Lookup = (name) => {
    if (shellSet.has(name)) return undefined;
    const e = scope.expand(`\${${name}}`);
    return e.certain ? e.text : undefined;
  };
  value.operand = (name) => shellSet.get(name)?.every((v) => /^[^\s-]\S*$/.test(v)) ?? false;
  return commands.map((c) => expandCommand(c, value));
}

/**
 * Names the script itself sets (assignments, `export`, `read`, `for`, `${X:=…}`, `unset`): their value at a given point is
 * the shell's. With each, the literal values it is assigned, or undefined when one of them is not a literal.
 */
function assignedInScript(script: ShellScript): Map<string, string[] | undefined> {
  const names = new Map<string, string[] | undefined>();
  const text = script.text;
  for (const m of text.matchAll(/(?:^|[\s;&|(`{])([A-Za-z_][A-Za-z0-9_]*)(\+?)=('[^']*'|"[^"$`\\]*"|[^\s;&|()'"]*)/g)) {
    const [, name, append, v] = m as unknown as [string, string, string, string];
    const literal = !append && !/[$`\\]/.test(v) && !(v.startsWith('"') && !v.endsWith('"'));
    const list = names.has(name) ? names.get(name) : [];
    names.set(name, literal && list ? [...list, v.replace(/^(['"])(.*)\1$/s, '$2')] : undefined);
  }
  for (const m of text.matchAll(/(?:^|[\s;&|(`{])(?:export|unset|readonly|local|declare|typeset)((?:[ \t]+[^\s;&|)]+)+)/g)) {
    for (const w of m[1]!.trim().split(/\s+/)) {
      const n = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(w);
      if (n && !names.has(n[1]!)) names.set(n[1]!, undefined);
    }
  }
  for (const m of text.matchAll(/(?:^|[\s;&|(])(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)/g)) names.set(m[1]!, undefined);
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?=/g)) names.set(m[1]!, undefined);
  for (const c of script.commands) {
    if (c.name === 'read' || c.name === 'getopts' || c.name === 'mapfile' || c.name === 'readarray' || c.name === 'printf') {
      for (const a of c.args) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.text)) names.set(a.text, undefined);
    }
  }
  return names;
}

interface Lookup {
  (name: string): string | undefined;
  /** An unknown variable that is certainly one plain word, not an option. */
  operand?: (name: string) => boolean;
}

function expandCommand(cmd: ShellCommand, value: Lookup): ShellCommand {
  let changed = false;
  const expandAll = (words: ShellWord[]): ShellWord[] =>
    words.flatMap((w) => {
      const out = expandWord(w, value);
      if (out !== undefined) changed = true;
      return out ?? [w];
    });
  const args = expandAll(cmd.args);
  let nameWord = cmd.nameWord;
  let name = cmd.name;
  const named = expandWord(cmd.nameWord, value);
  // `$PIP install` with a known PIP: the command is what it expands to, unless that is empty or a wrapper (`$SUDO`).
  if (named?.length && !named[0]!.dynamic && !WRAPPERS.has(basename(named[0]!.text))) {
    nameWord = named[0]!;
    name = basename(nameWord.text);
    args.unshift(...named.slice(1));
    changed = true;
  }
  return changed ? { ...cmd, name, nameWord, args } : cmd;
}

const WRAPPERS = new Set(['sudo', 'env', 'nice', 'nohup', 'time', 'exec', 'command', 'su-exec', 'gosu', 'chroot', 'stdbuf', 'ionice', 'timeout', '']);

function basename(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}

/**
 * One shell word after parameter expansion, field splitting and quote removal, where at least one
 * known value was put in; undefined when nothing changes (no variable, or none with a known value).
 */
export function expandWord(word: ShellWord, value: Lookup): ShellWord[] | undefined {
  if (!word.dynamic) return undefined;
  const raw = word.raw;
  const fields: string[] = [];
  let current = '';
  /** The current field exists even if empty (`""`, or text before a split). */
  let open = false;
  let substituted = false;
  let unknown = false;
  /** An unknown part that may be anything, options and several words included. */
  let opaque = false;
  const finish = (): void => {
    if (open || current) fields.push(current);
    current = '';
    open = false;
  };
  /** An unquoted value: split on blanks (the default IFS); blanks at either end end the field. */
  const splitInto = (v: string): void => {
    const parts = v.split(/[ \t\n]+/);
    parts.forEach((p, i) => {
      if (i > 0) finish();
      current += p;
    });
  };
  /** `$…` at `i`: the end of the expansion and its value (undefined when unknown); `literal` for a `$` that starts none. */
  const expansion = (i: number): { end: number; text: string | undefined; literal?: true; operand?: boolean } => {
    const next = raw[i + 1];
    if (next === '{') {
      const end = matching(raw, i + 1, '{', '}');
      if (end < 0) return { end: raw.length, text: undefined };
      const inner = raw.slice(i + 2, end);
      // Only what a POSIX shell and BuildKit read alike: ${X}, ${X:-w}, ${X-w}, ${X:+w}, ${X+w} with a plain word.
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^"'`\\]*))?$/s.exec(inner);
      if (!m || (m[3] ?? '').includes('$(') || value(m[1]!) === undefined) return { end: end + 1, text: undefined, operand: !!m && !m[2] && !!value.operand?.(m[1]!) };
      return { end: end + 1, text: resolve(m[1]!, m[2], m[3] ?? '', value) };
    }
    if (next === '(') {
      const end = matching(raw, i + 1, '(', ')');
      return { end: end < 0 ? raw.length : end + 1, text: undefined };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i + 1));
    if (m) return { end: i + 1 + m[0].length, text: value(m[0]), operand: !!value.operand?.(m[0]) };
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) return { end: i + 2, text: undefined };
    return { end: i + 1, text: '$', literal: true };
  };
  let quoted = false;
  for (let i = 0; i < raw.length; ) {
    const c = raw[i]!;
    if (!quoted && c === "'") {
      const close = raw.indexOf("'", i + 1);
      const end = close < 0 ? raw.length : close;
      current += raw.slice(i + 1, end);
      open = true;
      i = end + 1;
      continue;
    }
    if (!quoted && c === '$' && raw[i + 1] === "'") {
      const close = raw.indexOf("'", i + 2);
      const end = close < 0 ? raw.length : close;
      current += raw.slice(i + 2, end);
      open = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
      open = true;
      i++;
      continue;
    }
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '\n') {
        i += 2;
        continue;
      }
      if (n !== undefined && (!quoted || '$`"\\'.includes(n))) {
        current += n;
        i += 2;
        continue;
      }
      current += c;
      i++;
      continue;
    }
    if (c === '`') {
      const close = raw.indexOf('`', i + 1);
      const end = close < 0 ? raw.length : close + 1;
      current += raw.slice(i, end);
      unknown = true;
      opaque = true;
      i = end;
      continue;
    }
    if (c === '$') {
      const e = expansion(i);
      if (e.text === undefined) {
        current += raw.slice(i, e.end);
        unknown = true;
        if (!e.operand) opaque = true;
      } else if (e.literal) {
        current += '$';
      } else {
        substituted = true;
        if (quoted) current += e.text;
        else splitInto(e.text);
      }
      i = e.end;
      continue;
    }
    current += c;
    i++;
  }
  const operand = unknown && !opaque ? { operand: true as const } : {};
  if (!substituted) return unknown && !opaque && !word.text.startsWith('-') ? [{ ...word, ...operand }] : undefined;
  finish();
  return fields.map((text) => ({ text, raw: word.raw, start: word.start, end: word.end, dynamic: unknown, expanded: true, ...(text.startsWith('-') ? {} : operand) }));
}

/** `${name<op>word}` with the variable's value known. */
function resolve(name: string, op: string | undefined, word: string, value: Lookup): string | undefined {
  const v = value(name)!;
  const alt = (): string | undefined => {
    let out = '';
    for (let i = 0; i < word.length; i++) {
      if (word[i] !== '$') {
        out += word[i];
        continue;
      }
      const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}|^([A-Za-z_][A-Za-z0-9_]*)/.exec(word.slice(i + 1));
      if (!m) {
        out += '$';
        continue;
      }
      const inner = value(m[1] ?? m[2]!);
      if (inner === undefined) return undefined;
      out += inner;
      i += m[0].length;
    }
    return out;
  };
  switch (op) {
    case ':-':
      return v === '' ? alt() : v;
    case ':+':
      return v === '' ? '' : alt();
    // A known value means the variable is set.
    case '-':
      return v;
    case '+':
      return alt();
    default:
      return v;
  }
}

/** The index of the bracket closing the one at `open`, counting nesting; -1 when unbalanced. */
function matching(text: string, open: number, o: string, c: string): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === o) depth++;
    else if (text[i] === c && --depth === 0) return i;
  }
  return -1;
}
