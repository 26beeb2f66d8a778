import { Heredoc, Instruction, ModifiableInstruction, type Dockerfile, type ImageTemplate } from 'dockerfile-ast';
import { Position, type Range } from 'vscode-languageserver-types';
import { linesMoved } from './heredocs';

/**
 * Replaces the dockerfile-ast methods that every library feature reaches (hover, completion,
 * validation, semantic tokens resolve variables through them) with versions that end and are
 * linear:
 * - `getContainingImage` returns the Dockerfile itself for a position outside every stage (the
 *   indentation before `  RUN $A`, a blank line between stages), and `resolveVariable` and
 *   `getAvailableVariables` then call themselves on it forever: a stack overflow.
 * - both scan every FROM and every stage per variable: quadratic with thousands of stages.
 * - `getStageHierarchy` follows `FROM a AS b` / `FROM b AS a` round in a circle forever.
 * - `ImageTemplate.resolveVariable` and `Instruction.isBuildVariable` scan every instruction of the
 *   stage per variable: quadratic in a stage of 100,000 instructions. They look names up instead.
 * - `Instruction.getHeredocs` reads past its list of heredoc markers on some broken lines
 *   (`" \\<CR>#p`): a TypeError for every feature that asks. No heredocs is the answer then.
 * Here the image of a line is found by binary search over the stages' line spans, computed once
 * per parse (a parsed Dockerfile never changes).
 */

interface Stages {
  /** The instructions before the first FROM, with their line span, if any. */
  initial: { image: ImageTemplate; first: number; last: number } | undefined;
  /** Build stages in file order with their line spans. */
  stages: { image: ImageTemplate; first: number; last: number; range: Range }[];
  /** The line spans of the FROM instructions, in order. */
  froms: { first: number; last: number }[];
}

interface DockerfileInternals {
  initialInstructions: ImageTemplate;
  buildStages: ImageTemplate[];
  document: { positionAt(offset: number): Position; getText(): string };
  getInitialARGs(): Instruction[];
}

type Patched = Dockerfile & DockerfileInternals & { [STAGES]?: Stages };

const STAGES = Symbol('layerwise.stages');
const GUARDED = Symbol('layerwise.guarded');

function stagesOf(d: Patched): Stages {
  let s = d[STAGES];
  // The parser adds stages one by one; what was seen while it was still adding is not kept.
  if (s && s.stages.length === d.buildStages.length && (s.initial ? 1 : 0) === (d.initialInstructions.getInstructions().length ? 1 : 0)) return s;
  const initialInstructions = d.initialInstructions.getInstructions();
  const initial = initialInstructions.length
    ? { image: d.initialInstructions, first: initialInstructions[0]!.getRange().start.line, last: initialInstructions[initialInstructions.length - 1]!.getRange().end.line }
    : undefined;
  const stages = d.buildStages.map((image) => {
    // A stage always holds its FROM, so it always has a range.
    const range = image.getRange() ?? { start: { line: -1, character: 0 }, end: { line: -1, character: 0 } };
    return { image, first: range.start.line, last: range.end.line, range };
  });
  const froms = d.getFROMs().map((f) => {
    const r = f.getRange();
    return { first: r.start.line, last: r.end.line };
  });
  const computed: Stages = { initial, stages, froms };
  d[STAGES] = computed;
  return computed;
}

