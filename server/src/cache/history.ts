import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memoryBuildContext, type BuildContext } from '../model/build-context';
import { alignInstructions, coversPath, instructionKeys, type LayerInputs } from './inputs';

/**
 * How often each step re-runs, from the git history of the repository that holds the Dockerfile:
 * over the last N commits of the first-parent chain, the share of commits in which an input of
 * the step, or of a step above it, changed. One `git log` process, streamed, lists every commit's
 * changed paths; the Dockerfile's versions come from one `git cat-file --batch`, so a commit that
 * edits the Dockerfile counts only for the instructions it changed (and those below them).
 *
 * `.dockerignore` (the one in effect at HEAD) decides which changed paths a COPY takes in every
 * commit; a commit that edits it counts for the COPY steps whose files (those tracked at HEAD)
 * it adds or removes.
 */

export class GitError extends Error {}

export interface CommitChange {
  hash: string;
  /** Repository-relative paths the commit changed against its first parent (renames as delete + add). */
  paths: string[];
}

export interface HistoryScan {
  repoRoot: string;
  head: string;
  /** Repository-relative, forward slashes. */
  dockerfile: string;
  /** The build context (the Dockerfile's folder), repository-relative; '' for the root. */
  context: string;
  ignoreFile: string;
  /** Newest first. */
  commits: CommitChange[];
  /** For commits that changed the Dockerfile: its text before and after ('' where it did not exist). */
  dockerfileVersions: Map<string, { before: string; after: string }>;
  ignoreVersions: Map<string, { before: string | undefined; after: string | undefined }>;
  headDockerfile: string | undefined;
  /** Context-relative paths of every file tracked at HEAD under the context. */
  headFiles: string[];
  /** Context-relative paths changed in the scanned commits. */
  historyFiles: string[];
}

interface GitRun {
  stdout: Buffer;
}

