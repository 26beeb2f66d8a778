import * as path from 'node:path';
import type { Range } from 'vscode-languageserver-types';
import { declarations, type Inst, type Model, type Stage } from '../model/model';
import type { HistoryEntry } from './client';
import { humanSize, share } from './units';

/**
 * Which local image was built from this Dockerfile, and what each instruction added to it.
 * Pure: a document model and image histories (`GET /images/{id}/history`) in, lens data out.
 *
 * An image's history lists one entry per instruction that changed the image config or the
 * filesystem, newest first. BuildKit writes `RUN /bin/sh -c … # buildkit`, `COPY a b # buildkit`,
 * `ENV A=1`, `WORKDIR /x`, `EXPOSE map[80/tcp:{}]`, `CMD ["sh" "-c" "x"]` (no ONBUILD entry);
 * the classic builder writes `/bin/sh -c #(nop)  ENV A=1`, `/bin/sh -c #(nop) COPY file:<hash> in /x `
 * and, for RUN, the command itself (`|1 A=b /bin/sh -c cmd` when build args are in scope). The
 * base image's entries come first. Entries are aligned with the stage's instructions; an entry
 * whose keyword matches but whose text does not is a line edited after the build (stale).
 */

export const KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER',
  'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

export type HistoryBuilder = 'buildkit' | 'classic' | 'unknown';

export interface ParsedEntry {
  entry: HistoryEntry;
  /** Position in the history, oldest first. */
  index: number;
  /** The Dockerfile keyword this entry records, when it is recognizable. */
  keyword: string | undefined;
  /** What follows the keyword (for RUN: the command, with any `|N k=v` build-arg prefix). */
  args: string;
  builder: HistoryBuilder;
}

/** Parses a history as the API returns it (newest first) into entries, oldest first. */
export function parseHistory(history: readonly HistoryEntry[]): ParsedEntry[] {
  return [...history].reverse().map((entry, index) => ({ ...parseCreatedBy(entry), entry, index }));
}

