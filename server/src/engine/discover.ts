import * as fs from 'node:fs';
import * as path from 'node:path';

/** The names VS Code gives the `dockerfile` language in this extension's manifest. */
export function isDockerfileName(name: string): boolean {
  return /^(?:Dockerfile|Containerfile)(?:\..+)?$/i.test(name) || /\.(?:dockerfile|containerfile)$/i.test(name);
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

/** Dockerfiles below `dir`, sorted, skipping VCS and dependency folders. */
export function findDockerfiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(p);
      } else if (entry.isFile() && isDockerfileName(entry.name)) {
        found.push(p);
      }
    }
  };
  walk(dir);
  return found.sort();
}
