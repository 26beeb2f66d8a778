import { defineRule } from './rule';

export default defineRule(
  {
    id: 'workdir-relative-path',
    severity: 'warning',
    category: 'maintainability',
    description: 'WORKDIR should be an absolute path.',
    docs: {
      why:
        'A relative WORKDIR is resolved against the previous working directory, which may come from the base image and change when it is updated. ' +
        'An absolute path says where files go, whatever the base image does.',
      bad: 'FROM nginx\nWORKDIR usr/share/nginx/html',
      good: 'FROM nginx\nWORKDIR /usr/share/nginx/html',
    },
    aliases: { hadolint: ['DL3000'], buildkit: 'WorkdirRelativePath' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword !== 'WORKDIR') continue;
      const raw = target.argsText.text.trim();
      if (!raw) continue;
      const value = raw.replace(/^(["'])(.*)\1$/, '$2');
      // A variable whose value we cannot know is not guessed at.
      const expanded = target.scope.expand(value, ctx.model.escape);
      if (!expanded.certain) continue;
      const path = expanded.text;
      if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\')) continue;
      const [s, e] = target.argsText.docSpan(0, target.argsText.text.trimEnd().length);
      ctx.report({ range: ctx.model.range(s, e), message: `WORKDIR "${path}" is relative to the previous working directory; use an absolute path.` });
    }
  },
);