/** The index of the last element whose `first` is at or before `line` (-1 if none), by binary search: the spans are in file order. */
function lastIndexStartingBy(items: readonly { first: number }[], line: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.first <= line) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function lastStartingBy<T extends { first: number }>(items: readonly T[], line: number): T | undefined {
  return items[lastIndexStartingBy(items, line)];
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function inside(p: Position, r: Range): boolean {
  return !before(p, r.start) && !before(r.end, p);
}

/** The stage (or the instructions before the first FROM) that spans `line`, or undefined between and after them. */
function imageAtLine(d: Patched, line: number): ImageTemplate | undefined {
  const s = stagesOf(d);
  if (s.initial && line >= s.initial.first && line <= s.initial.last) return s.initial.image;
  const stage = lastStartingBy(s.stages, line);
  return stage && line <= stage.last ? stage.image : undefined;
}

function initialArgsTemplate(d: Patched, Template: new () => ImageTemplate): ImageTemplate {
  const t = new Template() as ImageTemplate & { addInstruction(i: Instruction): void };
  for (const arg of d.getInitialARGs()) t.addInstruction(arg);
  return t;
}

interface Declarations {
  /** Instructions the index was built from (the parser adds them one by one). */
  count: number;
  /** Per name, the ENVs (first property of that name in each) and ARGs that set it, in file order. */
  envs: Map<string, { line: number; value: string | null }[]>;
  args: Map<string, { line: number; value: string | null }[]>;
}

const DECLARATIONS = Symbol('layerwise.declarations');

interface TemplateInternals {
  getInstructions(): Instruction[];
  getENVs(): { getRange(): Range; getProperties(): { getName(): string; getValue(): string | null }[] }[];
  getARGs(): { getRange(): Range; getProperty(): { getName(): string; getValue(): string | null } | null }[];
  [DECLARATIONS]?: Declarations;
}

/** ENV and ARG declarations of an image by name, so a variable is resolved by a binary search instead of a scan of the image. */
function declarationsOf(image: TemplateInternals): Declarations {
  const count = image.getInstructions().length;
  const cached = image[DECLARATIONS];
  if (cached && cached.count === count) return cached;
  const envs: Declarations['envs'] = new Map();
  const args: Declarations['args'] = new Map();
  for (const env of image.getENVs()) {
    const line = env.getRange().start.line;
    const seen = new Set<string>();
    for (const p of env.getProperties()) {
      const name = p.getName();
      if (seen.has(name)) continue;
      seen.add(name);
      let list = envs.get(name);
      if (!list) envs.set(name, (list = []));
      list.push({ line, value: p.getValue() });
    }
  }
  for (const arg of image.getARGs()) {
    const p = arg.getProperty();
    if (!p) continue;
    const name = p.getName();
    let list = args.get(name);
    if (!list) args.set(name, (list = []));
    list.push({ line: arg.getRange().start.line, value: p.getValue() });
  }
  const built = { count, envs, args };
  image[DECLARATIONS] = built;
  return built;
}

/** The last declaration that starts on a line before `line` (dockerfile-ast's `isBefore`). */
function lastBefore(list: readonly { line: number; value: string | null }[] | undefined, line: number): { line: number; value: string | null } | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  let found: { line: number; value: string | null } | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.line < line) {
      found = list[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Instructions with heredocs whose answers are kept across versions (a large file has tens). */
const RECENT_HEREDOC_INSTRUCTIONS = 512;
const RECENT_HEREDOC_CHARS = 1 << 20;
/** Off with the getter memo (engine/parse.ts): the corpus test compares answers with and without both. */
const REUSE_HEREDOCS = !process.env.LAYERWISE_NO_AST_MEMO;

function movedHeredoc(h: Heredoc, delta: number): Heredoc {
  const move = (r: Range | null): Range | null => (r ? linesMoved(r, delta) : null);
  return new Heredoc(move(h.getStartRange())!, h.getName(), move(h.getNameRange())!, move(h.getContentRange())!, move(h.getDelimiterRange())!);
}

/** Installs the replacements on the prototype of the Dockerfile class `sample` belongs to. */
export function guardDockerfileAst(sample: Dockerfile): void {
  const proto = Object.getPrototypeOf(sample) as Record<string, unknown> & { [GUARDED]?: true };
  if (proto[GUARDED]) return;
  proto[GUARDED] = true;

  // With getArguments memoized (parse.ts), a first getFlags() would keep the arguments it reads
  // while its flags are still unknown, flags included (HEALTHCHECK --interval=5s read as its
  // subcommand). Asking getArguments first is the order in which the library splits them.
  const modifiableProto = ModifiableInstruction.prototype as unknown as { getFlags(this: ModifiableInstruction): unknown[] };
  const getFlags = modifiableProto.getFlags;
  const asking = new WeakSet<object>();
  modifiableProto.getFlags = function (this: ModifiableInstruction): unknown[] {
    if (!(this as unknown as { flags?: unknown[] }).flags && !asking.has(this)) {
      asking.add(this);
      try {
        this.getArguments();
      } finally {
        asking.delete(this);
      }
    }
    return getFlags.call(this);
  };

  const instructionProto = Instruction.prototype as unknown as { getHeredocs(this: Instruction): Heredoc[] };
  const heredocs = instructionProto.getHeredocs;
  // The heredocs of an instruction follow from its text, its first column and the escape
  // character: a new version of the document reuses them, moved to the instruction's line (the
  // library walks every character of a body, and an edit elsewhere leaves the bodies as they were).
  const recent = new Map<string, { line: number; heredocs: Heredoc[] }>();
  let recentChars = 0;
  instructionProto.getHeredocs = function (this: Instruction): Heredoc[] {
    // Every heredoc starts with `<<`: an instruction without a `<` has none, and most have none.
    const line = this as unknown as { document: { getText(range: Range): string }; escapeChar: string };
    const range = this.getRange();
    const text = line.document.getText(range);
    if (!text.includes('<')) return [];
    const key = `${range.start.character}\u0000${line.escapeChar}\u0000${text}`;
    const kept = REUSE_HEREDOCS ? recent.get(key) : undefined;
    if (kept) {
      return kept.heredocs.map((h) => movedHeredoc(h, range.start.line - kept.line));
    }
    let found: Heredoc[];
    try {
      found = heredocs.call(this);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      found = [];
    }
    if (REUSE_HEREDOCS && key.length <= RECENT_HEREDOC_CHARS / 8) {
      // A copy of the key: the text is a slice that would keep its whole version alive.
      recent.set(` ${key}`.slice(1), { line: range.start.line, heredocs: found });
      recentChars += key.length;
      for (const k of recent.keys()) {
        if (recent.size <= RECENT_HEREDOC_INSTRUCTIONS && recentChars <= RECENT_HEREDOC_CHARS) break;
        recent.delete(k);
        recentChars -= k.length;
      }
    }
    return found;
  };
  const Template = Object.getPrototypeOf(proto).constructor as new () => ImageTemplate;
  const templateProto = Template.prototype as { resolveVariable(this: ImageTemplate, v: string, line: number): string | null | undefined; getAvailableVariables(this: ImageTemplate, line: number): string[] };

  // ImageTemplate.resolveVariable and Instruction.isBuildVariable scanned every instruction of the image per variable.
  (templateProto as { resolveVariable(this: TemplateInternals, v: string, line: number): string | null | undefined }).resolveVariable = function (variable, line) {
    const d = declarationsOf(this);
    const env = lastBefore(d.envs.get(variable), line);
    if (env) return env.value;
    const arg = lastBefore(d.args.get(variable), line);
    return arg ? arg.value : undefined;
  };
  const instructionInternals = Instruction.prototype as unknown as {
    isBuildVariable(this: Instruction, variable: string, line: number): boolean | undefined;
  };
  const isBuildVariable = instructionInternals.isBuildVariable;
  instructionInternals.isBuildVariable = function (variable, line) {
    if (this.getKeyword() === 'FROM') return isBuildVariable.call(this, variable, line);
    const image = (this as unknown as { dockerfile: Patched }).dockerfile.getContainingImage({ line, character: 0 }) as unknown as TemplateInternals | null;
    if (!image) return undefined;
    const d = declarationsOf(image);
    if (lastBefore(d.envs.get(variable), line)) return false;
    return lastBefore(d.args.get(variable), line) ? true : undefined;
  };

  proto.getContainingImage = function (this: Patched, position: Position): ImageTemplate | null {
    const text = this.document.getText();
    if (before(position, { line: 0, character: 0 }) || before(this.document.positionAt(text.length), position)) return null;
    const s = stagesOf(this);
    const initialRange = this.initialInstructions.getRange();
    if ((this.initialInstructions.getComments().length > 0 || s.initial) && initialRange && inside(position, initialRange)) return this.initialInstructions;
    const i = lastIndexStartingBy(s.stages, position.line);
    // Stages do not overlap, but the one before may still hold the position when both share a line.
    for (const candidate of [s.stages[i], s.stages[i - 1]]) if (candidate && inside(position, candidate.range)) return candidate.image;
    return this;
  };

  proto.resolveVariable = function (this: Patched, variable: string, line: number): string | null | undefined {
    const s = stagesOf(this);
    const from = lastStartingBy(s.froms, line);
    if (from && line <= from.last) return templateProto.resolveVariable.call(initialArgsTemplate(this, Template), variable, line);
    const image = imageAtLine(this, line);
    if (!image) return undefined;
    const resolved = templateProto.resolveVariable.call(image, variable, line);
    if (resolved === null) return templateProto.resolveVariable.call(initialArgsTemplate(this, Template), variable, line);
    return resolved;
  };

  const availableInFrom = proto.getAvailableVariables as (this: Patched, line: number) => string[];
  proto.getAvailableVariables = function (this: Patched, line: number): string[] {
    const s = stagesOf(this);
    const from = lastStartingBy(s.froms, line);
    if (from && line <= from.last) return availableInFrom.call(this, line);
    const image = imageAtLine(this, line);
    return image ? templateProto.getAvailableVariables.call(image, line) : [];
  };

  const parentStage = proto.getParentStage as (this: Patched, image: ImageTemplate) => ImageTemplate | null;
  proto.getStageHierarchy = function (this: Patched, line: number): ImageTemplate[] {
    const image = imageAtLine(this, line);
    if (!image) return [];
    const stages = [image];
    const seen = new Set(stages);
    for (let stage = parentStage.call(this, image); stage && !seen.has(stage); stage = parentStage.call(this, stage)) {
      seen.add(stage);
      stages.unshift(stage);
    }
    return stages;
  };
}
