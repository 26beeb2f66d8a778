import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsBuildContext } from '../model/build-context';

/**
 * The build context as BuildKit sees it through the editor's session (buildkit-session.ts
 * `listLocal` for the `context` source): every entry `.dockerignore` lets through (the ignore
 * files always), with what BuildKit's content checksum covers: type, permission bits (setuid, setgid and
 * sticky too), size, symlink target and the bytes. Not the modification time (tarsum v1 leaves it
 * out, so a `touch` re-runs nothing) and not the owner (the session sends none).
 */

export interface ContextEntry {
  /** `f` file, `d` directory, `l` symlink. */
  type: 'f' | 'd' | 'l';
  /** Permission bits with setuid/setgid/sticky (`st.mode & 0o7777`). */
  mode: number;
  size: number;
  link: string;
  /** sha256 of a file's bytes; empty for directories and symlinks. */
  sha: string;
}

/** Context-relative path (forward slashes) → entry, in the session's walk order. */
export type ContextSnapshot = Map<string, ContextEntry>;

/** What BuildKit's checksum compares, as one string. */
export function entryFingerprint(e: ContextEntry): string {
  return `${e.type}${e.mode.toString(8)}:${e.size}:${e.link}:${e.sha}`;
}

export function snapshotFromFiles(files: Record<string, string | { text: string; mode?: number }>): ContextSnapshot {
  const out: ContextSnapshot = new Map();
  for (const rel of Object.keys(files).sort()) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!out.has(dir)) out.set(dir, { type: 'd', mode: 0o755, size: 0, link: '', sha: '' });
    }
    const f = files[rel]!;
    const text = typeof f === 'string' ? f : f.text;
    const mode = typeof f === 'string' ? 0o644 : (f.mode ?? 0o644);
    out.set(rel, { type: 'f', mode, size: Buffer.byteLength(text), link: '', sha: createHash('sha256').update(text).digest('hex') });
  }
  return out;
}

interface HashMemo {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  sha: string;
}

/**
 * Reads contexts from disk, hashing only the files whose size, inode, mtime or ctime changed
 * since this reader last saw them (so a prediction after a save hashes one file, not the tree).
 */
export class ContextReader {
  private readonly memo = new Map<string, HashMemo>();
  /** Files hashed by the last `read`, for benchmarks and tests. */
  lastHashed = 0;

  async read(root: string, dockerfile: string): Promise<ContextSnapshot> {
    const ctx = fsBuildContext(root, path.join(root, dockerfile));
    const negations = (ctx.ignoreFile?.patterns ?? []).some((p) => p.startsWith('!'));
    const always = new Set(['.dockerignore', `${dockerfile}.dockerignore`]);
    const out: ContextSnapshot = new Map();
    let hashed = 0;
    let since = 0;
    const walk = async (relDir: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(root, relDir), { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const rel = relDir ? `${relDir}/${e.name}` : e.name;
        const full = path.join(root, rel);
        // Synchronous stats in slices with a turn of the event loop between them: a promise per
        // file made a walk of 10,000 files several times slower.
        if (++since >= 256) {
          since = 0;
          await new Promise((r) => setImmediate(r));
        }
        let st: fs.Stats;
        try {
          st = fs.lstatSync(full);
        } catch {
          continue;
        }
        const ignored = ctx.isIgnored(rel) && !always.has(rel);
        const mode = st.mode & 0o7777;
        if (st.isDirectory()) {
          if (ignored && !negations) continue;
          const at = out.size;
          if (!ignored) out.set(rel, { type: 'd', mode, size: 0, link: '', sha: '' });
          await walk(rel);
          // The session sends an ignored folder when something inside it is let back in.
          if (ignored && out.size > at) out.set(rel, { type: 'd', mode, size: 0, link: '', sha: '' });
        } else if (ignored) {
          continue;
        } else if (st.isSymbolicLink()) {
          out.set(rel, { type: 'l', mode, size: st.size, link: await fs.promises.readlink(full).catch(() => ''), sha: '' });
        } else if (st.isFile()) {
          const memo = this.memo.get(full);
          let sha: string;
          if (memo && memo.mtimeMs === st.mtimeMs && memo.ctimeMs === st.ctimeMs && memo.size === st.size && memo.ino === st.ino) sha = memo.sha;
          else {
            sha = await hashFile(full, st.size);
            hashed++;
            this.memo.set(full, { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino, sha });
          }
          out.set(rel, { type: 'f', mode, size: st.size, link: '', sha });
        }
      }
    };
    await walk('');
    this.lastHashed = hashed;
    return out;
  }
}

async function hashFile(file: string, size: number): Promise<string> {
  if (size <= 1 << 20) return createHash('sha256').update(await fs.promises.readFile(file)).digest('hex');
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
