import { From, JSONInstruction, Onbuild, type Dockerfile, type Heredoc, type Instruction } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { MappedText } from './mapped-text';
import { parseShell, shellParserReady, type ShellCommand, type ShellScript, type ShellWord } from './shell';
import { expandCommands } from './shell-expand';
import { PLATFORM_ARGS, PREDEFINED_ARGS, splitDeclarationWords, VarScope, type Expansion } from './variables';

/**
 * What rules read: one model per document version, built on the shared dockerfile-ast parse.
 * Stages, instructions with their flags, variables in scope, the SHELL in effect, RUN mounts,
 * and each RUN's shell commands with offsets that map back to the Dockerfile.
 */

export interface Flag {
  name: string;
  value: string | null;
  range: Range;
  nameRange: Range;
  valueRange: Range | null;
}

export interface Mount {
  type: string;
  target: string | undefined;
  options: Record<string, string>;
  range: Range;
}

export interface Arg {
  value: string;
  range: Range;
}

export interface HeredocInfo {
  name: string;
  /** The body, as written (tabs included for `<<-`). */
  body: MappedText;
  quoted: boolean;
  stripTabs: boolean;
  /** From the `<<` marker to the end of the closing delimiter. */
  range: Range;
}

export interface RunInfo {
  mounts: Mount[];
  network: string | undefined;
  security: string | undefined;
  execForm: boolean;
  /** The script the shell runs (continuations joined, heredoc bodies that are shell included). */
  script: MappedText | undefined;
  shell: ShellScript | undefined;
  commands: ShellCommand[];
}

export interface Inst {
  index: number;
  /** Upper case. */
  keyword: string;
  ast: Instruction;
  range: Range;
  keywordRange: Range;
  stage: Stage;
  flags: Flag[];
  args: Arg[];
  /** The arguments as BuildKit reads them: after the flags, continuations joined. */
  argsText: MappedText;
  /** Exec form (JSON array) values, or undefined for shell form. */
  json: string[] | undefined;
  heredocs: HeredocInfo[];
  /** Variables visible to this instruction. */
  scope: VarScope;
  /** The SHELL in effect. */
  shell: string[];
  run: RunInfo | undefined;
  /** For ONBUILD: its trigger instruction. */
  trigger: Inst | undefined;
  /** Set on the trigger instruction of an ONBUILD. */
  inOnbuild: boolean;
}

