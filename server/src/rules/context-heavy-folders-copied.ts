import { contextSources, isDir, nameList, sourceMatches, walkCopied } from './lib/build-context';
import { ignoreFix, ignorePattern } from './lib/fix-helpers';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'context-heavy-folders-copied',
    severity: 'info',
    category: 'layers',
    description: 'A COPY or ADD of a folder copies .git, node_modules, caches or virtualenvs from the build context.',
    docs: {
      why:
        'Folders such as `.git`, `node_modules`, `__pycache__`, `.venv` or a Cargo/Maven `target/` are history, caches or ' +
        'dependencies built for your machine, not sources. When `COPY . .` takes them, the layer carries them (often more than the ' +
        'application itself), host-built native modules can shadow the ones the image installs, and since `.git` changes on every ' +
        'commit or fetch, the COPY layer and every layer after it are rebuilt even when no source changed. ' +
        'List them in .dockerignore; if a build step really needs one (say `.git` for a version string), ignore this finding for that line. ' +
        'This rule needs the build context on disk, so it says nothing for unsaved files.\n\n' +
        'The quick fix adds exactly the folders found to the ignore file in effect (`<Dockerfile>.dockerignore` beside the Dockerfile, else ' +
        '`.dockerignore`, which it creates if there is none), at its end and with its line endings; a folder the Dockerfile copies by name, ' +
        'and `.git` when a RUN uses git, are left out. It is not applied by fix-all: a build step may need an excluded folder.',
      bad: '# context: app/, requirements.txt, .git/, .venv/; .dockerignore lists only *.log\nFROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt',
      good: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY app/ ./app/',
      context: { files: { 'app/main.py': '', 'requirements.txt': 'flask\n', '.git/HEAD': 'ref: refs/heads/main', '.venv/pyvenv.cfg': 'home = /usr/bin', '.venv/lib/x.py': '' }, dockerignore: '*.log\n' },
    },
    fix: 'unsafe',
    aliases: {},
  },
  (ctx) => {
    const bc = ctx.buildContext;
    if (!bc) return;
    for (const source of contextSources(ctx.model)) {
      const heavy = new Map<string, string>();
      for (const match of sourceMatches(bc, source.path)) {
        if (match !== '' && !isDir(bc, match)) continue;
        for (const h of walkCopied(bc, match).heavy) heavy.set(h.path, h.kind);
      }
      if (!heavy.size) continue;
      const paths = [...heavy.keys()].sort();
      const kinds = [...new Set(paths.map((p) => heavy.get(p)!))].join(', ');
      const fix = ignoreFix(ctx, paths.map(ignorePattern));
      ctx.report({
        ...(fix ? { fixes: [fix] } : {}),
        range: source.range,
        message:
          `\`${source.inst.keyword} ${source.raw}\` copies ${nameList(paths)} (${kinds}) into the layer: it grows the image, ` +
          'and a change there invalidates this layer and every one after it. Exclude them in .dockerignore.',
      });
    }
  },
);
