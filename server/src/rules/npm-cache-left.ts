import type { RunInfo } from '../model/model';
import type { ShellCommand } from '../model/shell';
import { mountCovers, optionValue, runCommands } from './lib/commands';
import { appendCommandEdit, commandSpan, envValue, mountCoversSuffix, NPM_CI, NPM_INSTALL, NPM_VALUE, operandsOf, runRemoves, subcommandWord, shippingStages } from './lib/language-packages';
import { cacheMountFix, plainAbsolute, rootHomeTarget } from './lib/fix-helpers';
import { defineRule, type Fix } from './rule';

function isCacheClean(c: ShellCommand): boolean {
  const ops = operandsOf(c.args);
  return c.name === 'npm' && ops[0]?.text === 'cache' && ['clean', 'clear', 'rm'].includes(ops[1]?.text ?? '');
}

function cacheKept(run: RunInfo, cmd: ShellCommand, folder: string | undefined): boolean {
  if (run.commands.some(isCacheClean)) return false;
  if (folder !== undefined) {
    if (folder.includes('$') || mountCovers(run, folder)) return false;
    const dir = folder.replace(/\/+$/, '');
    return !run.commands.some((c) => c.name === 'rm' && c.start > cmd.start && c.args.some((a) => a.text.replace(/\/\*?$/, '') === dir));
  }
  if (mountCovers(run, '/root/.npm') || mountCoversSuffix(run, ['/.npm', '/.npm/_cacache'])) return false;
  return !runRemoves(run, /(^|\/)\.npm(\/_cacache)?$/);
}

export default defineRule(
  {
    id: 'npm-cache-left',
    severity: 'info',
    category: 'package-manager',
    description: '`npm install`/`npm ci` leaves its download cache (~/.npm) in the layer.',
    docs: {
      why:
        'npm keeps every package tarball it downloads in `~/.npm/_cacache`, next to the unpacked copy in node_modules. In an ' +
        'image that cache is written into the same layer and ships with it, often tens of megabytes. Removing it in a later RUN ' +
        'does not help, the earlier layer still holds it. Run `npm cache clean --force` in the same RUN, or use ' +
        '`RUN --mount=type=cache,target=/root/.npm` so the cache stays out of the image and speeds up the next build. ' +
        'A stage used only as a builder (through `COPY --from` or `RUN --mount=from=`) is not reported: its layers never reach an image.\n\n' +
        'Two quick fixes: append `npm cache clean --force` (safe: node_modules is the same), or add ' +
        '`--mount=type=cache,target=/root/.npm` (or the `--cache`/`npm_config_cache` folder) to the RUN. The second keeps the cache out of ' +
        'the image and makes rebuilds faster, but needs BuildKit, serves later builds from what earlier ones downloaded, also keeps npm\'s ' +
        'logs out of the layer, and is offered only where npm certainly runs as root with HOME=/root (a cache mount is owned by root): ' +
        'never applied by fix-all.',
      bad: 'FROM node:20-slim\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev',
      good: 'FROM node:20-slim\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev && npm cache clean --force',
    },
    fix: 'safe',
    aliases: {},
  },
  (ctx) => {
    const shipping = shippingStages(ctx.model);
    for (const { inst, run, cmd } of runCommands(ctx.model)) {
      if (!shipping.has(inst.stage)) continue;
      if (cmd.name !== 'npm') continue;
      const sub = subcommandWord(cmd, [...NPM_INSTALL, ...NPM_CI], NPM_VALUE);
      if (!sub) continue;
      const folder = optionValue(cmd, '--cache') ?? envValue(inst, cmd, 'npm_config_cache').value ?? envValue(inst, cmd, 'NPM_CONFIG_CACHE').value;
      if (!cacheKept(run, cmd, folder)) continue;
      // The clean must run as the same user and see the same cache folder as the install.
      const sameCache = cmd.wrappers.length === 0 && !optionValue(cmd, '--cache') && !cmd.assignments.some((a) => ['npm_config_cache', 'NPM_CONFIG_CACHE'].includes(a.name));
      const edit = sameCache ? appendCommandEdit(ctx.model, run, cmd, 'npm cache clean --force') : undefined;
      const fixes: Fix[] = edit ? [{ title: 'Run `npm cache clean --force` after it', safe: true, edits: [edit] }] : [];
      const target = folder !== undefined ? (cmd.wrappers.length ? undefined : plainAbsolute(folder)) : rootHomeTarget(ctx.model, inst, cmd, '.npm', (n) => envValue(inst, cmd, n));
      const mount = target && !inst.inOnbuild ? cacheMountFix(ctx.model, inst, [`type=cache,target=${target}`], `Keep npm's cache in a cache mount (${target}) instead`) : undefined;
      if (mount) fixes.push(mount);
      ctx.report({
        range: commandSpan(ctx.model, run, cmd, sub.word),
        message: `\`npm ${sub.word.text}\` leaves npm's download cache (${folder ?? '~/.npm'}) in this layer, so the image ships the packages twice (tarballs and node_modules). Run \`npm cache clean --force\` in the same RUN or use a cache mount.`,
        ...(fixes.length ? { fixes } : {}),
      });
    }
  },
);
