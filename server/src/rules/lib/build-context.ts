import * as path from 'node:path';
import type { Range } from 'vscode-languageserver-types';
import type { BuildContext } from '../../model/build-context';
import type { Inst, Model, Stage } from '../../model/model';
import type { ShellCommand } from '../../model/shell';

/** One source of a COPY/ADD that `docker build` reads from the build context. */
export interface ContextSource {
  inst: Inst;
  /** As written. */
  raw: string;
  /** Context-relative, normalized, without leading `./` or `/`; '' is the whole context. */
  path: string;
  /** The source word in the Dockerfile. */
  range: Range;
  wildcard: boolean;
}

const URL_SOURCE = /^[a-z][a-z0-9+.-]*:\/\/|^git@/i;

/** Whitespace-separated words of an instruction's arguments, with offsets into `argsText`. */
export function argWords(inst: Inst): { text: string; start: number; end: number }[] {
  const t = inst.argsText.text;
  if (inst.json) {
    const out: { text: string; start: number; end: number }[] = [];
    let from = 0;
    for (const value of inst.json) {
      const raw = JSON.stringify(value);
      const start = t.indexOf(raw, from);
      if (start < 0) return [];
      out.push({ text: value, start, end: start + raw.length });
      from = start + raw.length;
    }
    return out;
  }
  const out: { text: string; start: number; end: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(t); m; m = re.exec(t)) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.endsWith(s[0]) ? s.slice(1, -1) : s;
}

/** Context-relative form of a COPY source: '' for the whole context, undefined when it leaves the context. */
export function normalizeSource(source: string): string | undefined {
  const n = path.posix.normalize('/' + source.replace(/\\/g, '/'));
  if (n.split('/').includes('..')) return undefined;
  return n.replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * COPY/ADD sources that come from the build context: not `--from`, not heredocs, not URLs, and
 * only where every variable has a known value. ONBUILD triggers run against the context of a
 * later build, which is not the one on disk here, so they are left out.
 */
export function contextSources(model: Model): ContextSource[] {
  const out: ContextSource[] = [];
  for (const inst of model.instructions) {
    if (inst.keyword !== 'COPY' && inst.keyword !== 'ADD') continue;
    if (inst.flags.some((f) => f.name === 'from')) continue;
    const words = argWords(inst);
    if (words.length < 2) continue;
    for (const w of words.slice(0, -1)) {
      if (w.text.startsWith('<<')) continue;
      const value = inst.json ? w.text : unquote(w.text);
      if (URL_SOURCE.test(value)) continue;
      const expanded = inst.scope.expand(value, model.escape);
      if (!expanded.certain) continue;
      const rel = normalizeSource(expanded.text);
      if (rel === undefined) continue;
      const [s, e] = inst.argsText.docSpan(w.start, w.end);
      out.push({ inst, raw: value, path: rel, range: model.range(s, e), wildcard: /[*?[]/.test(rel) });
    }
  }
  return out;
}

const SCRIPT_SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'source', '.']);

/** The absolute path of the script a command runs: `/scripts/cleanup.sh`, `bash /tmp/setup.sh`. */
export function scriptPathRun(cmd: ShellCommand): string | undefined {
  const word = SCRIPT_SHELLS.has(cmd.name) ? cmd.args.find((a) => !a.text.startsWith('-')) : cmd.nameWord;
  return word && !word.dynamic && word.text.startsWith('/') ? path.posix.normalize(word.text) : undefined;
}

/**
 * The build-context file found at `containerPath` when `inst` runs: put there by the last COPY/ADD
 * from the context in its stage or a stage it builds on (`COPY scripts/dist/ /scripts/` then
 * `RUN /scripts/cleanup.sh`). Undefined when no COPY says so for certain (a relative or unknown
 * destination, a later COPY --from that may have replaced it).
 */
