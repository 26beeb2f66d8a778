import type { Instruction } from 'dockerfile-ast';
import type { BuildContext } from '../model/build-context';
import { Parser } from 'dockerfile-ast/lib/parser';
import { blankHeredocFds, blankOpaqueHeredocs } from '../engine/opaque-heredocs';
import { declarations, type Inst, type Model, type Stage } from '../model/model';
import { argWords, contextSources, normalizeSource, sourceMatches } from '../rules/lib/build-context';
import { fromTarget, isRemoteSource, stripQuotes } from '../rules/lib/instruction-words';

/**
 * What each cache step of a Dockerfile depends on: its own text, the build-context files it
 * takes (COPY/ADD sources and RUN bind mounts, with .dockerignore applied by the same code the
 * build-context rules use), and the steps above it: earlier steps of its stage, the stages it
 * builds on or copies from, and the global ARGs it reads. Every instruction counts as a step, as
 * with the classic builder: a changed ENV or LABEL line re-runs everything below it.
 */

export interface LayerInputs {
  /** Position in `model.instructions`. */
  index: number;
  /** 1-based line of the keyword. */
  line: number;
  keyword: string;
  /** The instruction as written, continuations joined, whitespace collapsed. */
  text: string;
  /** The same with ARG/ENV values expanded, when every value is known. */
  expanded: string | undefined;
  /**
   * Context-relative paths this step takes (a path takes itself and everything below it):
   * `''` is the whole context; `'unknown'` when a source cannot be resolved statically (any
   * context change is then counted, never guessed away).
   */
  context: string[] | 'unknown';
  /** Variables the instruction's text refers to. */
  args: string[];
  /** Steps whose change re-runs this one: itself, the steps above it in its chain, the stages it copies from. */
  upstream: number[];
}

const CONTINUATION_CACHE = new Map<string, RegExp>();