export function parseCreatedBy(entry: Pick<HistoryEntry, 'CreatedBy' | 'Comment'>): { keyword: string | undefined; args: string; builder: HistoryBuilder } {
  const text = (entry.CreatedBy ?? '').trim();
  if (!text) return { keyword: undefined, args: '', builder: 'unknown' };
  const nop = /^(.*?)\s#\(nop\)\s+([A-Z]+)\b\s?([\s\S]*)$/.exec(text);
  if (nop && KEYWORDS.has(nop[2]!)) return { keyword: nop[2]!, args: nop[3]!.trim(), builder: 'classic' };
  const bk = /^([A-Z]+)(?:\s+([\s\S]*))?$/.exec(text);
  if (bk && KEYWORDS.has(bk[1]!)) {
    const args = (bk[2] ?? '').replace(/\s+# buildkit$/, '').trim();
    const buildkit = (entry.Comment ?? '').startsWith('buildkit') || / # buildkit$/.test(text);
    return { keyword: bk[1]!, args, builder: buildkit ? 'buildkit' : 'unknown' };
  }
  // The classic builder records a RUN as the command it ran: `/bin/sh -c cmd`, `|1 A=b sh -c cmd`.
  return { keyword: 'RUN', args: text, builder: 'classic' };
}

// ---------------------------------------------------------------------------------------------
// What the Dockerfile expects

export interface Binding {
  image: string | undefined;
  target: string | undefined;
  /** The comment line that set it, if a comment did. */
  line: number | undefined;
}

/** `# layerwise image=repo:tag target=stage` anywhere in the file; settings fill what it leaves out. */
export function bindingOf(model: Model, settings: { image: string; target: string } = { image: '', target: '' }): Binding {
  let image = settings.image || undefined;
  let target = settings.target || undefined;
  let line: number | undefined;
  for (const c of model.comments) {
    const m = /^layerwise\s+((?:image|target)\s*=.*)$/i.exec(c.text);
    if (!m) continue;
    for (const pair of m[1]!.matchAll(/(image|target)\s*=\s*("[^"]*"|'[^']*'|\S+)/gi)) {
      const value = pair[2]!.replace(/^["']|["']$/g, '');
      if (!value) continue;
      if (pair[1]!.toLowerCase() === 'image') image = value;
      else target = value;
      line = c.line;
    }
  }
  return { image, target, line };
}

/** The stage a `--target` names (by name, case-insensitive, or index), if any. */
export function stageByTarget(model: Model, target: string): Stage | undefined {
  const lower = target.toLowerCase();
  return model.stages.find((s) => s.from && s.name?.toLowerCase() === lower) ?? (/^\d+$/.test(target) ? model.stages.find((s) => s.from && s.index === Number(target)) : undefined);
}

/** The stages an image of `stage` is made of, the root (the one FROM an image) first. */
export function stageChain(stage: Stage): Stage[] {
  const chain: Stage[] = [];
  const seen = new Set<Stage>();
  for (let s: Stage | undefined = stage; s && !seen.has(s); s = s.base?.stage) {
    seen.add(s);
    chain.unshift(s);
  }
  return chain;
}

export interface ExpectedStep {
  inst: Inst;
  keyword: string;
  /** BuildKit writes no history entry for it (ONBUILD). */
  optional: boolean;
  /**
   * The keys (see `entryKeys`) of every way a history entry may record this instruction as
   * written now: exact ⟺ the entry's key is one of them. Heredoc instructions, whose recorded
   * form varies between frontends, have none and use `test`.
   */
  keys: ReadonlySet<string> | undefined;
  test(entry: ParsedEntry): boolean;
}

const stepCache = new WeakMap<Inst, Map<string, ExpectedStep>>();

/** The steps of a stage chain; each instruction's step is made once (stages share their parents'). */
export function expectedSteps(chain: readonly Stage[], escape = '\\'): ExpectedStep[] {
  const steps: ExpectedStep[] = [];
  // Both builders record WORKDIR resolved: `WORKDIR app` after `WORKDIR /srv` is `WORKDIR /srv/app`.
  // (A relative first WORKDIR is taken from /: the base image's own is not known here.)
  let workdir = '/';
  for (const stage of chain) {
    for (const inst of stage.instructions) {
      if (inst.keyword === 'FROM' || !KEYWORDS.has(inst.keyword)) continue;
      const previousWorkdir = workdir;
      if (inst.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, inst.scope.expand(inst.argsText.text.trim(), escape).text);
      let byEscape = stepCache.get(inst);
      if (!byEscape) stepCache.set(inst, (byEscape = new Map()));
      let step = byEscape.get(escape);
      if (!step) {
        const keys = inst.heredocs.length ? undefined : stepKeys(inst, escape, previousWorkdir);
        step = {
          inst,
          keyword: inst.keyword,
          optional: inst.keyword === 'ONBUILD',
          keys,
          test: keys ? (e) => entryKeys(e).some((k) => keys.has(k)) : heredocTest(inst, escape),
        };
        byEscape.set(escape, step);
      }
      steps.push(step);
    }
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Comparing one instruction with one history entry

export type StepMatch = 'exact' | 'changed' | 'none';

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
const unquote = (s: string): string => s.replace(/\\(.)/g, '$1').replace(/["']/g, '');

/** Go's `%q` of a []string, as BuildKit and the classic builder print CMD and friends: `["a" "b c"]`. */
function goQuotedList(text: string): string[] | undefined {
  const m = /\[((?:\s*"(?:[^"\\]|\\.)*")*)\s*\]/.exec(text);
  if (!m) return undefined;
  const out: string[] = [];
  for (const q of m[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    try {
      out.push(JSON.parse(`"${q[1]!}"`) as string);
    } catch {
      out.push(q[1]!);
    }
  }
  return out;
}

function ports(text: string): string {
  const out = [...text.matchAll(/(\d+(?:-\d+)?)(?:\/([A-Za-z]+))?/g)].map((m) => `${m[1]}/${(m[2] ?? 'tcp').toLowerCase()}`);
  return [...new Set(out)].sort().join(' ');
}

/**
 * `|2 A=1 B=2 /bin/sh -c cmd`: a RUN records the build args in scope first. Their values may
 * hold spaces, so every command that could follow the N pairs is a candidate.
 */
function runCandidates(run: string): string[] {
  const m = /^\|(\d+) /.exec(run);
  if (!m) return [run];
  const words = run.slice(m[0].length).split(' ');
  const out: string[] = [];
  for (let j = Number(m[1]); j < words.length; j++) out.push(words.slice(j).join(' '));
  return out;
}

const entryKeyCache = new WeakMap<ParsedEntry, readonly string[]>();

/**
 * The canonical forms of what an entry records, computed once per entry: the same for every way
 * the builders print one instruction (BuildKit or classic, build args in scope or not, quotes).
 * One key, except for a RUN with build args (see runCandidates).
 */
export function entryKeys(e: ParsedEntry): readonly string[] {
  let keys = entryKeyCache.get(e);
  if (keys) return keys;
  const kw = e.keyword ?? '';
  const args = norm(e.args);
  switch (kw) {
    case 'RUN':
      keys = runCandidates(args).map((c) => `RUN ${c}`);
      break;
    case 'COPY':
    case 'ADD':
      keys = [
        e.builder === 'classic'
          ? `${kw} in ${/\sin\s+(.*)$/.exec(` ${args}`)?.[1]?.trim() ?? ''}` // `file:<hash> in /dest `: only the destination is comparable
          : `${kw} ${args
              .split(' ')
              .filter((w) => !/^--[a-z-]+(=|$)/.test(w))
              .join(' ')}`,
      ];
      break;
    case 'ENV':
    case 'LABEL':
      keys = [`${kw} ${norm(unquote(args))}`];
      break;
    case 'EXPOSE':
      keys = [`EXPOSE ${ports(args)}`];
      break;
    case 'VOLUME':
      keys = [`VOLUME ${args.replace(/^\[|\]$/g, '').split(' ').filter(Boolean).sort().join(' ')}`];
      break;
    case 'CMD':
    case 'ENTRYPOINT':
    case 'HEALTHCHECK': {
      const list = goQuotedList(args);
      keys = [list ? `${kw} ${JSON.stringify(list)}` : `${kw} ${args}`];
      break;
    }
    default:
      keys = [`${kw} ${args}`];
  }
  entryKeyCache.set(e, keys);
  return keys;
}

/** Every key an entry may have when it records `inst` as written now. */
function stepKeys(inst: Inst, escape: string, workdir: string): Set<string> {
  const kw = inst.keyword;
  const expand = (t: string): string => inst.scope.expand(t, escape).text;
  const text = inst.argsText.text;
  const words = inst.json ?? text.trim().split(/\s+/).filter(Boolean);
  const keys = new Set<string>();
  const add = (s: string): void => void keys.add(`${kw} ${s}`);
  const variants = (t: string): void => {
    const raw = norm(t);
    const expanded = norm(expand(t));
    for (const v of [raw, expanded, norm(unquote(raw)), norm(unquote(expanded))]) add(v);
  };
  switch (kw) {
    case 'RUN':
      add(norm(inst.json ? inst.json.join(' ') : [...inst.shell, text.trim()].join(' ')));
      break;
    case 'COPY':
    case 'ADD': {
      add(norm(words.map(expand).join(' ')));
      add(norm(words.join(' ')));
      const last = words.at(-1);
      if (last !== undefined) {
        add(`in ${last}`);
        add(`in ${expand(last)}`);
      }
      break;
    }
    case 'ENV':
    case 'LABEL': {
      const decl = declarations(inst);
      add(norm(unquote(decl.map(([k, v]) => `${k}=${v === undefined ? '' : expand(v)}`).join(' '))));
      add(norm(unquote(decl.map(([k, v]) => `${k}=${v ?? ''}`).join(' '))));
      break;
    }
    case 'EXPOSE':
      add(ports(expand(text)));
      break;
    case 'VOLUME':
      add((inst.json ?? expand(text).trim().split(/\s+/)).map((v) => v.trim()).sort().join(' '));
      break;
    case 'CMD':
    case 'ENTRYPOINT': {
      const want = inst.json ?? [...inst.shell, text.trim()];
      add(JSON.stringify(want));
      add(norm(`[${want.join(' ')}]`));
      break;
    }
    case 'HEALTHCHECK': {
      const t = text.trim();
      if (/^NONE$/i.test(t)) add(JSON.stringify(['NONE']));
      else {
        const m = /^CMD\s+([\s\S]*)$/i.exec(t);
        if (m) {
          const rest = m[1]!.trim();
          let json: unknown;
          try {
            json = rest.startsWith('[') ? JSON.parse(rest) : undefined;
          } catch {
            json = undefined;
          }
          add(JSON.stringify(Array.isArray(json) ? ['CMD', ...(json as string[])] : ['CMD-SHELL', rest]));
        }
      }
      break;
    }
    case 'SHELL':
      add(norm(`[${(inst.json ?? []).join(' ')}]`));
      break;
    case 'WORKDIR':
      variants(text);
      add(path.posix.resolve(workdir, expand(text.trim())));
      break;
    case 'ARG':
      variants(text);
      // Podman's builder (buildah) records the names only: `ARG BLOCKS` for `ARG BLOCKS=64`.
      add(words.map((w) => w.split('=')[0]!).join(' '));
      break;
    default:
      variants(text);
  }
  return keys;
}

/** Heredoc RUN/COPY: newer frontends record the body too; the head (and COPY's destination) must agree. */
function heredocTest(inst: Inst, escape: string): (e: ParsedEntry) => boolean {
  const head = norm(inst.argsText.text);
  const dest = inst.scope.expand(inst.argsText.text.trim().split(/\s+/).at(-1) ?? '', escape).text;
  return (e) => (inst.keyword === 'RUN' ? norm(e.args).includes(head) : !!dest && norm(e.args).endsWith(dest));
}

/** Exact when the entry records this instruction as written now; changed when only the keyword agrees. */
export function compareStep(step: ExpectedStep, parsed: ParsedEntry): StepMatch {
  if (parsed.keyword !== step.keyword) return 'none';
  return step.test(parsed) ? 'exact' : 'changed';
}

/**
 * The most exact pairs an alignment of `steps` with these entries could have (each step that has
 * a key among the entries'): cheap, and enough to skip images that cannot be the one.
 */
export function exactBound(steps: readonly ExpectedStep[], keys: ReadonlySet<string>): number {
  let n = 0;
  for (const s of steps) {
    if (s.optional) continue;
    if (!s.keys) n++;
    else for (const k of s.keys) if (keys.has(k)) {
      n++;
      break;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Aligning a stage with a history

export type PairStatus = 'exact' | 'changed' | 'missing';

export interface AlignedStep {
  step: ExpectedStep;
  entry: ParsedEntry | undefined;
  status: PairStatus;
}

export interface Alignment {
  steps: AlignedStep[];
  /** The base image's entries (oldest first). */
  base: ParsedEntry[];
  /** Entries after the base that no instruction explains (lines removed since the build). */
  unexplained: ParsedEntry[];
  exact: number;
  changed: number;
  /** Non-optional instructions with no entry (lines added since the build). */
  missing: number;
  score: number;
}

const EXACT = 4;
const CHANGED = 1;
const SKIP_STEP = -2;
const UNEXPLAINED = -2;

/**
 * Aligns `steps` with the newest entries of `history` (oldest first). With `baseLength`, exactly
 * that many oldest entries are the base image's; without it the boundary is where the alignment
 * scores best (the base image is not known locally).
 */
export function align(steps: readonly ExpectedStep[], history: readonly ParsedEntry[], baseLength: number | undefined): Alignment {
  const offset = baseLength ?? 0;
  const h = history.slice(offset);
  const n = steps.length;
  const m = h.length;
  const W = m + 1;
  const score = new Float64Array((n + 1) * W);
  const choice = new Uint8Array((n + 1) * W); // 1 pair, 2 skip step, 3 skip entry
  const rel: StepMatch[] = new Array(n * Math.max(m, 1));
  const skipCost = (i: number): number => (steps[i]!.optional ? 0 : SKIP_STEP);
  for (let j = m; j >= 0; j--) score[n * W + j] = UNEXPLAINED * (m - j);
  for (let i = n - 1; i >= 0; i--) {
    score[i * W + m] = skipCost(i) + score[(i + 1) * W + m]!;
    choice[i * W + m] = 2;
    for (let j = m - 1; j >= 0; j--) {
      const r = compareStep(steps[i]!, h[j]!);
      rel[i * m + j] = r;
      let best = skipCost(i) + score[(i + 1) * W + j]!;
      let c = 2;
      const skipEntry = UNEXPLAINED + score[i * W + j + 1]!;
      if (skipEntry > best) {
        best = skipEntry;
        c = 3;
      }
      if (r !== 'none') {
        const pair = (r === 'exact' ? EXACT : CHANGED) + score[(i + 1) * W + j + 1]!;
        if (pair >= best) {
          best = pair;
          c = 1;
        }
      }
      score[i * W + j] = best;
      choice[i * W + j] = c;
    }
  }
  let start = 0;
  if (baseLength === undefined) {
    for (let j = 1; j <= m; j++) if (score[j]! >= score[start]!) start = j;
  }
  const out: Alignment = { steps: [], base: history.slice(0, offset + start), unexplained: [], exact: 0, changed: 0, missing: 0, score: score[start]! };
  let i = 0;
  let j = start;
  while (i < n || j < m) {
    const c = i < n ? choice[i * W + j]! : 3;
    if (c === 1) {
      const status = rel[i * m + j] === 'exact' ? 'exact' : 'changed';
      out.steps.push({ step: steps[i]!, entry: h[j]!, status });
      if (status === 'exact') out.exact++;
      else out.changed++;
      i++;
      j++;
    } else if (c === 2) {
      out.steps.push({ step: steps[i]!, entry: undefined, status: 'missing' });
      if (!steps[i]!.optional) out.missing++;
      i++;
    } else {
      out.unexplained.push(h[j]!);
      j++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Choosing the image

export interface CandidateImage {
  id: string;
  /** Seconds since the epoch, as `GET /images/json` reports it. */
  created: number;
  tags: readonly string[];
  history: readonly HistoryEntry[];
  /** `parseHistory(history)`, when the caller keeps it. */
  parsed?: ParsedEntry[];
}

export interface ImageMatch {
  image: CandidateImage;
  stage: Stage;
  chain: Stage[];
  alignment: Alignment;
  /** The reference of the root FROM, resolved; undefined when an ARG in it has no known value. */
  baseRef: string | undefined;
  /** The base image named by FROM exists locally but is not the one this image was built on. */
  baseChanged: boolean;
  /** Every instruction matches its entry, every entry is explained, and the base is the one FROM names. */
  current: boolean;
  totalSize: number;
  baseSize: number;
}

export interface MatchOptions {
  /** `--target`: only this stage; otherwise every stage is a candidate. */
  target?: string | undefined;
  /** The history of a local image by reference (for the base image of the root FROM). */
  historyOf?: (ref: string) => readonly HistoryEntry[] | undefined;
  /** The Dockerfile's escape character. */
  escape?: string;
  /** Steps per stage, prepared once for many images. */
  steps?: Map<Stage, ExpectedStep[]>;
}

/** The stages an image might have been built for: the target's, or all (the final one first). */
export function candidateStages(model: Model, target: string | undefined): Stage[] {
  if (target) {
    const s = stageByTarget(model, target);
    return s ? [s] : [];
  }
  return model.stages.filter((s) => s.from).reverse();
}

function sameEntry(a: HistoryEntry, b: HistoryEntry): boolean {
  return a.CreatedBy === b.CreatedBy && a.Size === b.Size && a.Created === b.Created;
}

/** How `image` lines up with `stage`. */
export function matchStage(stage: Stage, image: CandidateImage, options: MatchOptions = {}): ImageMatch {
  const chain = stageChain(stage);
  const root = chain[0]!;
  const steps = options.steps?.get(stage) ?? expectedSteps(chain, options.escape);
  const history = image.parsed ?? parseHistory(image.history);
  const baseRef = root.base?.scratch ? 'scratch' : root.base?.resolved;
  let baseLength: number | undefined;
  let baseChanged = false;
  if (root.base?.scratch) baseLength = 0;
  else if (baseRef) {
    const base = options.historyOf?.(baseRef);
    if (base) {
      const oldestFirst = [...base].reverse();
      if (oldestFirst.length <= history.length && oldestFirst.every((e, k) => sameEntry(e, history[k]!.entry))) baseLength = oldestFirst.length;
      else baseChanged = true;
    }
  }
  const alignment = align(steps, history, baseLength);
  const totalSize = image.history.reduce((sum, e) => sum + Math.max(0, e.Size), 0);
  const baseSize = alignment.base.reduce((sum, e) => sum + Math.max(0, e.entry.Size), 0);
  const current = alignment.changed === 0 && alignment.missing === 0 && alignment.unexplained.length === 0 && !baseChanged;
  return { image, stage, chain, alignment, baseRef, baseChanged, current, totalSize, baseSize };
}

const imageKeyCache = new WeakMap<readonly HistoryEntry[], Set<string>>();
/** Every entry key of an image, computed once per history. */
function imageKeys(image: CandidateImage): Set<string> {
  let keys = imageKeyCache.get(image.history);
  if (!keys) {
    keys = new Set<string>();
    image.parsed ??= parseHistory(image.history);
    for (const e of image.parsed) for (const k of entryKeys(e)) keys.add(k);
    imageKeyCache.set(image.history, keys);
  }
  return keys;
}

/** Good enough to say "this image was built from this Dockerfile (perhaps an older version of it)". */
export function acceptable(match: ImageMatch): boolean {
  const a = match.alignment;
  const required = a.steps.filter((s) => !s.step.optional).length;
  if (required === 0) return match.current && !!match.baseRef && match.baseRef !== 'scratch' && a.base.length > 0;
  return a.exact >= 1 && a.exact * 2 >= required && a.unexplained.length * 2 <= required;
}

/**
 * The image the lenses show. A bound image (setting or comment) is taken as it is; otherwise the
 * most recent image that matches a candidate stage exactly, or failing that the closest partial
 * match (a Dockerfile edited since its last build), the most recent among equals.
 */
export function selectImage(model: Model, images: readonly CandidateImage[], options: MatchOptions & { bound?: CandidateImage | undefined } = {}): ImageMatch | undefined {
  const stages = candidateStages(model, options.target);
  if (!stages.length) return undefined;
  options = { ...options, escape: options.escape ?? model.escape, steps: new Map(stages.map((s) => [s, expectedSteps(stageChain(s), options.escape ?? model.escape)])) };
  if (options.bound) {
    let best: ImageMatch | undefined;
    for (const s of stages) {
      const m = matchStage(s, options.bound, options);
      if (!best || m.alignment.score > best.alignment.score) best = m;
    }
    return best;
  }
  let exact: ImageMatch | undefined;
  let partial: ImageMatch | undefined;
  for (const image of images) {
    const keys = imageKeys(image);
    for (const s of stages) {
      // Most local images have nothing to do with this Dockerfile: skip them before aligning.
      const steps = options.steps!.get(s)!;
      const required = steps.filter((x) => !x.optional).length;
      const bound = exactBound(steps, keys);
      if (required > 0 && (bound === 0 || bound * 2 < required)) continue;
      const m = matchStage(s, image, options);
      if (!acceptable(m)) continue;
      if (m.current) {
        if (!exact || image.created > exact.image.created) exact = m;
      } else if (
        !partial ||
        m.alignment.score > partial.alignment.score ||
        (m.alignment.score === partial.alignment.score && image.created > partial.image.created)
      ) {
        partial = m;
      }
    }
  }
  return exact ?? partial;
}

// ---------------------------------------------------------------------------------------------
// Lens data

export type LensKind = 'layer' | 'stale' | 'missing' | 'base' | 'image';

export interface LayerLens {
  kind: LensKind;
  /** The instruction's line. */
  line: number;
  range: Range;
  title: string;
  tooltip: string;
  /** Bytes this line added (its history entry's Size), for layer and stale lenses; the base or image size otherwise. */
  size: number | undefined;
  /** The history entry behind the lens. */
  createdBy: string | undefined;
  layerId: string | undefined;
  created: number | undefined;
  /** Position of the history entry, oldest first (Analyze Image's layer index), for layer and stale lenses. */
  historyIndex?: number | undefined;
}

/** A short name for an image: its first tag, or its short id. */
export function imageName(image: Pick<CandidateImage, 'id' | 'tags'>): string {
  const tag = image.tags.find((t) => t && t !== '<none>:<none>');
  return tag ?? image.id.replace(/^sha256:/, '').slice(0, 12);
}

function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function layerLenses(match: ImageMatch): LayerLens[] {
  const out: LayerLens[] = [];
  const total = match.totalSize;
  const name = imageName(match.image);
  const root = match.chain[0]!;
  const target = match.stage;
  const a = match.alignment;
  const lineOf = (inst: Inst): number => inst.range.start.line;
  const at = (inst: Inst): Range => inst.keywordRange;

  if (target.from) {
    const stale = a.changed + a.missing;
    const notes = [
      stale ? `${stale} ${stale === 1 ? 'line' : 'lines'} changed since the build` : undefined,
      a.unexplained.length ? `${a.unexplained.length} ${a.unexplained.length === 1 ? 'layer' : 'layers'} from removed lines` : undefined,
    ].filter(Boolean);
    out.push({
      kind: 'image',
      line: lineOf(target.from),
      range: at(target.from),
      title: `${name} · ${humanSize(total)}${notes.length ? ` · ${notes.join(', ')}` : ''}`,
      tooltip: `Image ${match.image.id} (${name}), ${total.toLocaleString('en-US')} bytes, built ${new Date(match.image.created * 1000).toISOString()}${target.name ? `, stage ${target.name}` : ''}`,
      size: total,
      createdBy: undefined,
      layerId: match.image.id,
      created: match.image.created,
    });
  }
  if (root.from) {
    const ref = match.baseRef ?? root.base?.raw ?? 'base';
    out.push({
      kind: 'base',
      line: lineOf(root.from),
      range: at(root.from),
      title: `base ${humanSize(match.baseSize)} · ${share(match.baseSize, total)}${match.baseChanged ? ` · ${ref} has changed since the build` : ''}`,
      tooltip: `Base image ${ref}: ${a.base.length} ${a.base.length === 1 ? 'layer' : 'layers'}, ${match.baseSize.toLocaleString('en-US')} bytes`,
      size: match.baseSize,
      createdBy: undefined,
      layerId: undefined,
      created: undefined,
    });
  }
  for (const s of a.steps) {
    const inst = s.step.inst;
    if (s.status === 'missing') {
      if (s.step.optional) continue;
      out.push({
        kind: 'missing',
        line: lineOf(inst),
        range: at(inst),
        title: `not in ${name} · added after the build`,
        tooltip: `${name} has no layer for this line: build the image again to see its size.`,
        size: undefined,
        createdBy: undefined,
        layerId: undefined,
        created: undefined,
      });
      continue;
    }
    const e = s.entry!.entry;
    const size = Math.max(0, e.Size);
    const sizeText = size > 0 ? `${humanSize(size)} · ${share(size, total)}` : '0 B';
    out.push({
      kind: s.status === 'exact' ? 'layer' : 'stale',
      line: lineOf(inst),
      range: at(inst),
      title: s.status === 'exact' ? sizeText : `${size > 0 ? humanSize(size) : '0 B'} · built from an older version of this line`,
      tooltip: `${size.toLocaleString('en-US')} bytes · ${clip(e.CreatedBy)}`,
      size,
      createdBy: e.CreatedBy,
      layerId: e.Id && e.Id !== '<missing>' ? e.Id : undefined,
      created: e.Created,
      historyIndex: s.entry!.index,
    });
  }
  return out;
}
