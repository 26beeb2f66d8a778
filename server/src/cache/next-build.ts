import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { declarations, type Inst, type Model, type Stage } from '../model/model';
import { patternRegExp } from '../rules/lib/build-context';
import { argWords, fromTarget, isRemoteSource } from '../rules/lib/instruction-words';
import { entryFingerprint, type ContextSnapshot } from './context-snapshot';
import { instructionKey } from './inputs';

/**
 * What the next build re-runs, and why: BuildKit's cache rules (Docker 20.10's Dockerfile
 * frontend) applied to the current Dockerfile, context and settings, against the inputs recorded
 * for the last builds.
 *
 * Each step BuildKit runs (FROM an image, RUN, COPY, ADD, WORKDIR) has a cache key made of its
 * parent's key, its own definition and, for what it reads by content, a checksum of that content:
 * the context files a COPY/ADD or a RUN bind mount selects, and the output of the stages it
 * copies or mounts from. A RUN's definition also holds the environment (ENV, and every ARG with a
 * value declared above it in the stage), USER, WORKDIR and SHELL; a COPY's only WORKDIR (its
 * destination). ENV, ARG, LABEL, CMD and the like are no steps: they change the steps below them.
 *
 * A step whose key is among the recorded ones is cached; one whose key is new re-runs, and so
 * does every step built on it. A step that reads the output of a re-running stage cannot be
 * decided before the build (BuildKit keys it by the content copied, which may come out the same):
 * `willRun: null`, unless its own definition changed.
 */

export interface BuildSettings {
  target?: string | undefined;
  buildArgs: Record<string, string>;
  noCache?: boolean;
  /** Stages named in `--no-cache-filter`. */
  noCacheFilter?: string[];
}

interface Piece {
  line: number;
  /** The instruction as written (for reasons). */
  text: string;
  /** What it contributes to the step's definition (`ENV A=1`, `ARG V=2`, `USER app`). */
  value: string;
  /** For an ARG: its name. */
  arg?: string | undefined;
}

/** One step of a build as BuildKit runs it, with everything its key depends on except its parent. */
export interface StepInputs {
  line: number;
  /** The stage's name, or its index. */
  stage: string;
  keyword: string;
  /** The instruction as written, whitespace collapsed. */
  instruction: string;
  /** The definition BuildKit hashes: flags, arguments after expansion, heredoc bodies. */
  definition: string;
  pieces: Piece[];
  /** Context paths it selects (`''` the whole context, wildcards kept): COPY/ADD sources, RUN bind mounts. */
  patterns: string[];
  /** Checksum of the selected context entries; empty when it selects none. */
  filesSum: string;
  /** External images it reads: FROM, `COPY --from=image`, `--mount=from=image`. */
  images: string[];
  /** Stages whose output it reads by content. */
  sources: string[];
  /** ADD of a URL or git repository: checked again by every build. */
  remote: string | undefined;
  /** Index of the step it builds on; -1 for the first step of a chain. */
  parent: number;
  /** Set on a stage's first step when that stage is built on another stage. */
  parentStage: string | undefined;
  /** Everything above but the parent, images and sources, hashed. */
  local: string;
}

export interface BuildDescription {
  steps: StepInputs[];
  /** The last step of each stage that is built (-1: none, e.g. FROM scratch and no step). */
  stageEnds: Record<string, number>;
  /** Stages built, in file order. */
  stages: string[];
}

function sha(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}

export function stageLabel(stage: Stage): string {
  return stage.name ?? String(stage.index);
}

function stageOf(model: Model, target: string): Stage | undefined {
  const lower = target.toLowerCase();
  return model.stages.find((s) => s.from && s.name?.toLowerCase() === lower) ?? (/^\d+$/.test(target) ? model.stages.find((s) => s.from && s.index === Number(target)) : undefined);
}