/** An instruction's text as a cache key: keyword upper-cased, continuations joined, comment lines dropped, whitespace collapsed. */
export function instructionKey(source: string, ast: Instruction, lineStarts: number[], escape: string): string {
  const r = ast.getRange();
  const start = lineStarts[r.start.line]! + r.start.character;
  const end = lineStarts[r.end.line]! + r.end.character;
  let re = CONTINUATION_CACHE.get(escape);
  if (!re) CONTINUATION_CACHE.set(escape, (re = new RegExp(`${escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}[ \\t]*\\r?\\n(?:[ \\t]*(?:#[^\\n]*)?\\r?\\n)*`, 'g')));
  const body = source.slice(start, end).replace(re, ' ').replace(/\s+/g, ' ').trim();
  const keyword = ast.getKeyword();
  return body.toUpperCase().startsWith(keyword.toUpperCase()) ? keyword.toUpperCase() + body.slice(keyword.length) : body;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * The instruction keys of a Dockerfile text (one per instruction, in order); for versions from
 * history. Parsed outside the shared memo (engine/parse.ts), which holds the editor's versions.
 */
export function instructionKeys(text: string): string[] {
  const df = new Parser().parse(blankOpaqueHeredocs(blankHeredocFds(text)));
  const starts = lineStartsOf(text);
  return df.getInstructions().map((i) => instructionKey(text, i, starts, df.getEscapeCharacter()));
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function referencedNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  return [...names];
}

/** Context paths a COPY/ADD or RUN bind mount takes; undefined when it takes none. */
function contextPaths(model: Model, inst: Inst, sources: Map<Inst, string[]>): string[] | 'unknown' | undefined {
  if (inst.keyword === 'COPY' || inst.keyword === 'ADD') {
    if (inst.flags.some((f) => f.name === 'from')) return undefined;
    const known = sources.get(inst) ?? [];
    const words = argWords(inst).slice(0, -1);
    const fromContext = words.filter((w) => !w.text.startsWith('<<') && !isRemoteSource(inst.json ? w.text : stripQuotes(w.text)));
    // contextSources leaves out what it cannot resolve: such a source may take anything.
    if (known.length < fromContext.length) return 'unknown';
    return known.length ? known : undefined;
  }
  if (inst.keyword === 'RUN' && inst.run) {
    const out: string[] = [];
    for (const m of inst.run.mounts) {
      if (m.type !== 'bind' || m.options.from !== undefined) continue;
      const raw = m.options.source ?? m.options.src ?? '';
      const expanded = inst.scope.expand(raw, model.escape);
      if (!expanded.certain) return 'unknown';
      const rel = normalizeSource(expanded.text);
      if (rel === undefined) continue;
      out.push(rel);
    }
    return out.length ? out : undefined;
  }
  return undefined;
}

/** Stages an instruction reads from: `COPY --from=stage`, `RUN --mount=from=stage`. */
function sourceStages(model: Model, inst: Inst): Stage[] {
  const refs: string[] = [];
  const from = inst.flags.find((f) => f.name === 'from')?.value;
  if ((inst.keyword === 'COPY' || inst.keyword === 'ADD') && from) refs.push(from);
  for (const m of inst.run?.mounts ?? []) if (m.options.from !== undefined) refs.push(m.options.from);
  const out: Stage[] = [];
  for (const ref of refs) {
    const t = fromTarget(model, inst, ref);
    if ((t.kind === 'stage' || t.kind === 'index') && t.stage && t.stage !== inst.stage) out.push(t.stage);
  }
  return out;
}

/**
 * The inputs of every instruction of the model. `bc` answers .dockerignore questions and lists
 * context paths (wildcard sources are expanded against it, the way the build-context rules do).
 */
export function layerInputs(model: Model, bc: BuildContext): LayerInputs[] {
  const starts = lineStartsOf(model.text);
  const sources = new Map<Inst, string[]>();
  for (const s of contextSources(model)) {
    const list = sources.get(s.inst) ?? [];
    if (!s.wildcard) list.push(s.path);
    else list.push(...sourceMatches(bc, s.path));
    sources.set(s.inst, list);
  }
  const globalArgNames = new Map<string, Inst>();
  for (const g of model.globalArgs) for (const [name] of declarations(g)) globalArgNames.set(name, g);

  const upstream = new Map<Inst, Set<number>>();
  const stageEnd = new Map<Stage, Set<number>>();
  const visiting = new Set<Stage>();
  const endOf = (stage: Stage): Set<number> => {
    const hit = stageEnd.get(stage);
    if (hit) return hit;
    if (visiting.has(stage)) return new Set();
    visiting.add(stage);
    let acc = new Set<number>();
    for (const inst of stage.instructions) {
      acc = new Set(acc);
      acc.add(inst.index);
      if (inst === stage.from && stage.base?.stage) for (const j of endOf(stage.base.stage)) acc.add(j);
      // A global ARG reaches a stage through FROM and through `ARG NAME` declared again without a value.
      const names =
        inst === stage.from ? referencedNames(stage.base?.raw ?? '') : inst.keyword === 'ARG' ? declarations(inst).flatMap(([n, v]) => (v === undefined ? [n] : [])) : [];
      for (const n of names) {
        const g = globalArgNames.get(n);
        if (g) acc.add(g.index);
      }
      for (const s of sourceStages(model, inst)) for (const j of endOf(s)) acc.add(j);
      upstream.set(inst, acc);
    }
    visiting.delete(stage);
    stageEnd.set(stage, acc);
    return acc;
  };
  for (const s of model.stages) endOf(s);

  return model.instructions.map((inst) => {
    const text = instructionKey(model.text, inst.ast, starts, model.escape);
    const keyword = inst.keyword;
    const args = collapse(inst.argsText.text);
    const expandedArgs = inst.scope.expand(inst.argsText.text, model.escape);
    const expanded = expandedArgs.certain && keyword !== 'ARG' && keyword !== 'ENV' && text.endsWith(args) ? text.slice(0, text.length - args.length) + collapse(expandedArgs.text) : undefined;
    return {
      index: inst.index,
      line: inst.range.start.line + 1,
      keyword,
      text,
      expanded: expanded && expanded !== text ? expanded : undefined,
      context: contextPaths(model, inst, sources) ?? [],
      args: keyword === 'ARG' || keyword === 'ENV' ? [] : referencedNames(inst.argsText.text),
      upstream: [...(upstream.get(inst) ?? new Set([inst.index]))].sort((a, b) => a - b),
    };
  });
}

/** Whether a step's sources cover a context-relative path, .dockerignore aside. */
export function coversPath(layer: LayerInputs, rel: string): boolean {
  if (layer.context === 'unknown') return true;
  return layer.context.some((p) => p === '' || rel === p || rel.startsWith(p + '/'));
}

/** Whether a context-relative path is taken by a step (ignored paths never are). */
export function takesPath(layer: LayerInputs, rel: string, bc: BuildContext): boolean {
  return coversPath(layer, rel) && !bc.isIgnored(rel);
}

/**
 * How the instructions of `child` map onto those of `parent` (two versions of one Dockerfile):
 * a longest common subsequence of equal texts, then, between two matches, instructions paired in
 * order as edits. `changed` lists child positions whose step differs: edited or inserted lines,
 * and the line after a deletion (its parent step is gone, so its cache key changed).
 */
export function alignInstructions(child: string[], parent: string[]): { toParent: (number | undefined)[]; changed: number[] } {
  const n = child.length;
  const m = parent.length;
  let lo = 0;
  while (lo < n && lo < m && child[lo] === parent[lo]) lo++;
  let hiC = n;
  let hiP = m;
  while (hiC > lo && hiP > lo && child[hiC - 1] === parent[hiP - 1]) {
    hiC--;
    hiP--;
  }
  const pairs: [number, number][] = [];
  const a = hiC - lo;
  const b = hiP - lo;
  if (a && b) {
    const dp = new Uint16Array((a + 1) * (b + 1));
    for (let i = a - 1; i >= 0; i--)
      for (let j = b - 1; j >= 0; j--)
        dp[i * (b + 1) + j] = child[lo + i] === parent[lo + j] ? dp[(i + 1) * (b + 1) + j + 1]! + 1 : Math.max(dp[(i + 1) * (b + 1) + j]!, dp[i * (b + 1) + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < a && j < b) {
      if (child[lo + i] === parent[lo + j]) pairs.push([lo + i++, lo + j++]);
      else if (dp[(i + 1) * (b + 1) + j]! >= dp[i * (b + 1) + j + 1]!) i++;
      else j++;
    }
  }
  const toParent: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  for (let i = 0; i < lo; i++) toParent[i] = i;
  for (let k = 0; hiC + k < n; k++) toParent[hiC + k] = hiP + k;
  const changed = new Set<number>();
  const anchors: [number, number][] = [[lo - 1, lo - 1], ...pairs, [hiC, hiP]];
  for (const [c, p] of pairs) toParent[c] = p;
  for (let k = 0; k + 1 < anchors.length; k++) {
    const [c0, p0] = anchors[k]!;
    const [c1, p1] = anchors[k + 1]!;
    const gapC = c1 - c0 - 1;
    const gapP = p1 - p0 - 1;
    for (let g = 0; g < gapC; g++) {
      changed.add(c0 + 1 + g);
      if (g < gapP) toParent[c0 + 1 + g] = p0 + 1 + g;
    }
    if (gapP > gapC && c1 < n) changed.add(c1);
  }
  return { toParent, changed: [...changed].sort((x, y) => x - y) };
}