export function contextFileAt(model: Model, bc: BuildContext, inst: Inst, containerPath: string): string | undefined {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = inst.stage; s && !chain.includes(s); s = s.base?.stage) chain.push(s);
  const before = (i: Inst): boolean => chain.includes(i.stage) && (i.stage !== inst.stage || i.index < inst.index);
  const copies = model.instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.inOnbuild && before(i)).reverse();
  const sources = contextSources(model);
  for (const copy of copies) {
    const words = argWords(copy);
    const last = words[words.length - 1];
    if (!last || words.length < 2) continue;
    const dest = copy.scope.expand(copy.json ? last.text : unquote(last.text), model.escape);
    if (!dest.certain || !dest.text.startsWith('/')) {
      if (copy.flags.some((f) => f.name === 'from')) continue;
      return undefined;
    }
    const intoDir = dest.text.endsWith('/') || words.length > 2;
    const destPath = path.posix.normalize(dest.text).replace(/\/+$/, '') || '/';
    const covers = (p: string): boolean => p === destPath || p.startsWith(destPath === '/' ? '/' : destPath + '/');
    if (!covers(containerPath)) continue;
    // Something copied over the path from another stage or image: its text is not in the context.
    if (copy.flags.some((f) => f.name === 'from')) return undefined;
    for (const s of sources.filter((c) => c.inst === copy)) {
      for (const m of sourceMatches(bc, s.path)) {
        if (isDir(bc, m)) {
          const rel = containerPath.slice(destPath === '/' ? 1 : destPath.length + 1);
          const file = join(m, rel);
          if (rel && bc.exists(file) && !bc.isIgnored(file)) return file;
        } else if ((intoDir ? path.posix.join(destPath, path.posix.basename(m)) : destPath) === containerPath) return m;
      }
    }
  }
  return undefined;
}

/** `.` / `./` / `/` / `*`: the whole context lands in the layer. */
export function isWholeContext(source: ContextSource): boolean {
  return source.path === '' || source.path === '*';
}

export function isDir(bc: BuildContext, rel: string): boolean {
  return bc.list(rel).length > 0;
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

function hasExceptions(bc: BuildContext): boolean {
  return bc.ignoreFile?.patterns.some((p) => p.startsWith('!')) ?? false;
}

/** A class such as `[z-a]` is a bad pattern to Go (BuildKit fails the COPY): it matches nothing here, and never throws. */
export function patternRegExp(body: string): RegExp {
  try {
    return new RegExp(`^${body}$`);
  } catch {
    return /(?!)/;
  }
}

/** Go's filepath.Match for one path segment (what COPY wildcards use). */
function segmentMatcher(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]!);
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, close).replace(/^\^/, '!');
        re += '[' + (body.startsWith('!') ? '^' + body.slice(1) : body).replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += escapeRegExp(c);
  }
  return patternRegExp(re);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The context paths a source names (wildcards expanded), minus what .dockerignore leaves out. */
