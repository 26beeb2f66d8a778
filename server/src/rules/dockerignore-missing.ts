import { contextSources, isWholeContext, nameList, walkCopied } from './lib/build-context';
import { defineRule } from './rule';

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
        'This rule needs the build context on disk, so it says nothing for unsaved files.',
      bad: '# context: package.json, package-lock.json, src/, .git/, node_modules/; no .dockerignore\nFROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci',
      good: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/',
      context: { files: { 'package.json': '{}', 'package-lock.json': '{}', 'src/index.js': '', '.git/HEAD': 'ref: refs/heads/main', 'node_modules/x/index.js': '' } },
    },
    aliases: {},
  },
  (ctx) => {
    const bc = ctx.buildContext;
    if (!bc || bc.ignoreFile) return;
    // One finding is enough: the fix (a .dockerignore) is the same for every whole-context COPY.
    const first = contextSources(ctx.model).find(isWholeContext);
    if (!first) return;
    const heavy = walkCopied(bc, '').heavy.map((h) => h.path);
    const including = heavy.length ? ` (here including ${nameList(heavy)})` : '';
    ctx.report({
      range: first.range,
      message:
        `There is no .dockerignore, so \`${first.inst.keyword} ${first.raw}\` copies everything in the build context into this layer${including}, ` +
        'and a change to any file in the folder invalidates this layer and every one after it. Add a .dockerignore.',
    });
  },
);
