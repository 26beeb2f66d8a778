import type { BuildContext } from '../model/build-context';
import { contextSources, isWholeContext, nameList, walkCopied } from './lib/build-context';
import { ignoreFix, ignorePattern, isSecretFile } from './lib/fix-helpers';
import { defineRule } from './rule';

/** Patterns for what an ecosystem's tools leave in a project folder, by the manifests at the context root. */
function starterPatterns(bc: BuildContext): string[] {
  const has = (...names: string[]): boolean => names.some((n) => bc.exists(n));
  const out = ['.git'];
  if (has('package.json')) out.push('node_modules', 'npm-debug.log*', 'yarn-error.log*');
  if (has('pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile') || bc.list('').some((n) => /^requirements[\w.-]*\.txt$/.test(n))) {
    out.push('**/__pycache__', '**/*.py[cod]', '.venv', '.pytest_cache', '.mypy_cache');
  }
  if (has('Cargo.toml', 'pom.xml')) out.push('target');
  if (has('build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts')) out.push('.gradle');
  return out;
}

export default defineRule(
  {
    id: 'dockerignore-missing',
    severity: 'warning',
    category: 'layers',
    description: 'A COPY or ADD of the whole build context needs a .dockerignore.',
    docs: {
      why:
        '`docker build` sends the build context to the builder, and `COPY . .` puts all of it in one layer. Without a `.dockerignore` ' +
        'that is everything in the folder: `.git`, `node_modules`, virtualenvs, logs, local `.env` files, the Dockerfile itself. ' +
        'The layer grows by all of it, and because the cache key of a COPY is the checksum of what it copies, any change to any of ' +
        'those files (a commit, a `git fetch`, an edited log) invalidates this layer and every layer after it, so dependency installs ' +
        'run again. A `.dockerignore` listing what the image does not need keeps the context small and the cache stable. ' +
        'This rule needs the build context on disk, so it says nothing for unsaved files.\n\n' +
        'The quick fix creates `.dockerignore` at the root of the build context with `.git`, what the ecosystem\'s tools leave in the folder ' +
        '(by the manifests found: `node_modules` and npm logs; `__pycache__`, `*.pyc`, `.venv` and test caches; Cargo\'s or Maven\'s `target`; ' +
        '`.gradle`), and exactly the heavy folders and credential files found in the context (`web/node_modules`, `.env`, `deploy/id_rsa`). ' +
        'A pattern that would exclude something the Dockerfile copies by name is left out, and so is `.git` when a RUN uses git. ' +
        'It is not applied by fix-all: a build step or the running application may need an excluded file.',
      bad: '# context: package.json, package-lock.json, src/, .git/, node_modules/; no .dockerignore\nFROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci',
      good: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/',
      context: { files: { 'package.json': '{}', 'package-lock.json': '{}', 'src/index.js': '', '.git/HEAD': 'ref: refs/heads/main', 'node_modules/x/index.js': '' } },
    },
    fix: 'unsafe',
    aliases: {},
  },
  (ctx) => {
    const bc = ctx.buildContext;
    if (!bc || bc.ignoreFile) return;
    // One finding is enough: the fix (a .dockerignore) is the same for every whole-context COPY.
    const first = contextSources(ctx.model).find(isWholeContext);
    if (!first) return;
    const walk = walkCopied(bc, '');
    const heavy = walk.heavy.map((h) => h.path);
    const including = heavy.length ? ` (here including ${nameList(heavy)})` : '';
    const secrets = walk.files.filter((f) => isSecretFile(bc, f));
    const fix = ignoreFix(ctx, [...starterPatterns(bc), ...heavy.map(ignorePattern), ...secrets.sort().map(ignorePattern)], ['# Kept out of the build context (created by Layerwise)']);
    ctx.report({
      ...(fix ? { fixes: [fix] } : {}),
      range: first.range,
      message:
        `There is no .dockerignore, so \`${first.inst.keyword} ${first.raw}\` copies everything in the build context into this layer${including}, ` +
        'and a change to any file in the folder invalidates this layer and every one after it. Add a .dockerignore.',
    });
  },
);