function sourceStages(model: Model, inst: Inst): { stages: Stage[]; images: string[] } {
  const refs: string[] = [];
  const from = inst.flags.find((f) => f.name === 'from')?.value;
  if ((inst.keyword === 'COPY' || inst.keyword === 'ADD') && from) refs.push(from);
  for (const m of inst.run?.mounts ?? []) if (m.options.from !== undefined) refs.push(m.options.from);
  const stages: Stage[] = [];
  const images: string[] = [];
  for (const ref of refs) {
    const t = fromTarget(model, inst, ref);
    if ((t.kind === 'stage' || t.kind === 'index') && t.stage) stages.push(t.stage);
    else images.push(t.value);
  }
  return { stages, images };
}

/** The stages a build of `target` (default: the last stage) runs, in file order. */
export function builtStages(model: Model, target: string | undefined): Stage[] | undefined {
  const stages = model.stages.filter((s) => s.from);
  const top = target ? stageOf(model, target) : stages[stages.length - 1];
  if (!top) return undefined;
  const need = new Set<Stage>();
  const visit = (s: Stage): void => {
    if (need.has(s)) return;
    need.add(s);
    if (s.base?.stage) visit(s.base.stage);
    for (const inst of s.instructions) for (const d of sourceStages(model, inst).stages) if (d !== s) visit(d);
  };
  visit(top);
  return stages.filter((s) => need.has(s));
}

function globRe(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return patternRegExp(re);
}

