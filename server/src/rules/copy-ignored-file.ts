import * as path from 'node:path';
import { jsonWords, mappedRange, splitWords } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'copy-ignored-file',
    severity: 'error',
    category: 'syntax',
    description: 'COPY and ADD must not name a path that .dockerignore excludes from the build context.',
    docs: {
      why:
        '`docker build` sends the build context to the builder without the paths `.dockerignore` excludes. ' +
        'A COPY or ADD that names an excluded file or folder finds nothing there, and the build fails with ' +
        '"failed to compute cache key: ... not found". Either stop ignoring the path or stop copying it. ' +
        'Paths with variables whose values are unknown, wildcards, `--from` copies and ignore files with `!` exceptions that could bring the path back are left alone. ' +
        'The rule reads the build context on disk (the Dockerfile\'s folder), so it says nothing for unsaved files.',
      bad: 'FROM alpine\n# .dockerignore contains: *.env\nCOPY app.env /etc/app.env',
      good: 'FROM alpine\n# .dockerignore contains: *.env\nCOPY app.conf /etc/app.conf',
      context: { files: { 'app.env': 'A=1', 'app.conf': 'x' }, dockerignore: '*.env\n' },
    },
    aliases: { buildkit: 'CopyIgnoredFile' },
    differences: [
      {
        case: 'BK-CopyIgnoredFile-1-bad.Dockerfile',
        reason:
          'The pattern `*/tmp/*` excludes `tmp` folders one level down (`a/tmp/x`), not `./tmp/helloworld.txt` at the context root; ' +
          "Docker's matcher (and BuildKit's own patternmatcher) sends that file, so the COPY works and nothing is reported.",
      },
    ],
  },
  (ctx) => {
    const bc = ctx.buildContext;
    if (!bc?.ignoreFile) return;
    const negations = bc.ignoreFile.patterns.filter((p) => p.startsWith('!')).map((p) => path.posix.normalize(p.slice(1).trim().replace(/^\/+/, '')));
    // A `!` exception may bring back files under an excluded folder: then the folder is not empty in the context.
    const mayBeReincluded = (rel: string): boolean =>
      negations.some((n) => n === rel || n.startsWith(rel + '/') || /[*?[]/.test(n.split('/')[0] ?? '') || n.startsWith('**'));
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'COPY' && inst.keyword !== 'ADD') continue;
      if (inst.flags.some((f) => f.name === 'from')) continue;
      const items = inst.json ? jsonWords(inst.argsText.text, inst.json) : splitWords(inst.argsText.text, ctx.model.escape);
      for (const w of items.slice(0, -1)) {
        if (w.text.startsWith('<<')) continue;
        const unquoted = inst.json ? w.text : w.text.replace(/^(["'])(.*)\1$/, '$2');
        const expanded = inst.scope.expand(unquoted, ctx.model.escape);
        if (!expanded.certain) continue;
        const src = expanded.text;
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src) || src.startsWith('git@')) continue;
        const normalized = path.posix.normalize(src.replace(/\\/g, '/')).replace(/^\/+/, '').replace(/\/+$/, '');
        if (!normalized || normalized === '.' || normalized.startsWith('..')) continue;
        // With wildcards, only the literal folders before the first one can be checked.
        const segments = normalized.split('/');
        const firstGlob = segments.findIndex((s) => /[*?[]/.test(s));
        const literalSegments = firstGlob < 0 ? segments : segments.slice(0, firstGlob);
        // Folders first, so the message names the excluded folder.
        const candidates = literalSegments.map((_, i) => literalSegments.slice(0, i + 1).join('/'));
        const ignored = candidates.find((c) => bc.isIgnored(c));
        if (!ignored || mayBeReincluded(ignored)) continue;
        const range = mappedRange(ctx.model, inst.argsText, w.start, w.end);
        const what = ignored === normalized ? `\`${src}\`` : `\`${src}\` (its folder \`${ignored}\`)`;
        ctx.report({
          range,
          message: `${what} is excluded by ${path.basename(bc.ignoreFile.path)}, so \`docker build\` does not send it to the builder and this ${inst.keyword} fails with "not found".`,
        });
      }
    }
  },
);