export function sourceMatches(bc: BuildContext, source: string): string[] {
  if (source === '') return [''];
  let current = [''];
  for (const segment of source.split('/')) {
    const next: string[] = [];
    const wild = /[*?[]/.test(segment);
    const matcher = wild ? segmentMatcher(segment) : undefined;
    for (const dir of current) {
      if (!matcher) next.push(join(dir, segment));
      else for (const name of bc.list(dir)) if (matcher.test(name)) next.push(join(dir, name));
    }
    current = next;
    if (!current.length) return [];
  }
  return current.filter((p) => !bc.isIgnored(p) && (bc.exists(p) || isDir(bc, p)));
}

/** Folders that are caches, dependencies or VCS data rather than sources. */
export function heavyFolderKind(bc: BuildContext, dir: string, name: string): string | undefined {
  switch (name) {
    case '.git':
      return 'Git history';
    case 'node_modules':
    case 'bower_components':
      return 'installed dependencies';
    case '__pycache__':
    case '.pytest_cache':
    case '.mypy_cache':
    case '.ruff_cache':
    case '.tox':
    case '.nox':
    case '.gradle':
    case '.terraform':
      return 'tool cache';
    case '.venv':
      return 'virtualenv';
    case 'venv':
    case 'env':
    case '.env':
      return bc.exists(join(join(dir, name), 'pyvenv.cfg')) ? 'virtualenv' : undefined;
    case 'target':
      return bc.exists(join(dir, 'Cargo.toml')) || bc.exists(join(dir, 'pom.xml')) ? 'build output' : undefined;
    default:
      return undefined;
  }
}

export interface WalkResult {
  /** Files that reach the layer (inside heavy folders excluded: they are reported as folders). */
  files: string[];
  /** Heavy folders that are copied with something in them. */
  heavy: { path: string; kind: string }[];
  truncated: boolean;
}

const MAX_ENTRIES = 20000;
/** The walk runs on every lint of an open document; a huge context is cut short rather than stall the editor. */
const TIME_BUDGET_MS = 200;
const walks = new WeakMap<BuildContext, Map<string, WalkResult>>();

/**
 * What COPY of a context folder puts in the layer, walked with .dockerignore applied the way
 * BuildKit does: an ignored folder is skipped unless an exception (`!pattern`) may re-include
 * something inside it. Results are shared by the rules of one lint run.
 */
export function walkCopied(bc: BuildContext, dir: string): WalkResult {
  let byDir = walks.get(bc);
  if (!byDir) walks.set(bc, (byDir = new Map()));
  const hit = byDir.get(dir);
  if (hit) return hit;
  const result: WalkResult = { files: [], heavy: [], truncated: false };
  const exceptions = hasExceptions(bc);
  let seen = 0;
  const deadline = Date.now() + TIME_BUDGET_MS;
  const visit = (rel: string, depth: number): void => {
    for (const name of bc.list(rel)) {
      if (result.truncated) return;
      if (++seen > MAX_ENTRIES || (seen % 64 === 0 && Date.now() > deadline)) {
        result.truncated = true;
        return;
      }
      const child = join(rel, name);
      const ignored = bc.isIgnored(child);
      const folder = isDir(bc, child);
      if (!folder) {
        if (!ignored) result.files.push(child);
        continue;
      }
      if (ignored && !exceptions) continue;
      const kind = heavyFolderKind(bc, rel, name);
      if (kind) {
        if (!ignored && bc.list(child).some((n) => !bc.isIgnored(join(child, n)))) result.heavy.push({ path: child, kind });
        continue;
      }
      if (depth < 32) visit(child, depth + 1);
    }
  };
  visit(dir, 0);
  byDir.set(dir, result);
  return result;
}

/**
 * Stages whose layers end up in the final image, or that may be built as a target: every stage
 * except the ones only used as a source of `COPY --from` / `RUN --mount=from=` (builders).
 */
export function shipsLayers(model: Model, stage: Stage): boolean {
  const last = model.stages[model.stages.length - 1];
  for (let s: Stage | undefined = last; s; s = s.base?.stage) if (s === stage) return true;
  const refs = new Set([String(stage.index), ...(stage.name ? [stage.name.toLowerCase()] : [])]);
  const used = model.instructions.some((i) => {
    const t = i.trigger ?? i;
    if (t.stage === stage) return false;
    const fromFlag = t.flags.find((f) => f.name === 'from')?.value;
    if (fromFlag && refs.has(fromFlag.toLowerCase())) return true;
    return t.run?.mounts.some((m) => m.options.from !== undefined && refs.has(m.options.from.toLowerCase())) ?? false;
  });
  return !used;
}

/** At most `n` names, then "and k more". */
export function nameList(names: string[], n = 3): string {
  const shown = names.slice(0, n).map((x) => `\`${x}\``);
  return names.length > n ? `${shown.join(', ')} and ${names.length - n} more` : shown.join(', ');
}