/** The context paths a pattern selects (a folder brings everything below it). */
export function selectPaths(paths: Iterable<string>, pattern: string): string[] {
  const all = [...paths];
  if (pattern === '') return all.sort();
  const roots = /[*?[]/.test(pattern) ? all.filter((p) => globRe(pattern).test(p)) : all.includes(pattern) ? [pattern] : [];
  const out = new Set<string>();
  for (const r of roots) {
    out.add(r);
    for (const p of all) if (p.startsWith(r + '/')) out.add(p);
  }
  return [...out].sort();
}

function normalize(src: string): string {
  return path.posix
    .normalize('/' + src.replace(/\\/g, '/'))
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/^\.$/, '');
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The steps a build of this Dockerfile runs with these settings, and what each one's key depends
 * on. `model` must be built with the same build args.
 */
export function describeBuild(model: Model, settings: BuildSettings, context: ContextSnapshot): BuildDescription | { error: string } {
  const stages = builtStages(model, settings.target);
  if (!stages) return { error: settings.target ? `the Dockerfile has no stage named "${settings.target}"` : 'the Dockerfile has no FROM' };
  const starts = lineStartsOf(model.text);
  const escape = model.escape;
  const fingerprints = new Map<string, string>();
  const fp = (p: string): string => {
    let v = fingerprints.get(p);
    if (v === undefined) fingerprints.set(p, (v = entryFingerprint(context.get(p)!)));
    return v;
  };
  const steps: StepInputs[] = [];
  const stageEnds: Record<string, number> = {};
  // What a stage hands to the stages built on it: its last step, the environment pieces, WORKDIR.
  const stageState = new Map<Stage, { end: number; pieces: Piece[]; workdir: string }>();
  const expand = (inst: Inst, word: string): string => inst.scope.expand(word, { escape, quotes: 'remove' }).text;
  const argValue = (inst: Inst, name: string, value: string | undefined): string | undefined => {
    if (Object.prototype.hasOwnProperty.call(settings.buildArgs, name)) return settings.buildArgs[name];
    if (value !== undefined) return inst.scope.expand(value, escape).text;
    const g = model.globalScope.get(name)?.value;
    return typeof g === 'string' ? g : undefined;
  };

  for (const stage of stages) {
    const label = stageLabel(stage);
    const base = stage.base?.stage ? stageState.get(stage.base.stage) : undefined;
    let parent = base ? base.end : -1;
    let parentStage = base ? stageLabel(stage.base!.stage!) : undefined;
    let pieces: Piece[] = base ? base.pieces.slice() : [];
    let workdir = base ? base.workdir : '/';
    const add = (inst: Inst, s: Omit<StepInputs, 'line' | 'stage' | 'keyword' | 'instruction' | 'parent' | 'parentStage' | 'local'>): void => {
      const local = sha(inst.keyword, s.definition, ...s.pieces.map((p) => p.value), s.patterns.join('\n'), s.filesSum, s.remote ?? '');
      steps.push({
        line: inst.range.start.line + 1,
        stage: label,
        keyword: inst.keyword,
        instruction: instructionKey(model.text, inst.ast, starts, escape),
        ...s,
        parent,
        parentStage,
        local,
      });
      parent = steps.length - 1;
      parentStage = undefined;
    };
    for (const inst of stage.instructions) {
      const k = inst.keyword;
      const flags = inst.flags.map((f) => `--${f.name}=${f.value === null ? '' : expand(inst, f.value)}`).join(' ');
      if (inst === stage.from) {
        if (stage.base?.stage || stage.base?.scratch) continue;
        const ref = stage.base?.resolved ?? stage.base?.raw ?? '';
        add(inst, { definition: `FROM ${flags} ${ref}`, pieces: [], patterns: [], filesSum: '', images: [ref], sources: [], remote: undefined });
        continue;
      }
      const text = instructionKey(model.text, inst.ast, starts, escape);
      if (k === 'ENV') {
        for (const [name, value] of declarations(inst)) pieces.push({ line: inst.range.start.line + 1, text, value: `ENV ${name}=${value === undefined ? '' : expand(inst, value)}` });
      } else if (k === 'ARG') {
        for (const [name, value] of declarations(inst)) {
          const v = argValue(inst, name, value);
          if (v !== undefined) pieces.push({ line: inst.range.start.line + 1, text, value: `ARG ${name}=${v}`, arg: name });
        }
      } else if (k === 'USER') {
        pieces.push({ line: inst.range.start.line + 1, text, value: `USER ${expand(inst, inst.argsText.text.trim())}` });
      } else if (k === 'SHELL') {
        pieces.push({ line: inst.range.start.line + 1, text, value: `SHELL ${JSON.stringify(inst.json ?? [])}` });
      } else if (k === 'WORKDIR') {
        workdir = path.posix.resolve(workdir, expand(inst, inst.argsText.text.trim()));
        const wdPiece = { line: inst.range.start.line + 1, text, value: `WORKDIR ${workdir}` };
        // BuildKit makes the folder (owned by USER) as a step of its own, except for `/`.
        if (workdir !== '/') add(inst, { definition: `WORKDIR ${workdir}`, pieces: pieces.filter((p) => p.value.startsWith('USER ')), patterns: [], filesSum: '', images: [], sources: [], remote: undefined });
        pieces = pieces.filter((p) => !p.value.startsWith('WORKDIR '));
        pieces.push(wdPiece);
      } else if (k === 'RUN' || k === 'COPY' || k === 'ADD') {
        const { stages: from, images } = sourceStages(model, inst);
        const patterns: string[] = [];
        let remote: string | undefined;
        let definition: string;
        if (k === 'RUN') {
          for (const m of inst.run?.mounts ?? []) if (m.type === 'bind' && m.options.from === undefined) patterns.push(normalize(expand(inst, m.options.source ?? m.options.src ?? '')));
          definition = `RUN ${flags} ${inst.argsText.text.trim()}${inst.heredocs.map((h) => `\n${h.body.text}`).join('')}`;
        } else {
          const words = argWords(inst);
          const expanded = words.map((w) => (w.text.startsWith('<<') ? w.text : expand(inst, inst.json ? w.text : w.raw)));
          if (!inst.flags.some((f) => f.name === 'from')) {
            for (const src of expanded.slice(0, -1)) {
              if (src.startsWith('<<')) continue;
              if (isRemoteSource(src)) remote = src;
              else patterns.push(normalize(src));
            }
          }
          definition = `${k} ${flags} ${expanded.join(' ')}${inst.heredocs.map((h) => `\n${h.body.text}`).join('')}`;
        }
        const selected = new Set<string>();
        for (const p of patterns) for (const s of selectPaths(context.keys(), p)) selected.add(s);
        const filesSum = patterns.length ? sha(...[...selected].sort().flatMap((p) => [p, fp(p)])) : '';
        const own = k === 'RUN' ? pieces : pieces.filter((p) => p.value.startsWith('WORKDIR '));
        add(inst, { definition, pieces: own.slice(), patterns, filesSum, images, sources: from.filter((s) => s !== stage).map(stageLabel), remote });
      }
    }
    stageState.set(stage, { end: parent, pieces, workdir });
    stageEnds[label] = parent;
  }
  return { steps, stageEnds, stages: stages.map(stageLabel) };
}

// ---------------------------------------------------------------------------------------------
// Records and predictions

/** A step as recorded: its inputs as described, the images' IDs at the time, and the keys chained from them. */
export type RecordedStep = Pick<StepInputs, 'line' | 'stage' | 'keyword' | 'instruction' | 'definition' | 'pieces' | 'patterns' | 'local'> & {
  images: Record<string, string>;
  parentKey: string;
  partial: string;
  key: string;
};

/** The inputs of one build, as recorded after it succeeded. */
export interface BuildRecord {
  at: number;
  target: string | undefined;
  buildArgs: Record<string, string>;
  imageId: string | undefined;
  steps: RecordedStep[];
  /** Fingerprints of the context entries the steps selected. */
  files: Record<string, string>;
}

/** Image reference → image ID on the daemon; undefined when it cannot be told. */
export type ImageIds = (ref: string) => string | undefined;

/** The keys of a build that has just run with these inputs (every step known). */
export function recordBuild(desc: BuildDescription, settings: BuildSettings, context: ContextSnapshot, images: ImageIds, extra: { at?: number; imageId?: string } = {}): BuildRecord {
  const keys: string[] = [];
  const files: Record<string, string> = {};
  const steps = desc.steps.map((s, i): RecordedStep => {
    const parentKey = s.parent >= 0 ? keys[s.parent]! : 'root';
    const partial = sha(parentKey, s.local);
    const ids: Record<string, string> = {};
    for (const ref of s.images) ids[ref] = images(ref) ?? '';
    const key = sha(partial, ...s.images.map((r) => ids[r]!), ...s.sources.map((src) => stageKey(desc, src, keys)));
    keys[i] = key;
    for (const p of s.patterns) for (const f of selectPaths(context.keys(), p)) files[f] ??= entryFingerprint(context.get(f)!);
    return { line: s.line, stage: s.stage, keyword: s.keyword, instruction: s.instruction, definition: s.definition, pieces: s.pieces, patterns: s.patterns, images: ids, parentKey, local: s.local, partial, key };
  });
  return { at: extra.at ?? Date.now(), target: settings.target, buildArgs: { ...settings.buildArgs }, imageId: extra.imageId, steps, files };
}

function stageKey(desc: BuildDescription, stage: string, keys: (string | undefined)[]): string {
  const end = desc.stageEnds[stage];
  return end === undefined || end < 0 ? `empty:${stage}` : (keys[end] ?? '');
}

export interface StepPrediction {
  line: number;
  stage: string;
  instruction: string;
  /** true: re-runs; false: cached; null: may re-run (it reads the output of a stage that re-runs). */
  willRun: boolean | null;
  reason: string;
  /** Seconds of its last measured run; null when never measured. */
  seconds: number | null;
}

export interface Prediction {
  steps: StepPrediction[];
  /** Σ seconds of the steps that re-run (those without a measured duration left out). */
  seconds: number;
  /** Steps that re-run without a measured duration. */
  untimed: number;
  /** The first line that re-runs, if any. */
  firstLine: number | undefined;
}

export interface History {
  /** The last build of this Dockerfile and target, for reasons. */
  last: BuildRecord;
  /** Keys and partial keys of every recorded build of the Dockerfile (any target): BuildKit's cache holds them all. */
  keys: Set<string>;
  partials: Set<string>;
}

interface Result {
  state: 'run' | 'cached' | 'maybe';
  key: string | undefined;
  reason: string;
  /** The line whose change made this chain re-run. */
  cause: number;
}

/** Predicts the next build from its description and the recorded builds. */
export function predictBuild(desc: BuildDescription, settings: BuildSettings, context: ContextSnapshot, images: ImageIds, history: History, seconds: (s: StepInputs) => number | null = () => null): Prediction {
  const results: Result[] = [];
  const endResult = (stage: string): Result => {
    const end = desc.stageEnds[stage];
    return end === undefined || end < 0 ? { state: 'cached', key: `empty:${stage}`, reason: '', cause: 0 } : results[end]!;
  };
  const filter = new Set((settings.noCacheFilter ?? []).map((s) => s.toLowerCase()));
  for (const s of desc.steps) {
    const parent: Result = s.parent >= 0 ? results[s.parent]! : { state: 'cached', key: 'root', reason: '', cause: 0 };
    results.push(decide(s, parent));
  }
  const steps = desc.steps.map((s, i): StepPrediction => {
    const r = results[i]!;
    return { line: s.line, stage: s.stage, instruction: s.instruction, willRun: r.state === 'run' ? true : r.state === 'cached' ? false : null, reason: r.reason, seconds: seconds(s) };
  });
  let total = 0;
  let untimed = 0;
  for (const p of steps) {
    if (p.willRun !== true) continue;
    if (p.seconds === null) untimed++;
    else total += p.seconds;
  }
  return { steps, seconds: Math.round(total * 10) / 10, untimed, firstLine: steps.find((p) => p.willRun)?.line };

  function decide(s: StepInputs, parent: Result): Result {
    if (settings.noCache) return { state: 'run', key: undefined, reason: '--no-cache', cause: s.line };
    if (filter.has(s.stage.toLowerCase())) return { state: 'run', key: undefined, reason: `stage \`${s.stage}\` is in --no-cache-filter`, cause: s.line };
    if (parent.state === 'run') return { state: 'run', key: undefined, reason: s.parentStage ? `stage \`${s.parentStage}\` re-runs` : `line ${parent.cause} re-runs`, cause: parent.cause };
    const ref = reference(s, parent.key);
    if (parent.state === 'maybe') {
      if (!ref || ref.local !== s.local) return { state: 'run', key: undefined, reason: why(s, ref), cause: s.line };
      return { ...parent, reason: s.parentStage ? `may re-run: stage \`${s.parentStage}\` may re-run` : parent.reason };
    }
    const partial = sha(parent.key!, s.local);
    if (!history.partials.has(partial)) return { state: 'run', key: undefined, reason: why(s, ref), cause: s.line };
    const unknown = s.images.find((r) => images(r) === undefined);
    if (unknown !== undefined) return { state: 'maybe', key: undefined, reason: `may re-run: the image ${unknown} was not checked`, cause: s.line };
    if (s.remote) return { state: 'maybe', key: undefined, reason: `may re-run: ADD checks ${s.remote} again at every build`, cause: s.line };
    const sources = s.sources.map((src) => ({ src, r: endResult(src) }));
    const moving = sources.find((x) => x.r.state !== 'cached');
    if (moving) return { state: 'maybe', key: undefined, reason: `may re-run: stage \`${moving.src}\` ${moving.r.state === 'run' ? 're-runs' : 'may re-run'}`, cause: s.line };
    const key = sha(partial, ...s.images.map((r) => images(r)!), ...sources.map((x) => x.r.key!));
    if (history.keys.has(key)) return { state: 'cached', key, reason: 'cached', cause: 0 };
    const changedImage = s.images.find((r) => ref && ref.images[r] !== undefined && ref.images[r] !== images(r));
    const reason = changedImage !== undefined ? (s.keyword === 'FROM' ? 'base image updated' : `image ${changedImage} updated`) : sources.length ? `stage \`${sources[0]!.src}\` built differently` : why(s, ref);
    return { state: 'run', key: undefined, reason, cause: s.line };
  }

  /** The recorded step this one is compared with: the same parent and stage, else the same instruction in the stage. */
  function reference(s: StepInputs, parentKey: string | undefined): RecordedStep | undefined {
    const rec = history.last.steps;
    return (
      (parentKey !== undefined ? rec.find((r) => r.parentKey === parentKey && r.stage === s.stage) : undefined) ??
      rec.find((r) => r.stage === s.stage && r.instruction === s.instruction) ??
      (s.parent < 0 ? rec.find((r) => r.stage === s.stage && r.parentKey === 'root') : undefined)
    );
  }

  /** The first input of `s` that differs from the recorded step `r`. */
  function why(s: StepInputs, r: RecordedStep | undefined): string {
    if (!r) return `line ${s.line} ${history.last.steps.some((x) => x.stage === s.stage) ? 'added' : 'edited'}`;
    if (r.instruction !== s.instruction) {
      // The recorded instruction is still there below: this one was inserted above it.
      const later = desc.steps.some((x) => x.stage === s.stage && x.line > s.line && x.instruction === r.instruction);
      return `line ${s.line} ${later ? 'added' : 'edited'}`;
    }
    const argChanged = changedArgs();
    if (r.definition !== s.definition) {
      const named = argChanged.find((a) => s.instruction.includes(a));
      return named ? `build arg ${named} changed` : `line ${s.line} edited`;
    }
    for (let i = 0; i < Math.max(r.pieces.length, s.pieces.length); i++) {
      const a = s.pieces[i];
      const b = r.pieces[i];
      if (a && b && a.value === b.value) continue;
      if (!a) return `line ${b!.line} removed`;
      if (b && a.text === b.text) {
        const named = a.arg ?? argChanged.find((n) => a.text.includes(n));
        return named ? `build arg ${named} changed` : `line ${a.line} edited`;
      }
      return `line ${a.line} ${!b || s.pieces.some((p) => p.text === b.text) ? 'added' : 'edited'}`;
    }
    if (r.patterns.join('\n') === s.patterns.join('\n')) {
      const changes = fileChanges(s.patterns);
      if (changes.length) return changes.length > 1 ? `${changes[0]} (and ${changes.length - 1} more)` : changes[0]!;
    }
    return `line ${s.line} edited`;
  }

  function changedArgs(): string[] {
    const a = settings.buildArgs;
    const b = history.last.buildArgs;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
  }

  function fileChanges(patterns: string[]): string[] {
    const now = new Set<string>();
    const then = new Set<string>();
    for (const p of patterns) {
      for (const f of selectPaths(context.keys(), p)) now.add(f);
      for (const f of selectPaths(Object.keys(history.last.files), p)) then.add(f);
    }
    const out: string[] = [];
    for (const f of [...new Set([...now, ...then])].sort()) {
      const a = now.has(f) ? entryFingerprint(context.get(f)!) : undefined;
      const b = then.has(f) ? history.last.files[f] : undefined;
      if (a === b) continue;
      if (a === undefined) out.push(`${f} removed`);
      else if (b === undefined) out.push(`${f} added`);
      else if (a.slice(a.indexOf(':')) === b.slice(b.indexOf(':'))) out.push(`${f} mode changed`);
      else out.push(`${f} changed`);
    }
    return out;
  }
}
