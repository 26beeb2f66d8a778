import * as fs from 'node:fs';
import * as path from 'node:path';

/** The names VS Code gives the `dockerfile` language in this extension's manifest. */
export function isDockerfileName(name: string): boolean {
  return /^(?:Dockerfile|Containerfile)(?:\..+)?$/i.test(name) || /\.(?:dockerfile|containerfile)$/i.test(name);
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

/**
 * `dockerfile.go`, `Dockerfile.j2`, `Dockerfile.template`: source code about Dockerfiles, or
 * templates that become one; `Dockerfile.dockerignore`: BuildKit's ignore file for that
 * Dockerfile. A directory walk that lints them reports every line as an error.
 */
const NOT_A_DOCKERFILE = /\.(?:go|rs|py|rb|js|mjs|cjs|ts|java|kt|cs|c|h|cpp|php|sh|bash|ps1|json|ya?ml|toml|xml|md|rst|txt|html?|j2|jinja2?|tmpl|tpl|template|erb|mustache|hbs|in|bak|orig|rej|swp|lock|patch|diff|snap|dockerignore|containerignore)$/i;

/** Dockerfiles below `dir`, sorted, skipping VCS and dependency folders and files of other kinds named after Dockerfiles. */
export function findDockerfiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(p);
      } else if (entry.isFile() && isDockerfileName(entry.name) && !NOT_A_DOCKERFILE.test(entry.name)) {
        found.push(p);
      }
    }
  };
  walk(dir);
  return found.sort();
}
