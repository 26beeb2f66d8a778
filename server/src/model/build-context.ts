import ignore from '@balena/dockerignore';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The files `docker build` would send: the context folder minus what `.dockerignore` excludes,
 * matched with Docker's own semantics through @balena/dockerignore. BuildKit reads
 * `<Dockerfile name>.dockerignore` beside the Dockerfile first, then `.dockerignore` at the root.
 */
export interface BuildContext {
  root: string;
  /** The ignore file in effect, if any. */
  ignoreFile: { path: string; patterns: string[] } | undefined;
  /** Whether `docker build` leaves this context-relative path out. */
  isIgnored(relPath: string): boolean;
  exists(relPath: string): boolean;
  /** Names in a context-relative folder (empty when it does not exist). */
  list(relDir: string): string[];
  /** A context file's text, if it exists and is at most `maxBytes`. */
  read(relPath: string, maxBytes?: number): string | undefined;
}

export function readIgnorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

export function fsBuildContext(root: string, dockerfilePath?: string): BuildContext {
  const candidates = [
    ...(dockerfilePath ? [`${dockerfilePath}.dockerignore`] : []),
    path.join(root, '.dockerignore'),
    path.join(root, '.containerignore'),
  ];
  let ignoreFile: BuildContext['ignoreFile'];
  for (const c of candidates) {
    // Made on every open: a missing ignore file must not cost an exception.
    if (!fs.statSync(c, { throwIfNoEntry: false })?.isFile()) continue;
    try {
      ignoreFile = { path: c, patterns: readIgnorePatterns(fs.readFileSync(c, 'utf8')) };
      break;
    } catch {
      /* try the next one */
    }
  }
  const matcher = ignore().add(ignoreFile?.patterns ?? []);
  const resolve = (rel: string): string => path.join(root, rel);
  // Rules ask the same questions many times per lint: answer each once per context instance.
  const ignored = new Map<string, boolean>();
  const existing = new Map<string, boolean>();
  const listed = new Map<string, string[]>();
  const texts = new Map<string, string | undefined>();
  return {
    root,
    ignoreFile,
    isIgnored: (rel) => {
      let v = ignored.get(rel);
      if (v === undefined) {
        const clean = path.posix.normalize(rel.replace(/\\/g, '/')).replace(/^\/+/, '').replace(/\/+$/, '');
        v = clean !== '' && clean !== '.' && matcher.ignores(clean);
        ignored.set(rel, v);
      }
      return v;
    },
    exists: (rel) => {
      let v = existing.get(rel);
      if (v === undefined) existing.set(rel, (v = fs.existsSync(resolve(rel))));
      return v;
    },
    list: (rel) => {
      let v = listed.get(rel);
      if (v === undefined) {
        try {
          v = fs.readdirSync(resolve(rel));
        } catch {
          v = [];
        }
        listed.set(rel, v);
      }
      return v.slice();
    },
    read: (rel, maxBytes = 1 << 20) => {
      const key = `${maxBytes}:${rel}`;
      if (texts.has(key)) return texts.get(key);
      let v: string | undefined;
      try {
        const p = resolve(rel);
        v = fs.statSync(p).size > maxBytes ? undefined : fs.readFileSync(p, 'utf8');
      } catch {
        v = undefined;
      }
      texts.set(key, v);
      return v;
    },
  };
}

/** A build context held in memory, for tests and for documents that are not on disk. */
export function memoryBuildContext(files: Record<string, string>, ignoreText?: string): BuildContext {
  const patterns = ignoreText === undefined ? undefined : readIgnorePatterns(ignoreText);
  const matcher = ignore().add(patterns ?? []);
  const all = Object.keys(files);
  return {
    root: '/context',
    ignoreFile: patterns ? { path: '/context/.dockerignore', patterns } : undefined,
    isIgnored: (rel) => {
      const clean = path.posix.normalize(rel).replace(/^\/+/, '').replace(/\/+$/, '');
      return clean !== '' && clean !== '.' && matcher.ignores(clean);
    },
    exists: (rel) => {
      const clean = path.posix.normalize(rel).replace(/^\/+/, '').replace(/\/+$/, '');
      return all.some((f) => f === clean || f.startsWith(clean + '/'));
    },
    list: (rel) => {
      const clean = path.posix.normalize(rel).replace(/^\/+/, '').replace(/\/+$/, '');
      const prefix = clean === '.' || clean === '' ? '' : clean + '/';
      return [...new Set(all.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split('/')[0]!))];
    },
    read: (rel) => files[path.posix.normalize(rel).replace(/^\/+/, '')],
  };
}