function git(cwd: string, args: string[], opts: { input?: string; onData?: (chunk: Buffer) => void } = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const errs: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => (opts.onData ? opts.onData(c) : chunks.push(c)));
    child.stderr.on('data', (c: Buffer) => errs.push(c));
    child.on('error', (e) => reject(new GitError(`git could not run: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout: Buffer.concat(chunks) });
      else reject(new GitError(Buffer.concat(errs).toString('utf8').trim() || `git ${args[0]} exited with ${code}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** The repository holding `file`, and its HEAD commit. */
export async function repositoryOf(file: string): Promise<{ root: string; head: string }> {
  const dir = path.dirname(file);
  let out: string;
  try {
    out = (await git(dir, ['rev-parse', '--show-toplevel', 'HEAD'])).stdout.toString('utf8');
  } catch (e) {
    throw new GitError(`${path.basename(file)} is not in a git repository with commits (${(e as Error).message.split('\n')[0]})`);
  }
  const [root, head] = out.trim().split('\n');
  if (!root || !head || !/^[0-9a-f]{40,64}$/.test(head)) throw new GitError(`no commit found for ${file}`);
  return { root, head };
}

/** Splits a NUL-separated stream into tokens across chunk boundaries. */
function nulTokens(onToken: (token: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let from = 0;
      for (let i = buf.indexOf(0, from); i >= 0; i = buf.indexOf(0, from)) {
        onToken(buf.toString('utf8', from, i));
        from = i + 1;
      }
      rest = buf.subarray(from);
    },
    end() {
      if (rest.length) onToken(rest.toString('utf8'));
      rest = Buffer.alloc(0);
    },
  };
}

/**
 * The first-parent history of HEAD, newest first, each commit with the paths it changed. Merge
 * commits are compared with their first parent, the root commit with the empty tree.
 */
export async function commitChanges(repoRoot: string, commits: number): Promise<CommitChange[]> {
  const out: CommitChange[] = [];
  let current: CommitChange | undefined;
  const tokens = nulTokens((raw) => {
    const t = raw.startsWith('\n') ? raw.slice(1) : raw;
    if (t.startsWith('\u0001')) {
      current = { hash: t.slice(1).split(' ')[0]!, paths: [] };
      out.push(current);
    } else if (t && current) current.paths.push(t);
  });
  await git(
    repoRoot,
    ['-c', 'core.quotepath=off', 'log', '-z', '--first-parent', '--diff-merges=first-parent', '--no-renames', '--name-only', '--format=%x01%H', `-n${commits}`, 'HEAD', '--'],
    { onData: (c) => tokens.push(c) },
  );
  tokens.end();
  return out;
}

/** Blob texts for `rev:path` specs in one `git cat-file --batch`; undefined where missing. */
export async function blobTexts(repoRoot: string, specs: string[]): Promise<(string | undefined)[]> {
  if (!specs.length) return [];
  const { stdout } = await git(repoRoot, ['cat-file', '--batch'], { input: specs.map((s) => s + '\n').join('') });
  const out: (string | undefined)[] = [];
  let at = 0;
  while (at < stdout.length && out.length < specs.length) {
    const nl = stdout.indexOf(10, at);
    if (nl < 0) break;
    const header = stdout.toString('utf8', at, nl);
    at = nl + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) {
      out.push(undefined); // "<spec> missing" or "ambiguous"
      continue;
    }
    const size = Number(m[2]);
    out.push(m[1] === 'blob' ? stdout.toString('utf8', at, at + size) : undefined);
    at += size + 1;
  }
  while (out.length < specs.length) out.push(undefined);
  return out;
}

const SCANS = new Map<string, Promise<HistoryScan>>();
const MAX_SCANS = 8;

/**
 * The history of one Dockerfile, cached per (repository, HEAD, Dockerfile, N): a new commit or a
 * checkout changes HEAD and so the key. `ignoreFile` is the absolute path of the .dockerignore in
 * effect (or where it would be).
 */
export function scanHistory(dockerfilePath: string, ignoreFile: string, commits: number): Promise<HistoryScan> {
  return repositoryOf(dockerfilePath).then(({ root, head }) => {
    const real = (p: string): string => {
      try {
        return fs.realpathSync(p);
      } catch {
        return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
      }
    };
    const rootReal = real(root);
    const rel = (p: string): string => path.relative(rootReal, real(p)).split(path.sep).join('/');
    const dockerfile = rel(dockerfilePath);
    const context = rel(path.dirname(dockerfilePath));
    const ignore = rel(ignoreFile);
    const key = [rootReal, head, dockerfile, ignore, commits].join('\0');
    let scan = SCANS.get(key);
    if (!scan) {
      scan = doScan(rootReal, head, dockerfile, context === '.' ? '' : context, ignore, commits);
      SCANS.set(key, scan);
      scan.catch(() => SCANS.delete(key));
      if (SCANS.size > MAX_SCANS) SCANS.delete(SCANS.keys().next().value as string);
    }
    return scan;
  });
}

async function doScan(repoRoot: string, head: string, dockerfile: string, context: string, ignoreFile: string, n: number): Promise<HistoryScan> {
  const prefix = context ? context + '/' : '';
  const [commits, tree] = await Promise.all([
    commitChanges(repoRoot, n),
    git(repoRoot, ['-c', 'core.quotepath=off', 'ls-tree', '-r', '-z', '--name-only', head, '--', ...(context ? [context] : [])]),
  ]);
  const headFiles = tree.stdout
    .toString('utf8')
    .split('\0')
    .filter((p) => p && p.startsWith(prefix))
    .map((p) => p.slice(prefix.length));
  const specs: string[] = [`${head}:${dockerfile}`];
  const dockerfileCommits = new Set<string>();
  const ignoreCommits = new Set<string>();
  const historyFiles = new Set<string>();
  for (const c of commits) {
    for (const p of c.paths) if (p.startsWith(prefix)) historyFiles.add(p.slice(prefix.length));
    if (c.paths.includes(dockerfile)) {
      dockerfileCommits.add(c.hash);
      specs.push(`${c.hash}:${dockerfile}`, `${c.hash}^1:${dockerfile}`);
    }
    if (c.paths.includes(ignoreFile)) {
      ignoreCommits.add(c.hash);
      specs.push(`${c.hash}:${ignoreFile}`, `${c.hash}^1:${ignoreFile}`);
    }
  }
  const texts = await blobTexts(repoRoot, specs);
  let at = 1;
  const dockerfileVersions = new Map<string, { before: string; after: string }>();
  const ignoreVersions = new Map<string, { before: string | undefined; after: string | undefined }>();
  for (const c of commits) {
    if (dockerfileCommits.has(c.hash)) {
      dockerfileVersions.set(c.hash, { after: texts[at] ?? '', before: texts[at + 1] ?? '' });
      at += 2;
    }
    if (ignoreCommits.has(c.hash)) {
      ignoreVersions.set(c.hash, { after: texts[at], before: texts[at + 1] });
      at += 2;
    }
  }
  return {
    repoRoot,
    head,
    dockerfile,
    context,
    ignoreFile,
    commits,
    dockerfileVersions,
    ignoreVersions,
    headDockerfile: texts[0],
    headFiles,
    historyFiles: [...historyFiles],
  };
}

/** A context over every path known at HEAD or in the scanned history, for expanding COPY wildcards. */
export function historyContext(scan: HistoryScan, ignoreText: string | undefined): BuildContext {
  const files: Record<string, string> = {};
  for (const f of scan.headFiles) files[f] = '';
  for (const f of scan.historyFiles) files[f] = '';
  return memoryBuildContext(files, ignoreText);
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * How many of the scanned commits re-run each step of `layers` (the instructions of `text`, the
 * Dockerfile as it is now, possibly with unsaved or uncommitted edits). Yields to the event loop
 * every few milliseconds.
 */
export async function rerunCounts(scan: HistoryScan, text: string, layers: LayerInputs[], bc: BuildContext): Promise<number[]> {
  const counts = new Array<number>(layers.length).fill(0);
  const keyCache = new Map<string, string[]>();
  const keysOf = (t: string): string[] => {
    let k = keyCache.get(t);
    if (!k) keyCache.set(t, (k = t ? instructionKeys(t) : []));
    return k;
  };
  // Where each current instruction sits in the version being looked at (undefined: not there).
  let pos: (number | undefined)[] = scan.headDockerfile === undefined ? layers.map(() => undefined) : alignInstructions(keysOf(text), keysOf(scan.headDockerfile)).toParent;
  const prefix = scan.context ? scan.context + '/' : '';
  const copying = layers.filter((l) => l.context === 'unknown' || l.context.length);
  const byPath = new Map<string, number[]>();
  const direct = (rel: string): number[] => {
    let v = byPath.get(rel);
    if (!v) byPath.set(rel, (v = copying.length && !bc.isIgnored(rel) ? copying.filter((l) => coversPath(l, rel)).map((l) => l.index) : []));
    return v;
  };
  const ignoreEffect = new Map<string, number[]>();
  const byIgnoreChange = (before: string | undefined, after: string | undefined): number[] => {
    const key = `${before ?? '\0'}\u0001${after ?? '\0'}`;
    let v = ignoreEffect.get(key);
    if (!v) {
      const a = memoryBuildContext({}, before);
      const b = memoryBuildContext({}, after);
      const flipped = scan.headFiles.filter((f) => a.isIgnored(f) !== b.isIgnored(f));
      v = copying.filter((l) => flipped.some((f) => coversPath(l, f))).map((l) => l.index);
      ignoreEffect.set(key, v);
    }
    return v;
  };
  let slice = Date.now();
  for (const c of scan.commits) {
    if (Date.now() - slice > 8) {
      await yieldNow();
      slice = Date.now();
    }
    const dirty = new Set<number>();
    for (const p of c.paths) if (p.startsWith(prefix)) for (const i of direct(p.slice(prefix.length))) dirty.add(i);
    const df = scan.dockerfileVersions.get(c.hash);
    if (df) {
      const { toParent, changed } = alignInstructions(keysOf(df.after), keysOf(df.before));
      const edited = new Set(changed);
      pos = pos.map((p, i) => {
        if (p === undefined) return undefined;
        if (edited.has(p)) dirty.add(i);
        return toParent[p];
      });
    }
    const ig = scan.ignoreVersions.get(c.hash);
    if (ig) for (const i of byIgnoreChange(ig.before, ig.after)) dirty.add(i);
    if (!dirty.size) continue;
    for (const l of layers) if (l.upstream.some((j) => dirty.has(j))) counts[l.index]++;
  }
  return counts;
}
