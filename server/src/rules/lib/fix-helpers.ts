import ignore from '@balena/dockerignore';
import * as path from 'node:path';
import type { Position, Range, TextEdit } from 'vscode-languageserver-types';
import type { BuildContext } from '../../model/build-context';
import type { ImageRef, Inst, Model, RunInfo, Stage } from '../../model/model';
import type { ShellCommand, ShellWord } from '../../model/shell';
import type { FileChange, Fix, RuleContext } from '../rule';
import { contextSources, isWholeContext, sourceMatches } from './build-context';
import { continuationStyle, eolOf } from './rewrite';

/**
 * Helpers of the quick fixes that are not structural: exec-form CMD, a non-root USER, BuildKit
 * cache mounts, `.dockerignore` entries, `cd` → WORKDIR. Each keeps the file's line endings,
 * escape character and indentation, and returns undefined where it cannot be sure of the result.
 */

// ---------------------------------------------------------------- text positions and lines

/** The text of a whole line, without its line ending. */
export function lineText(model: Model, line: number): string {
  const td = model.doc.textDocument;
  return td.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
}

/** An insertion of whole lines before `line`. */
export function insertLinesBefore(model: Model, line: number, lines: string[]): TextEdit {
  const eol = eolOf(model);
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: lines.map((l) => l + eol).join('') };
}

/**
 * An insertion of whole lines after the last line of `inst` (at the end of the file when it is the last line); undefined
 * when that line ends with the escape character, which would continue the instruction into the new lines.
 */
export function insertLinesAfter(model: Model, inst: Inst, lines: string[]): TextEdit | undefined {
  const eol = eolOf(model);
  const td = model.doc.textDocument;
  if (model.text.slice(0, td.offsetAt(inst.range.end)).trimEnd().endsWith(model.escape)) return undefined;
  const next = inst.range.end.line + 1;
  if (next < td.lineCount) {
    const p = { line: next, character: 0 };
    // The last line of a file without a final newline: the insertion goes after it.
    if (td.offsetAt(p) === model.text.length && !/\r?\n$/.test(model.text)) {
      const end = td.positionAt(model.text.length);
      return { range: { start: end, end }, newText: lines.map((l) => eol + l).join('') };
    }
    return { range: { start: p, end: p }, newText: lines.map((l) => l + eol).join('') };
  }
  const end = td.positionAt(model.text.length);
  return { range: { start: end, end }, newText: lines.map((l) => eol + l).join('') };
}

/** Leading whitespace of an instruction's first line. */
export function indentOf(model: Model, inst: Inst): string {
  return /^[ \t]*/.exec(lineText(model, inst.range.start.line))?.[0] ?? '';
}

/** The line to insert above `inst` so that the comment lines right above it stay attached to it. */
export function lineAboveComments(model: Model, inst: Inst): number {
  let line = inst.range.start.line;
  const commentLines = new Set(model.comments.map((c) => c.line));
  // Parser directives (`# escape=`, `# syntax=`, `# check=`) never move.
  while (line > 0 && commentLines.has(line - 1) && !/^\s*#\s*(escape|syntax|check)\s*=/i.test(lineText(model, line - 1))) line--;
  return line;
}

/** Comment lines inside an instruction's continuation lines (BuildKit drops them). */
export function commentLinesInside(model: Model, inst: Inst): string[] {
  return model.comments.filter((c) => c.line > inst.range.start.line && c.line <= inst.range.end.line && !inst.heredocs.some((h) => c.line >= h.range.start.line && c.line <= h.range.end.line)).map((c) => lineText(model, c.line));
}

// ---------------------------------------------------------------- shell words

export type ShellFeature =
  /** `$VAR`, `${…}`, `$(…)`, backticks: the value is known only when the container starts. */
  | 'expansion'
  | 'glob'
  | 'tilde'
  | 'brace'
  | 'redirect'
  /** `|`, `&&`, `||`, `;`, `&`, `(…)`, a newline: more than one command. */
  | 'operator'
  | 'heredoc'
  | 'comment'
  /** `NAME=value cmd`. */
  | 'assignment'
  /** The first word is a shell keyword or builtin (`cd`, `export`, `if`, `echo` …). */
  | 'builtin'
  | 'unterminated';

export interface ShellSplit {
  /** The words the shell passes to the program: quotes removed, backslash escapes resolved. */
  words: string[];
  features: Set<ShellFeature>;
}

/**
 * Keywords and builtins: the shell runs them itself (or, for `echo`, `printf`, `test`, `kill`,
 * `pwd`, with a behaviour of its own), so without a shell they fail or act differently.
 */
const SHELL_WORDS = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'function', '{', '}', '!', '[[', ']]', 'time', 'coproc',
  'cd', '.', 'source', 'export', 'unset', 'set', 'shift', 'trap', 'ulimit', 'umask', 'alias', 'unalias', 'eval', 'exec', 'read', 'wait', 'return', 'exit',
  'local', 'declare', 'typeset', 'readonly', 'let', ':', 'break', 'continue', 'hash', 'type', 'getopts', 'jobs', 'fg', 'bg', 'builtin', 'command', 'shopt',
  'enable', 'pushd', 'popd', 'dirs', 'logout', 'times', 'history', 'fc', 'disown', 'suspend', 'echo', 'printf', 'test', '[', 'kill', 'pwd', 'true', 'false',
]);

