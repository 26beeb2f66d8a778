import { runCommands } from './lib/commands';
import { isDynamic, NPM_INSTALL, NPM_VALUE, operandsOf, subcommandWord } from './lib/language-packages';
import { defineRule } from './rule';

/** A package spec that names one version, tag-free: `pkg@1.2.3`, a tarball, a folder, a git URL with a commit or tag. */
function pinned(spec: string): boolean {
  if (/^(git(\+(ssh|https?|file))?:\/\/|github:|gitlab:|bitbucket:|gist:)/.test(spec)) return spec.includes('#');
  if (/^https?:\/\//.test(spec) || /\.(tar|tar\.gz|tgz)$/.test(spec)) return true;
  if (/^(\/|\.\/|\.\.\/|~\/|file:|\.$)/.test(spec)) return true;
  const name = spec.startsWith('@') ? spec.slice(spec.indexOf('/') + 1) : spec;
  const at = name.indexOf('@');
  // `user/repo` is a GitHub shorthand: fixed only with `#<commit-or-tag>`.
  if (at < 0) return !spec.startsWith('@') && name.includes('/') && name.includes('#');
  const version = name.slice(at + 1);
  return version !== '' && version !== 'latest' && version !== '*';
}

export default defineRule(
  {
    id: 'npm-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Pin the versions of packages installed with `npm install <package>`.',
    docs: {
      why:
        '`npm install -g typescript` installs the newest release on the day the layer is built, and the layer is cached: your ' +
        'image keeps that version while a fresh CI build gets another one, so the same Dockerfile produces images that behave ' +
        'differently. Name the version (`typescript@5.4.5`); `@latest` is no pin. A bare `npm install` or `npm ci` installs ' +
        "what package.json and the lock file say, which is what you want for your app's dependencies.",
      bad: 'FROM node:20-slim\nRUN npm install -g typescript',
      good: 'FROM node:20-slim\nRUN npm install -g typescript@5.4.5',
    },
    aliases: { hadolint: ['DL3016'] },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      if (cmd.name !== 'npm') continue;
      const install = subcommandWord(cmd, NPM_INSTALL, NPM_VALUE);
      if (!install) continue;
      for (const w of operandsOf(install.rest, NPM_VALUE)) {
        if (isDynamic(w) || pinned(w.text)) continue;
        const name = w.text.replace(/@(latest|\*)?$/, '');
        ctx.report({
          range: ctx.model.wordRange(run, w),
          message: `\`${w.text}\` is not pinned to a version: each fresh build may install a different release than the cached layer. Use \`${name}@<version>\`.`,
        });
      }
    }
  },
);