export interface ImageRef {
  registry: string | undefined;
  /** Repository path without registry, e.g. `library/alpine` is written `alpine`. */
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

export interface BaseImage {
  raw: string;
  range: Range;
  /** The image reference with ARGs expanded; undefined when an ARG's value is unknown. */
  resolved: string | undefined;
  ref: ImageRef | undefined;
  /** The earlier stage this FROM builds on. */
  stage: Stage | undefined;
  scratch: boolean;
  platform: string | undefined;
}

export interface Stage {
  index: number;
  name: string | undefined;
  nameRange: Range | undefined;
  /** Undefined for instructions before any FROM (fragments such as hadolint's test cases). */
  from: Inst | undefined;
  base: BaseImage | undefined;
  instructions: Inst[];
}

export interface DockerfileComment {
  line: number;
  text: string;
  range: Range;
}

/** What a model is built from: one parsed version of a Dockerfile (the engine's ParsedDocument is one). */
export interface ModelSource {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
  readonly textDocument: TextDocument;
  readonly dockerfile: Dockerfile;
}

export interface Model {
  doc: ModelSource;
  text: string;
  escape: string;
  /** Every instruction in order, ONBUILD triggers excluded (they are on `trigger`). */
  instructions: Inst[];
  stages: Stage[];
  /** ARGs before the first FROM. */
  globalArgs: Inst[];
  globalScope: VarScope;
  comments: DockerfileComment[];
  /** `# check=skip=...;error=...` (BuildKit), if present among the leading directives. */
  checkDirective: { skip: string[] | 'all'; error: boolean } | undefined;
  /** `# hadolint shell=...` pragma. */
  shellPragma: string | undefined;
  range(start: number, end: number): Range;
  offsetAt(position: Range['start']): number;
  /** The Dockerfile range of a span of a RUN's script. */
  scriptRange(run: RunInfo, start: number, end: number): Range;
  wordRange(run: RunInfo, word: ShellWord | ShellCommand): Range;
  /** Every RUN, ONBUILD triggers included. */
  runs(): Inst[];
  /** The lines of `text` without their line breaks (split at LF, a CR before it dropped); shared, never to be changed. */
  readonly lines: readonly string[];
}

export interface ModelOptions {
  buildArgs?: Record<string, string>;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
const POSIX_SHELL = /(^|\/)(sh|bash|dash|ash|zsh|ksh|mksh|busybox)$/;

export function isPosixShell(shell: string[]): boolean {
  return POSIX_SHELL.test(shell[0] ?? '');
}

/** The model, with a pause after each instruction: the server gives the event loop a turn between them (engine/cooperative.ts; drain() runs it at once). */
export function* buildModelSteps(doc: ModelSource, options: ModelOptions = {}): Generator<void, Model, void> {
  const text = doc.text;
  const td = doc.textDocument;
  const dockerfile = doc.dockerfile;
  const escape = dockerfile.getEscapeCharacter();
  const buildArgs = options.buildArgs ?? {};
  const range = (start: number, end: number): Range => ({ start: td.positionAt(start), end: td.positionAt(end) });

  const lines = splitLines(text);
  const comments = commentLines(doc, lines);
  let checkDirective: Model['checkDirective'];
  let shellPragma: string | undefined;
  for (const line of lines.slice(0, 64)) {
    const m = /^#\s*check\s*=\s*(.*)$/i.exec(line);
    if (m) {
      checkDirective = parseCheckDirective(m[1]!);
      continue;
    }
    if (!/^#\s*[A-Za-z]+\s*=/.test(line)) break;
  }
  for (const c of comments) {
    const m = /^\s*hadolint\s+shell\s*=\s*(\S+)/.exec(c.text);
    if (m) shellPragma = m[1];
  }

  const globalScope = new VarScope();
  for (const name of PLATFORM_ARGS) globalScope.set(name, { kind: 'predefined', value: undefined });
  const stages: Stage[] = [];
  const instructions: Inst[] = [];
  const globalArgs: Inst[] = [];
  let stage: Stage | undefined;
  let scope = globalScope;
  let shell = DEFAULT_SHELL;
  const stageShell = new Map<Stage, string[]>();
  const stageScopeEnd = new Map<Stage, VarScope>();
  const stageNames = new Map<string, Stage>();

  const make = (ast: Instruction, index: number, owner: Stage, inOnbuild: boolean): Inst => {
    const keyword = ast.getKeyword().toUpperCase();
    const flags: Flag[] = ((ast as { getFlags?: () => import('dockerfile-ast').Flag[] }).getFlags?.() ?? []).map((f) => ({
      name: f.getName(),
      value: f.getValue(),
      range: f.getRange(),
      nameRange: f.getNameRange(),
      valueRange: f.getValueRange(),
    }));
    const args = ast.getArguments().map((a) => ({ value: a.getValue(), range: a.getRange() }));
    const heredocs = heredocInfo(ast, td, text);
    const instRange = ast.getRange();
    const argsStart = args.length ? td.offsetAt(args[0]!.range.start) : td.offsetAt(instRange.end);
    const firstBody = heredocs.length ? td.offsetAt({ line: heredocs[0]!.range.start.line + 1, character: 0 }) : td.offsetAt(instRange.end);
    const argsEnd = Math.min(td.offsetAt(instRange.end), Math.max(argsStart, firstBody));
    const argsText = MappedText.joinContinuations(text, argsStart, argsEnd, escape);
    const json = ast instanceof JSONInstruction ? jsonForm(argsText.text) : undefined;
    const inst: Inst = {
      index,
      keyword,
      ast,
      range: instRange,
      keywordRange: ast.getInstructionRange(),
      stage: owner,
      flags,
      args,
      argsText,
      json,
      heredocs,
      scope,
      shell,
      run: undefined,
      trigger: undefined,
      inOnbuild,
    };
    if (keyword === 'RUN') inst.run = runInfo(inst, shellPragma);
    if (ast instanceof Onbuild) {
      const trigger = ast.getTriggerInstruction();
      if (trigger) inst.trigger = make(trigger, index, owner, true);
    }
    return inst;
  };

  const implicitStage = (): Stage => {
    const s: Stage = { index: 0, name: undefined, nameRange: undefined, from: undefined, base: undefined, instructions: [] };
    stages.push(s);
    return s;
  };

  const asts = dockerfile.getInstructions();
  for (let index = 0; index < asts.length; index++) {
    if (index) yield;
    const ast = asts[index]!;
    const keyword = ast.getKeyword().toUpperCase();
    if (ast instanceof From) {
      const name = ast.getBuildStage() ?? undefined;
      const s: Stage = { index: stages.length, name, nameRange: ast.getBuildStageRange() ?? undefined, from: undefined, base: undefined, instructions: [] };
      const base = baseImage(ast, globalScope, stageNames, escape);
      s.base = base;
      scope = new VarScope(base.stage ? stageScopeEnd.get(base.stage) : undefined);
      // Only ENV carries over from a parent stage; ARGs must be declared again.
      for (const n of scope.names()) if (scope.get(n)?.kind !== 'env') scope.delete(n);
      shell = base.stage ? (stageShell.get(base.stage) ?? DEFAULT_SHELL) : DEFAULT_SHELL;
      stage = s;
      stages.push(s);
      if (name) stageNames.set(name.toLowerCase(), s);
      const inst = make(ast, index, s, false);
      s.from = inst;
      s.instructions.push(inst);
      instructions.push(inst);
      stageShell.set(s, shell);
      stageScopeEnd.set(s, scope);
      continue;
    }
    const owner = stage ?? stages[0] ?? implicitStage();
    const inst = make(ast, index, owner, false);
    owner.instructions.push(inst);
    instructions.push(inst);
    if (!stage && keyword === 'ARG') globalArgs.push(inst);
    // Declarations change the scope of the instructions after this one.
    if (keyword === 'ARG' || keyword === 'ENV') {
      scope = new VarScope(scope);
      // Only the global ARGs and a stage rooted in scratch know every name that is set; elsewhere the base image's ENV may set one.
      const closed = !stage || rootOf(stage).base?.scratch === true;
      const written = rawDeclarations(inst, escape);
      for (const [name, value, raw] of written) {
        // BuildKit expands the word as written, removing its quotes (`ARG X=${Y:-"a"}` is `a`).
        const expand = (): Expansion => (raw !== undefined ? inst.scope.expand(raw, { escape, quotes: 'remove', closed }) : inst.scope.expand(value!, { escape, closed }));
        if (keyword === 'ARG') {
          const outer = stage ? globalScope.get(name) : undefined;
          const fromBuild = buildArgs[name];
          const declared = value === undefined ? outer?.value : expand();
          const resolved = fromBuild ?? (typeof declared === 'string' ? declared : declared?.certain ? declared.text : undefined);
          if (scope.get(name)?.kind === 'env') continue; // ENV wins over ARG of the same name
          scope.set(name, { kind: 'arg', value: resolved });
          if (!stage) globalScope.set(name, { kind: 'arg', value: resolved });
        } else {
          const expanded = value === undefined ? undefined : expand();
          scope.set(name, { kind: 'env', value: expanded?.certain ? expanded.text : undefined });
        }
      }
      if (!stage) scope = globalScope;
    }
    if (keyword === 'SHELL' && inst.json?.length) shell = inst.json;
    if (stage) {
      stageShell.set(stage, shell);
      stageScopeEnd.set(stage, scope);
    }
  }
  for (const name of PREDEFINED_ARGS) if (!globalScope.has(name)) globalScope.set(name, { kind: 'predefined', value: undefined });
  // ARGs before the first FROM are global, not a stage of their own.
  if (stages.length > 1 && !stages[0]!.from && stages[0]!.instructions.every((i) => i.keyword === 'ARG')) {
    stages.shift();
    stages.forEach((s, i) => (s.index = i));
  }

  let runs: Inst[] | undefined;
  const model: Model = {
    doc,
    text,
    escape,
    instructions,
    stages,
    globalArgs,
    globalScope,
    comments,
    checkDirective,
    shellPragma,
    range,
    lines,
    offsetAt: (p) => td.offsetAt(p),
    scriptRange: (run, start, end) => {
      const [s, e] = run.script!.docSpan(start, end);
      return range(s, e);
    },
    wordRange: (run, word) => {
      const [s, e] = run.script!.docSpan(word.start, word.end);
      return range(s, e);
    },
    runs: () => (runs ??= instructions.flatMap((i) => (i.keyword === 'RUN' ? [i] : i.trigger?.keyword === 'RUN' ? [i.trigger] : []))),
  };
  return model;
}

/**
 * `declarations` with each value also as written (quotes and escapes kept, for BuildKit's lexer to
 * process), where BuildKit's word split agrees with ours on the names.
 */
function rawDeclarations(inst: Inst, escape: string): [string, string | undefined, string | undefined][] {
  const decls = declarations(inst);
  const text = inst.argsText.text.trim();
  let raws: (string | undefined)[] | undefined;
  if (inst.keyword === 'ENV' && !/^[^\s=]+=/.test(text)) {
    raws = [/^\S+\s+(.*)$/s.exec(text)?.[1]?.trim()];
  } else {
    const words = splitDeclarationWords(text, escape);
    if (words.length === decls.length && words.every((w, k) => w.split('=')[0] === decls[k]![0])) raws = words.map((w) => (w.includes('=') ? w.slice(w.indexOf('=') + 1) : undefined));
  }
  return decls.map(([name, value], k) => [name, value, value === undefined ? undefined : raws?.[k]]);
}

/** The stage a chain of `FROM <stage>` starts from. */
export function rootOf(stage: Stage): Stage {
  let s = stage;
  const seen = new Set<Stage>();
  while (s.base?.stage && !seen.has(s)) {
    seen.add(s);
    s = s.base.stage;
  }
  return s;
}

/** `ARG A=1 B` / `ENV A=1 B=2` / legacy `ENV A 1`: name → raw value (undefined when none). */
export function declarations(inst: Inst): [string, string | undefined][] {
  const text = inst.argsText.text.trim();
  if (!text) return [];
  if (inst.keyword === 'ENV' && !/^[^\s=]+=/.test(text)) {
    const m = /^(\S+)\s+(.*)$/s.exec(text);
    return m ? [[m[1]!, unquoteValue(m[2]!.trim())]] : [[text, '']];
  }
  const out: [string, string | undefined][] = [];
  for (const token of splitWords(text)) {
    const eq = token.indexOf('=');
    if (eq < 0) out.push([token, undefined]);
    else out.push([token.slice(0, eq), unquoteValue(token.slice(eq + 1))]);
  }
  return out;
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      current += c;
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
    } else if (/\s/.test(c)) {
      if (current) words.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current) words.push(current);
  return words;
}

function unquoteValue(v: string): string {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1);
  return v.replace(/\\(.)/g, '$1');
}

function jsonForm(args: string): string[] | undefined {
  const t = args.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `text.split(/\r?\n/)` in one pass. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) {
      out.push(text.slice(at));
      return out;
    }
    out.push(text.slice(at, nl > at && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
    at = nl + 1;
  }
}

/**
 * Every line that is a comment (or a parser directive) outside heredoc bodies. dockerfile-ast
 * reports `# hadolint global ignore=...` at the top of a file as a directive, not a comment.
 */
function commentLines(doc: ModelSource, lines: readonly string[]): DockerfileComment[] {
  const inBody = new Uint8Array(lines.length);
  for (const inst of doc.dockerfile.getInstructions()) {
    for (const h of (inst as unknown as { getHeredocs?: () => Heredoc[] }).getHeredocs?.() ?? []) {
      const c = h.getContentRange();
      if (c) inBody.fill(1, c.start.line, (h.getDelimiterRange() ?? c).end.line + 1);
    }
  }
  const out: DockerfileComment[] = [];
  lines.forEach((line, i) => {
    if (inBody[i]) return;
    const m = /^(\s*)#(.*)$/.exec(line);
    if (!m) return;
    out.push({ line: i, text: m[2]!.trim(), range: { start: { line: i, character: m[1]!.length }, end: { line: i, character: line.length } } });
  });
  return out;
}

export function parseCheckDirective(value: string): { skip: string[] | 'all'; error: boolean } {
  let skip: string[] | 'all' = [];
  let error = false;
  for (const part of value.split(';')) {
    const [k, v = ''] = part.split('=').map((s) => s.trim());
    if (k === 'skip') skip = v === 'all' ? 'all' : v.split(',').map((s) => s.trim()).filter(Boolean);
    if (k === 'error') error = v === 'true';
  }
  return { skip, error };
}

export function parseImageRef(ref: string): ImageRef | undefined {
  if (!ref || /\s/.test(ref)) return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  return { registry, name: rest, tag, digest };
}

/** `stageNames`: the latest stage of each lower-cased name so far (a later stage of the same name wins). */
function baseImage(ast: From, globalScope: VarScope, stageNames: ReadonlyMap<string, Stage>, escape: string): BaseImage {
  const raw = ast.getImage() ?? '';
  const range = ast.getImageRange() ?? ast.getRange();
  // BuildKit reads FROM's argument through its shell lexer, so quotes are removed (alpine:"3.20"); FROM sees the global ARGs only.
  const expanded: Expansion = globalScope.expand(raw, { escape, quotes: 'remove', closed: true });
  const resolved = expanded.certain ? expanded.text : undefined;
  const lower = resolved?.toLowerCase();
  const stage = lower ? stageNames.get(lower) : undefined;
  const platformFlag = ast.getFlags().find((f) => f.getName() === 'platform');
  return {
    raw,
    range,
    resolved,
    ref: resolved && !stage ? parseImageRef(resolved) : undefined,
    stage,
    scratch: lower === 'scratch',
    platform: platformFlag?.getValue() ?? undefined,
  };
}

function heredocInfo(ast: Instruction, td: TextDocument, text: string): HeredocInfo[] {
  const heredocs = (ast as unknown as { getHeredocs?: () => Heredoc[] }).getHeredocs?.() ?? [];
  const out: HeredocInfo[] = [];
  for (const h of heredocs) {
    const content = h.getContentRange();
    const delimiter = h.getDelimiterRange();
    const marker = td.getText(h.getStartRange());
    const start = content ? td.offsetAt(content.start) : td.offsetAt({ line: h.getStartRange().start.line + 1, character: 0 });
    let end = content ? td.offsetAt(content.end) : start;
    if (content && text[end] !== '\n' && text[end - 1] !== '\n') end = Math.min(text.length, end);
    out.push({
      name: h.getName(),
      body: MappedText.slice(text, start, end),
      quoted: /<<-?\s*["']/.test(marker),
      stripTabs: /<<-/.test(marker),
      range: { start: h.getStartRange().start, end: (delimiter ?? content ?? h.getStartRange()).end },
    });
  }
  return out;
}

function runInfo(inst: Inst, shellPragma: string | undefined): RunInfo {
  const mounts: Mount[] = [];
  let network: string | undefined;
  let security: string | undefined;
  for (const f of inst.flags) {
    if (f.name === 'mount' && f.value) mounts.push(parseMount(f.value, f.range));
    if (f.name === 'network') network = f.value ?? undefined;
    if (f.name === 'security') security = f.value ?? undefined;
  }
  const info: RunInfo = { mounts, network, security, execForm: inst.json !== undefined, script: undefined, shell: undefined, commands: [] };
  const posix = isPosixShell(inst.shell) && !(shellPragma && !POSIX_SHELL.test(shellPragma));
  if (!shellParserReady()) return info;
  if (inst.json) {
    // Exec form: one command, its words straight from the JSON array.
    const script = inst.argsText;
    const words = inst.json.map((value) => {
      const raw = JSON.stringify(value);
      const start = Math.max(0, script.text.indexOf(raw));
      return { text: value, raw, start, end: start + raw.length, dynamic: false };
    });
    if (words.length) {
      const [nameWord, ...args] = words as [ShellWord, ...ShellWord[]];
      info.script = script;
      info.commands = [
        {
          name: nameWord.text.slice(nameWord.text.lastIndexOf('/') + 1),
          nameWord,
          args,
          wrappers: [],
          assignments: [],
          start: nameWord.start,
          end: words[words.length - 1]!.end,
          pipeline: 0,
          pipelinePosition: 0,
          pipelineLength: 1,
        },
      ];
    }
    return info;
  }
  if (!posix) return info;
  const parts: MappedText[] = [];
  const head = inst.argsText;
  const headIsOnlyHeredoc = /^\s*<<-?\s*["']?[A-Za-z0-9_]+["']?\s*$/.test(head.text);
  if (!headIsOnlyHeredoc) parts.push(head);
  const headCommand = head.text.trim().split(/\s+/)[0] ?? '';
  for (const h of inst.heredocs) {
    const firstLine = h.body.text.split('\n', 1)[0] ?? '';
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(firstLine);
    const interpreter = shebang ? (shebang[1]!.endsWith('/env') ? (shebang[2] ?? '') : shebang[1]!) : headIsOnlyHeredoc ? 'sh' : headCommand;
    if (POSIX_SHELL.test(interpreter)) parts.push(h.body);
  }
  if (!parts.length) return info;
  const script = MappedText.concat(parts);
  info.script = script;
  info.shell = parseShell(script.text);
  // ARG and ENV values are in the RUN's environment: rules read the words the shell will see where they are known.
  info.commands = expandCommands(info.shell, inst.scope);
  return info;
}

export function parseMount(value: string, range: Range): Mount {
  const options: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const k = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    options[k] = eq < 0 ? 'true' : part.slice(eq + 1).trim();
  }
  const type = options.type ?? 'bind';
  const target = options.target ?? options.dst ?? options.destination;
  return { type, target, options, range };
}