export function isShellWord(word: string): boolean {
  return SHELL_WORDS.has(word);
}

/**
 * Splits a shell command line the way a POSIX shell would, and lists the shell features it uses.
 * The words are exactly what the program would receive only when `features` is empty.
 */
export function splitShell(text: string): ShellSplit {
  const words: string[] = [];
  const features = new Set<ShellFeature>();
  const n = text.length;
  let cur = '';
  let inWord = false;
  let quotedInWord = false;
  const push = (): void => {
    if (inWord) words.push(cur);
    cur = '';
    inWord = false;
    quotedInWord = false;
  };
  /** Skips a balanced `(…)` starting at `i` (on the `(`), quotes respected; returns the index after it. */
  const skipParens = (i: number): number => {
    let depth = 0;
    for (; i < n; i++) {
      const c = text[i]!;
      if (c === '\\') i++;
      else if (c === "'") {
        const j = text.indexOf("'", i + 1);
        if (j < 0) return n;
        i = j;
      } else if (c === '"') {
        for (i++; i < n && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      } else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return i + 1;
    }
    features.add('unterminated');
    return n;
  };
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      push();
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      features.add('operator');
      push();
      i++;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= n) {
        features.add('unterminated');
        i++;
        continue;
      }
      if (text[i + 1] !== '\n') cur += text[i + 1];
      inWord = true;
      quotedInWord = true;
      i += 2;
      continue;
    }
    if (c === "'") {
      const j = text.indexOf("'", i + 1);
      if (j < 0) {
        features.add('unterminated');
        break;
      }
      cur += text.slice(i + 1, j);
      inWord = true;
      quotedInWord = true;
      i = j + 1;
      continue;
    }
    if (c === '"') {
      inWord = true;
      quotedInWord = true;
      i++;
      while (i < n && text[i] !== '"') {
        const d = text[i]!;
        if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') cur += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' && i + 1 < n && /[A-Za-z_{(0-9@*#?$!-]/.test(text[i + 1]!)) features.add('expansion');
        if (d === '`') features.add('expansion');
        cur += d;
        i++;
      }
      if (i >= n) features.add('unterminated');
      i++;
      continue;
    }
    if (c === '$') {
      const next = text[i + 1];
      if (next === '(') {
        features.add('expansion');
        const j = skipParens(i + 1);
        cur += text.slice(i, j);
        inWord = true;
        i = j;
        continue;
      }
      if (next !== undefined && /[A-Za-z_{0-9@*#?$!-]/.test(next)) features.add('expansion');
      if (next === "'" || next === '"') features.add('expansion'); // $'…' and $"…" (bash)
      cur += c;
      inWord = true;
      i++;
      continue;
    }
    if (c === '`') {
      features.add('expansion');
      let j = i + 1;
      while (j < n && text[j] !== '`') j += text[j] === '\\' ? 2 : 1;
      if (j >= n) features.add('unterminated');
      cur += text.slice(i, j + 1);
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '<' || c === '>') {
      if (c === '<' && text[i + 1] === '<') features.add('heredoc');
      else features.add('redirect');
      push();
      i++;
      while (i < n && /[<>&|-]/.test(text[i]!)) i++;
      continue;
    }
    if (c === '|' || c === '&' || c === ';' || c === '(' || c === ')') {
      features.add('operator');
      push();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      features.add('comment');
      break;
    }
    if (c === '*' || c === '?' || c === '[') features.add('glob');
    if (c === '~' && !inWord) features.add('tilde');
    if (c === '{' || c === '}') features.add('brace');
    if (c === '=' && words.length === 0 && !quotedInWord && /^[A-Za-z_][A-Za-z0-9_]*$/.test(cur)) features.add('assignment');
    cur += c;
    inWord = true;
    i++;
  }
  push();
  return { words, features };
}

// ---------------------------------------------------------------- stages and base images

export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !out.includes(s); s = s.base?.stage) out.push(s);
  return out;
}

/** The image a stage is ultimately built from (stage parents resolved); undefined when an ARG hides it. */
export function rootBase(stage: Stage): { scratch: boolean; ref: ImageRef | undefined } | undefined {
  const root = stageChain(stage).pop()!;
  const base = root.base;
  if (!base) return undefined;
  if (base.scratch) return { scratch: true, ref: undefined };
  return base.ref ? { scratch: false, ref: base.ref } : undefined;
}

/** An official Docker Hub image's short name (`python` for `python`, `library/python`, `docker.io/library/python`). */
export function officialName(ref: ImageRef): string | undefined {
  if (ref.registry && ref.registry !== 'docker.io' && ref.registry !== 'index.docker.io') return undefined;
  const name = ref.name.replace(/^library\//, '');
  return name.includes('/') ? undefined : name;
}

/** Base images documented to run as an unprivileged user by default. */
export function knownNonRoot(ref: ImageRef): boolean {
  const tag = ref.tag ?? '';
  if (/(^|[-_.])(nonroot|non-root|rootless|unprivileged)([-_.]|$)/.test(tag)) return true;
  if (/(^|\/)nginx-unprivileged$/.test(ref.name)) return true;
  if (ref.name.startsWith('bitnami/')) return true;
  return ref.registry === 'cgr.dev' && ref.name.startsWith('chainguard/') && !/(^|-)dev$/.test(tag);
}

export type UserVariant =
  /** groupadd/useradd (shadow-utils): Debian, Ubuntu, and the official images built on them; Fedora and its relatives. */
  | 'shadow'
  /** BusyBox addgroup/adduser: Alpine and BusyBox. */
  | 'busybox'
  /** distroless and Chainguard images ship a `nonroot` user (uid 65532) and no shell. */
  | 'nonroot'
  /** scratch: no /etc/passwd, only a numeric user works. */
  | 'scratch'
  /** The node images ship a `node` user (uid 1000). */
  | 'node';

/** Official images built on Debian (default tags) or on a distribution with shadow-utils. */
const SHADOW_IMAGES = new Set([
  'debian', 'ubuntu', 'buildpack-deps', 'python', 'golang', 'ruby', 'rust', 'perl', 'php', 'openjdk', 'eclipse-temurin', 'gcc', 'nginx', 'httpd', 'maven', 'gradle',
  'fedora', 'rockylinux', 'almalinux', 'centos', 'haskell', 'erlang', 'elixir', 'julia', 'swift', 'r-base', 'pypy', 'clojure',
]);

/** Which way to create an unprivileged user in a stage, from the image it is built on. */
export function userVariant(stage: Stage): UserVariant | undefined {
  const base = rootBase(stage);
  if (!base) return undefined;
  if (base.scratch) return 'scratch';
  const ref = base.ref!;
  const tag = (ref.tag ?? '').toLowerCase();
  if (ref.registry === 'gcr.io' && ref.name.startsWith('distroless/')) return 'nonroot';
  if (ref.registry === 'cgr.dev' && ref.name.startsWith('chainguard/')) return 'nonroot';
  const name = officialName(ref);
  if (!name || /windows|nanoserver|servercore/.test(tag)) return undefined;
  if (name === 'node') return 'node';
  if (name === 'alpine' || name === 'busybox' || /(^|[-.])alpine/.test(tag)) return 'busybox';
  if (SHADOW_IMAGES.has(name)) return 'shadow';
  return undefined;
}

/** The user a RUN runs as: 'root', another user, or undefined when it cannot be known. */
export function userAt(model: Model, inst: Inst): 'root' | 'other' | undefined {
  const chain = stageChain(inst.stage).reverse();
  let user: string | undefined;
  let known = true;
  for (const s of chain) {
    for (const i of s.instructions) {
      if (s === inst.stage && i.index >= inst.index) break;
      if (i.keyword !== 'USER') continue;
      const e = i.scope.expand(i.argsText.text.trim(), model.escape);
      if (!e.certain) known = false;
      else {
        known = true;
        user = e.text.trim();
      }
    }
  }
  if (!known) return undefined;
  if (user === undefined) {
    const base = rootBase(inst.stage);
    if (!base) return undefined;
    return base.ref && knownNonRoot(base.ref) ? 'other' : 'root';
  }
  return /^(root|0)(:.*)?$/.test(user) ? 'root' : 'other';
}

// ---------------------------------------------------------------- RUN edits

/**
 * Inserts `--mount=<spec>` flags right after RUN (before its other flags): on the RUN line when the instruction is
 * one line, each on its own continuation line when it already spans several.
 */
export function addRunMounts(model: Model, inst: Inst, specs: string[]): TextEdit | undefined {
  const at: Position | undefined = inst.flags[0]?.range.start ?? inst.args[0]?.range.start;
  if (!at) return undefined;
  const keywordLine = inst.keywordRange.end.line;
  if (at.line > keywordLine) {
    // `RUN \` with everything on the lines below: the flags go after the keyword.
    const end = inst.keywordRange.end;
    return { range: { start: end, end }, newText: specs.map((s) => ` --mount=${s}`).join('') };
  }
  const lastLine = inst.heredocs.length ? inst.heredocs[0]!.range.start.line : inst.range.end.line;
  if (lastLine === keywordLine) return { range: { start: at, end: at }, newText: specs.map((s) => `--mount=${s} `).join('') };
  // Aligned with the command of the next line that is not a comment (after a leading `&& `).
  let line = keywordLine + 1;
  while (line < lastLine && /^\s*(#.*)?$/.test(lineText(model, line))) line++;
  const m = /^([ \t]*)(&&|\|\||\|)?[ \t]*/.exec(lineText(model, line))!;
  const indent = m[2] ? m[1]! + ' '.repeat(m[2].length + 1) : m[1]! || continuationStyle(model).indent;
  const eol = eolOf(model);
  return { range: { start: at, end: at }, newText: specs.map((s) => `--mount=${s} ${model.escape}${eol}${indent}`).join('') };
}

/**
 * Deletes one word of a command (an option such as `--no-cache`) with the blanks that separate it;
 * a word alone on its continuation line goes with its line.
 */
export function deleteWord(model: Model, run: RunInfo, word: ShellWord): TextEdit {
  const [s, e] = run.script!.docSpan(word.start, word.end);
  const text = model.text;
  const start = model.doc.textDocument.positionAt(s);
  const line = lineText(model, start.line);
  const rest = line.slice(start.character + (e - s)).trim();
  if (line.slice(0, start.character).trim() === '' && (rest === '' || rest === model.escape) && start.line > 0) {
    return { range: { start: { line: start.line, character: 0 }, end: { line: start.line + 1, character: 0 } }, newText: '' };
  }
  let a = s;
  let b = e;
  while (b < text.length && (text[b] === ' ' || text[b] === '\t')) b++;
  if (b === e || text[b] === '\r' || text[b] === '\n' || text[b] === model.escape) {
    b = e;
    while (a > 0 && (text[a - 1] === ' ' || text[a - 1] === '\t')) a--;
  }
  return { range: model.range(a, b), newText: '' };
}

/**
 * Deletes a command from a `&&`/`;` list together with the operator that joins it, or undefined
 * when that is not certain: pipelines, redirections, `||`, comment lines in between, a command alone.
 */
export function deleteCommand(model: Model, run: RunInfo, cmd: ShellCommand): TextEdit | undefined {
  const script = run.script;
  if (!script || run.execForm || cmd.pipelineLength !== 1) return undefined;
  const s = script.text;
  const before = s.slice(0, cmd.start);
  const after = s.slice(cmd.end);
  // Something else after the command (a redirection, `||`, a pipe) belongs to it.
  if (!/^[ \t]*(&&|;|\n|$)/.test(after)) return undefined;
  let from: number;
  let to: number;
  const prev = /[ \t\n]*(&&|;)[ \t\n]*$/.exec(before);
  if (prev) {
    from = prev.index;
    to = cmd.end;
  } else {
    const next = /^[ \t\n]*(&&|;)[ \t\n]*/.exec(after);
    if (!next || before.trim() !== '') return undefined;
    from = cmd.start;
    to = cmd.end + next[0].length;
  }
  const a = script.docOffset(from);
  const b = script.docSpan(to - 1, to)[1];
  const range = model.range(a, b);
  if (model.comments.some((c) => c.line >= range.start.line && c.line <= range.end.line)) return undefined;
  return { range, newText: '' };
}

// ---------------------------------------------------------------- .dockerignore

/** Whether a context file holds a credential; content is read where the name alone is not enough. */
export function isSecretFile(bc: BuildContext, rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const lower = name.toLowerCase();
  const read = (): string => bc.read(rel, 256 * 1024) ?? '';
  if (lower === '.env') return true;
  if (lower.startsWith('.env.')) return !/\.(example|sample|template|tmpl|dist|defaults?|schema|tpl)$/.test(lower);
  if (/^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/.test(name)) return true;
  if (/\.(p12|pfx|ppk)$/.test(lower)) return true;
  if (lower === '.git-credentials' || lower === '.netrc' || lower === '_netrc') return true;
  if (rel === '.aws/credentials' || rel.endsWith('/.aws/credentials')) return true;
  if (lower === 'master.key' || lower === 'credentials.key') return true; // Rails: decrypts credentials.yml.enc
  if (/\.(pem|key)$/.test(lower)) return PRIVATE_KEY.test(read());
  // npm and PyPI configs are often plain registry settings; only a literal token or password is a secret.
  if (lower === '.npmrc') return /(_authToken|_auth|_password)\s*=\s*(?!\$\{)\S/.test(read());
  if (lower === '.pypirc') return /^\s*password\s*[=:]\s*\S/m.test(read());
  if (lower === 'credentials.json' || /^service[-_]?account.*\.json$/.test(lower)) return /"(private_key|client_secret|refresh_token)"\s*:/.test(read());
  return false;
}

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** A `.dockerignore` pattern for a context-relative path: special characters escaped. */
export function ignorePattern(rel: string): string {
  return rel.replace(/([*?[\]\\])/g, '\\$1').replace(/^([!#])/, '\\$1');
}

/**
 * Drops the patterns that would exclude something the Dockerfile names on purpose (`COPY .env /app/`,
 * `COPY certs/*.pem …`), or `.git` when a RUN reads the repository (`git describe`).
 */
export function patternsSafeFor(ctx: RuleContext, patterns: string[]): string[] {
  const bc = ctx.buildContext!;
  const named: string[] = [];
  for (const source of contextSources(ctx.model)) {
    if (isWholeContext(source)) continue;
    if (source.wildcard) named.push(...sourceMatches(bc, source.path));
    else named.push(source.path);
  }
  const readsGit = ctx.model.runs().some(
    (r) =>
      r.run!.mounts.some((m) => /(^|\/)\.git(\/|$)/.test(m.options.source ?? m.options.src ?? '')) ||
      r.run!.commands.some((c) => c.name === 'git' && !['clone', 'config', 'init', 'ls-remote', '--version', 'version'].includes(c.args.find((a) => !a.text.startsWith('-'))?.text ?? c.args[0]?.text ?? '')),
  );
  return patterns.filter((p) => {
    if (readsGit && (p === '.git' || p.startsWith('.git/'))) return false;
    const m = ignore().add([p]);
    return !named.some((n) => n !== '' && m.ignores(n));
  });
}

/** Where the ignore file in effect is (or would be created), and how it is written. */
export function ignoreFileTarget(bc: BuildContext): { path: string; name: string; text: string | undefined; exists: boolean } | undefined {
  if (!bc.ignoreFile) return { path: path.join(bc.root, '.dockerignore'), name: '.dockerignore', text: undefined, exists: false };
  const text = bc.read(path.relative(bc.root, bc.ignoreFile.path));
  if (text === undefined) return undefined;
  return { path: bc.ignoreFile.path, name: path.basename(bc.ignoreFile.path), text, exists: true };
}

/**
 * A change of the ignore file in effect that excludes `patterns`: appended at its end (keeping its
 * line endings), or a new `.dockerignore` at the context root. Undefined when there is nothing to add
 * or the file cannot be read.
 */
export function ignoreFileChange(ctx: RuleContext, lines: string[]): FileChange | undefined {
  const bc = ctx.buildContext;
  if (!bc || !lines.some((l) => l.trim() && !l.startsWith('#'))) return undefined;
  const target = ignoreFileTarget(bc);
  if (!target) return undefined;
  if (!target.exists) {
    const eol = eolOf(ctx.model);
    return { path: target.path, create: true, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: lines.map((l) => l + eol).join('') }] };
  }
  const text = target.text!;
  const eol = text.includes('\r\n') ? '\r\n' : text.includes('\n') ? '\n' : eolOf(ctx.model);
  const all = text.split('\n');
  const end = { line: all.length - 1, character: all[all.length - 1]!.length };
  const prefix = text === '' || text.endsWith('\n') ? '' : eol;
  return { path: target.path, create: false, edits: [{ range: { start: end, end } as Range, newText: prefix + lines.map((l) => l + eol).join('') }] };
}

/**
 * A fix that excludes `patterns` (context paths already escaped with `ignorePattern`) in the ignore file in effect, or
 * in a new `.dockerignore` that starts with `header` lines. Patterns that would exclude what the Dockerfile names on
 * purpose are left out; undefined when nothing is left.
 */
export function ignoreFix(ctx: RuleContext, patterns: string[], header: string[] = []): Fix | undefined {
  if (!ctx.buildContext) return undefined;
  const kept = patternsSafeFor(ctx, [...new Set(patterns)]);
  if (!kept.length) return undefined;
  const change = ignoreFileChange(ctx, ctx.buildContext.ignoreFile ? kept : [...header, ...kept]);
  if (!change) return undefined;
  const shown = kept.length > 3 ? `${kept.slice(0, 3).map((p) => `\`${p}\``).join(', ')} and ${kept.length - 3} more` : kept.map((p) => `\`${p}\``).join(', ');
  return {
    title: change.create ? `Create .dockerignore excluding ${shown}` : `Exclude ${shown} in ${path.basename(change.path)}`,
    // A build step or the running app may need an excluded file (a .env read at start, .git for a version): a person decides.
    safe: false,
    edits: [],
    files: [change],
  };
}

// ---------------------------------------------------------------- a non-root user

/** Options of useradd, Debian's adduser and BusyBox's adduser that take the next word as their value. */
const USERADD_VALUE = new Set([
  '-b', '-c', '-d', '-e', '-f', '-g', '-G', '-k', '-K', '-p', '-R', '-P', '-s', '-u', '-Z', '-h',
  '--base-dir', '--comment', '--home-dir', '--home', '--expiredate', '--inactive', '--gid', '--groups', '--skel', '--key', '--password', '--root',
  '--prefix', '--shell', '--uid', '--selinux-user', '--ingroup', '--gecos', '--conf', '--firstuid', '--lastuid', '--firstgid', '--lastgid',
]);

/**
 * The user the last `useradd`/`adduser` of a stage's image creates (its FROM stages included, up to
 * `before`): its name, 'unknown' when a variable hides it, or undefined when none is created.
 */
export function createdUser(model: Model, stage: Stage, before = Infinity): string | 'unknown' | undefined {
  let found: string | undefined;
  for (const s of stageChain(stage).reverse()) {
    for (const inst of s.instructions) {
      if (s === stage && inst.index >= before) break;
      for (const cmd of inst.run?.commands ?? []) {
        if (cmd.name !== 'useradd' && cmd.name !== 'adduser') continue;
        let name: ShellWord | undefined;
        for (let i = 0; i < cmd.args.length; i++) {
          const a = cmd.args[i]!;
          if (a.text.startsWith('-')) {
            if (USERADD_VALUE.has(a.text)) i++;
            continue;
          }
          name = a;
          break;
        }
        if (!name) continue;
        // Created only on some path of the script (`if [ "$UID" -ne 0 ]; then adduser …`): the user may not exist.
        const before = (inst.run!.script?.text.slice(0, cmd.start) ?? '').replace(/'[^']*'|"(?:\\.|[^"\\])*"/g, '""');
        if (/(^|[\s;&|(])(if|case|while|until|for|elif|else)\s|\|\||(^|[^&])&(?!&)/.test(before)) found = 'unknown';
        else if (!name.dynamic) found = name.text;
        else {
          const e = inst.scope.expand(name.text, model.escape);
          found = e.certain && /^[a-z_][a-z0-9_.-]*\$?$/i.test(e.text) ? e.text : 'unknown';
        }
      }
    }
  }
  return found;
}

/** The USER value of an unprivileged user the base image already has (node, distroless, Chainguard; nobody on scratch). */
export function shippedUser(stage: Stage): string | undefined {
  const variant = userVariant(stage);
  return variant === 'node' ? '1000:1000' : variant === 'nonroot' ? '65532:65532' : variant === 'scratch' ? '65534:65534' : undefined;
}

/** The lines that create (where needed) and switch to an unprivileged user in a stage, by the image it is built on. */
export function nonRootUserLines(model: Model, stage: Stage, indent: string, before = Infinity): { lines: string[]; title: string } | undefined {
  const existing = createdUser(model, stage, before);
  if (existing === 'unknown') return undefined;
  if (existing) return { lines: [`${indent}USER ${existing}`], title: `Switch to the user ${existing} created in this image` };
  const variant = userVariant(stage);
  const last = stage.instructions[stage.instructions.length - 1];
  const posix = last ? /(^|\/)(sh|bash|dash|ash)$/.test(last.shell[0] ?? '') : true;
  const esc = model.escape;
  switch (variant) {
    case 'shadow':
    case 'busybox': {
      if (!posix) return undefined;
      const [group, user] =
        variant === 'shadow'
          ? ['groupadd --system --gid 10001 app', 'useradd --system --uid 10001 --gid app --no-log-init --create-home app']
          : ['addgroup -S -g 10001 app', 'adduser -S -D -u 10001 -G app app'];
      const style = continuationStyle(model);
      const run = style.leadingAnd ? [`${indent}RUN ${group} ${esc}`, `${indent}${style.indent}&& ${user}`] : [`${indent}RUN ${group} && ${esc}`, `${indent}${style.indent}${user}`];
      return { lines: [...run, `${indent}USER 10001:10001`], title: `Create the user app (uid 10001) and switch to it (${variant === 'shadow' ? 'useradd' : 'Alpine/BusyBox adduser'})` };
    }
    case 'node':
      return { lines: [`${indent}USER 1000:1000`], title: 'Switch to the node user the image ships (uid 1000)' };
    case 'nonroot':
      return { lines: [`${indent}USER 65532:65532`], title: 'Switch to the nonroot user the image ships (uid 65532)' };
    case 'scratch':
      return { lines: [`${indent}USER 65534:65534`], title: 'Run as nobody (uid 65534)' };
    default:
      return undefined;
  }
}

/**
 * Where a USER goes in a stage so that every step that needs root still runs as root: before the
 * CMD/ENTRYPOINT that follows the last RUN (and `after`), comment lines above it kept with it; else
 * at the end of the stage.
 */
export function userInsertion(model: Model, stage: Stage, lines: (indent: string) => string[] | undefined, after?: Inst): TextEdit | undefined {
  const insts = stage.instructions;
  let last = -1;
  insts.forEach((i, k) => {
    if (i.keyword === 'RUN' || i === after) last = k;
  });
  const anchor = insts.slice(last + 1).find((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  if (anchor) {
    const text = lines(indentOf(model, anchor));
    return text && insertLinesBefore(model, lineAboveComments(model, anchor), text);
  }
  const end = insts[insts.length - 1]!;
  const text = lines(indentOf(model, end));
  return text ? insertLinesAfter(model, end, text) : undefined;
}

// ---------------------------------------------------------------- working directories

/**
 * The control operators of a script outside quotes, `( … )`, `{ … }`, `$( … )` and backticks:
 * `&&`, `||`, `;`, `&`, `|`, `\n`.
 */
export function topLevelOperators(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    const wordStart = i === 0 || /[\s;&|()]/.test(text[i - 1]!);
    if (c === '\\') i++;
    else if (c === "'") {
      const j = text.indexOf("'", i + 1);
      i = j < 0 ? n : j;
    } else if (c === '"') {
      for (i++; i < n && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '`') {
      for (i++; i < n && text[i] !== '`'; i++) if (text[i] === '\\') i++;
    } else if (c === '#' && wordStart) {
      while (i < n && text[i] !== '\n') i++;
      i--;
    } else if (c === '(' || (c === '{' && wordStart && /[\s]/.test(text[i + 1] ?? ''))) depth++;
    else if (c === ')' || (c === '}' && depth > 0 && wordStart)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === '&' || c === '|')) {
      if (text[i + 1] === c) {
        out.push(c + c);
        i++;
      } else if (!(c === '&' && /[<>]/.test(text[i - 1] ?? '')) && !(c === '|' && text[i - 1] === '>')) out.push(c);
    } else if (depth === 0 && (c === ';' || c === '\n')) out.push(c);
  }
  return out;
}

/** Official images that set no WORKDIR: their containers start in `/`. */
const NO_WORKDIR_IMAGES = new Set(['debian', 'ubuntu', 'alpine', 'busybox', 'fedora', 'centos', 'rockylinux', 'almalinux', 'buildpack-deps', 'python', 'node']);

/**
 * The working directory at an instruction, if it is known statically: from a WORKDIR of the image's
 * stages (`explicit`), or `/` on scratch and on official images known to set none (not explicit: an
 * image can start setting one).
 */
export function workdirBefore(model: Model, inst: Inst): { dir: string; explicit: boolean } | undefined {
  const chain = stageChain(inst.stage).reverse();
  const base = rootBase(inst.stage);
  let state: { dir: string; explicit: boolean } | undefined;
  if (base?.scratch) state = { dir: '/', explicit: true };
  else if (base?.ref) {
    const name = officialName(base.ref);
    if (name && NO_WORKDIR_IMAGES.has(name) && !/windows|nanoserver|servercore/i.test(base.ref.tag ?? '')) state = { dir: '/', explicit: false };
  }
  for (const s of chain) {
    for (const i of s.instructions) {
      if (s === inst.stage && i.index >= inst.index) break;
      if (i.keyword !== 'WORKDIR') continue;
      const e = i.scope.expand(i.argsText.text.trim().replace(/^(["'])(.*)\1$/, '$2'), model.escape);
      if (!e.certain) state = undefined;
      else if (e.text.startsWith('/')) state = { dir: path.posix.normalize(e.text), explicit: true };
      else if (state) state = { dir: path.posix.join(state.dir, e.text), explicit: state.explicit };
    }
  }
  if (state && state.dir.length > 1) state.dir = state.dir.replace(/\/+$/, '');
  return state;
}

// ---------------------------------------------------------------- BuildKit cache mounts

/** An absolute folder written without variables, usable as a mount target. */
export function plainAbsolute(dir: string | undefined): string | undefined {
  return dir !== undefined && dir.startsWith('/') && /^[A-Za-z0-9_./@%+:-]+$/.test(dir) && !dir.split('/').includes('..') ? dir.replace(/(.)\/+$/, '$1') : undefined;
}

/**
 * `/root/<rel>` when a command certainly runs as root with HOME=/root: no USER other than root before it
 * (and a base image not known to run unprivileged), no wrapper (`sudo -u`, `env`), HOME and XDG_CACHE_HOME not changed.
 */
export function rootHomeTarget(model: Model, inst: Inst, cmd: ShellCommand, rel: string, env: (name: string) => { set: boolean; value: string | undefined }): string | undefined {
  if (cmd.wrappers.length || userAt(model, inst) !== 'root') return undefined;
  const home = env('HOME');
  if (home.set && home.value !== '/root') return undefined;
  if (rel.startsWith('.cache/') && env('XDG_CACHE_HOME').set) return undefined;
  return `/root/${rel}`;
}

/** The fix that adds BuildKit cache mounts to a RUN (and drops what they make redundant). */
export function cacheMountFix(model: Model, inst: Inst, specs: string[], title: string, extra: TextEdit[] = []): Fix | undefined {
  const edit = addRunMounts(model, inst, specs);
  if (!edit) return undefined;
  return {
    title: `${title} (BuildKit)`,
    // The image no longer holds the cache, later builds reuse what earlier ones downloaded (a stale index, a cached build),
    // and the classic builder rejects --mount: never applied by fix-all.
    safe: false,
    edits: [edit, ...extra],
  };
}
