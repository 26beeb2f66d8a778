import type { RunInfo } from '../model/model';
import type { ShellCommand } from '../model/shell';
import { mountCovers, optionValue, runCommands } from './lib/commands';
import { appendCommandEdit, commandSpan, envValue, mountCoversSuffix, operandsOf, runRemoves, yarnInstall, shippingStages } from './lib/language-packages';
import type { BuildContext } from '../model/build-context';
import { cacheMountFix, plainAbsolute, userAt } from './lib/fix-helpers';
import { defineRule, type Fix } from './rule';

/** Yarn 2+ (Berry) keeps its cache elsewhere (`.yarn/cache`, `~/.yarn/berry/cache`): the classic folder would be the wrong mount. */
function usesBerry(bc: BuildContext | undefined): boolean {
  if (!bc) return false;
  if (bc.exists('.yarnrc.yml')) return true;
  return /"packageManager"\s*:\s*"yarn@([2-9]|\d{2,})/.test(bc.read('package.json') ?? '');
}

/** Where Yarn keeps its cache: classic as root and as a user, Berry's global cache. */
const CACHE_SUFFIXES = ['/usr/local/share/.cache/yarn', '/.cache/yarn', '/.yarn/berry/cache', '/.yarn-cache', '/.cache'];

function isCacheClean(c: ShellCommand): boolean {
  const ops = operandsOf(c.args);
  return c.name === 'yarn' && ops[0]?.text === 'cache' && ops[1]?.text === 'clean';
}

function cacheKept(run: RunInfo, cmd: ShellCommand, folder: string | undefined): boolean {
  if (run.commands.some(isCacheClean)) return false;
  if (run.commands.some((c) => c.name === 'rm' && c.args.some((a) => /yarn cache dir/.test(a.raw)))) return false;
  if (folder !== undefined) {
    if (folder.includes('$') || mountCovers(run, folder)) return false;
    const dir = folder.replace(/\/+$/, '');
    return !run.commands.some((c) => c.name === 'rm' && c.start > cmd.start && c.args.some((a) => a.text.replace(/\/\*?$/, '') === dir));
  }
  if (mountCoversSuffix(run, CACHE_SUFFIXES)) return false;
  return !runRemoves(run, /(\.cache\/yarn|\.yarn-cache|\.yarn\/berry\/cache|\.cache)$/);
}

export default defineRule(
  {
    id: 'yarn-cache-left',
    severity: 'info',
    category: 'package-manager',
    description: '`yarn install` leaves its package cache in the layer unless `yarn cache clean` runs in the same RUN.',
    docs: {
      why:
        'Yarn keeps a copy of every package tarball it downloads in its cache (`/usr/local/share/.cache/yarn` as root, ' +
        '`~/.cache/yarn` otherwise), next to the unpacked copy in node_modules. In an image that cache is written into the ' +
        'same layer and ships with it, often doubling the size of the dependencies. A `yarn cache clean` in a later RUN does not ' +
        'help: the earlier layer still holds the files. Clean in the same RUN, or use ' +
        '`RUN --mount=type=cache,target=/usr/local/share/.cache/yarn` so the cache stays out of the image and speeds up the next build. ' +
        'A stage used only as a builder (through `COPY --from` or `RUN --mount=from=`) is not reported: its layers never reach an image.\n\n' +
        'Two quick fixes: append `yarn cache clean` (safe: node_modules is the same), or add ' +
        '`--mount=type=cache,target=/usr/local/share/.cache/yarn` (Yarn 1 as root, the Yarn of the node images; or the `--cache-folder`/' +
        '`YARN_CACHE_FOLDER` folder) to the RUN. The second keeps the cache out of the image and makes rebuilds faster, but needs BuildKit ' +
        'and serves later builds from what earlier ones downloaded; it is not offered for Yarn 2+ (a `.yarnrc.yml` or `packageManager: ' +
        'yarn@2+` in the build context) or where Yarn may not run as root (a cache mount is owned by root): never applied by fix-all.',
      bad: 'FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile',
      good: 'FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile && yarn cache clean',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3060'] },
  },
  (ctx) => {
    const shipping = shippingStages(ctx.model);
    for (const { inst, run, cmd } of runCommands(ctx.model)) {
      if (!shipping.has(inst.stage)) continue;
      const install = yarnInstall(cmd);
      if (!install) continue;
      const folder = optionValue(cmd, '--cache-folder') ?? envValue(inst, cmd, 'YARN_CACHE_FOLDER').value;
      if (!cacheKept(run, cmd, folder)) continue;
      // The clean must run as the same user and see the same cache folder as the install.
      const sameCache = cmd.wrappers.length === 0 && !optionValue(cmd, '--cache-folder') && !cmd.assignments.some((a) => ['YARN_CACHE_FOLDER'].includes(a.name));
      const edit = sameCache ? appendCommandEdit(ctx.model, run, cmd, 'yarn cache clean') : undefined;
      const fixes: Fix[] = edit ? [{ title: 'Run `yarn cache clean` after it', safe: true, edits: [edit] }] : [];
      const asRoot = !cmd.wrappers.length && userAt(ctx.model, inst) === 'root';
      // As root, Yarn 1 keeps its cache in $XDG_CACHE_HOME/yarn, else /usr/local/share/.cache/yarn.
      const classic = usesBerry(ctx.buildContext) || envValue(inst, cmd, 'XDG_CACHE_HOME').set ? undefined : '/usr/local/share/.cache/yarn';
      const target = !asRoot ? undefined : folder !== undefined ? plainAbsolute(folder) : classic;
      const mount = target && !inst.inOnbuild ? cacheMountFix(ctx.model, inst, [`type=cache,target=${target}`], `Keep Yarn's cache in a cache mount (${target}) instead`) : undefined;
      if (mount) fixes.push(mount);
      ctx.report({
        range: commandSpan(ctx.model, run, cmd, install.word),
        message: `\`${install.label}\` leaves Yarn's download cache${folder ? ` (${folder})` : ''} in this layer, so the image ships every package twice (tarball and node_modules). Run \`yarn cache clean\` in the same RUN or use a cache mount.`,
        ...(fixes.length ? { fixes } : {}),
      });
    }
  },
);
