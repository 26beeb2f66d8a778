import type { Inst, Model } from '../model/model';
import { apkSub, commandRange, commandRemoves, insertAfter, mountCoversAny, runIsShipped, subcommands } from './lib/os-packages';
import { hasOption, mayHoldOptions } from './lib/commands';
import { cacheMountFix, deleteWord } from './lib/fix-helpers';
import { defineRule, type Fix } from './rule';

/**
 * A cache mount on /var/cache/apk instead: the index is kept between builds and out of the layer. `--no-cache` on the
 * RUN's other apk commands would bypass the mounted cache, so it goes. /etc/apk/cache is not linked to the mount (which
 * would also cache packages): the link would stay in the image and make later `apk add`s without the mount keep packages.
 */
function mountFix(model: Model, inst: Inst): Fix | undefined {
  const run = inst.run!;
  const noCache = run.commands.filter((c) => c.name === 'apk').flatMap((c) => c.args.filter((a) => a.text === '--no-cache'));
  // `--no-cache` from `$APK_FLAGS`: deleting the variable would take its other words along.
  if (noCache.some((w) => w.expanded)) return undefined;
  return cacheMountFix(model, inst, ['type=cache,target=/var/cache/apk,sharing=locked'], 'Keep the apk index in a cache mount instead', run.execForm ? [] : noCache.map((w) => deleteWord(model, run, w)));
}

const CACHE = ['/var/cache/apk'];
/** Subcommands that download the package index into /var/cache/apk. */
const FETCHES_INDEX = new Set(['add', 'update', 'upgrade']);

export default defineRule(
  {
    id: 'apk-no-cache',
    severity: 'warning',
    category: 'layers',
    description: 'Use `apk add --no-cache` so the package index does not stay in the layer.',
    docs: {
      why:
        '`apk add` and `apk update` store the APKINDEX of every repository in /var/cache/apk. Nothing in the running container needs ' +
        'it, but the layer keeps it, and deleting it in a later RUN does not shrink the image because layers only add. `--no-cache` ' +
        'fetches a fresh index for this command and stores nothing, which also makes a separate `apk update` unnecessary. A ' +
        '`RUN --mount=type=cache,target=/var/cache/apk` keeps the index out of the layer and reuses it between builds. Only stages that ' +
        'end up in an image are checked.\n\n' +
        'The quick fix adds `--no-cache` (safe). A second one adds `--mount=type=cache,target=/var/cache/apk,sharing=locked` to the RUN ' +
        '(and drops `--no-cache` from its other apk commands, which would bypass the mount): the index stays out of the image and is ' +
        'reused by the next build. apk refreshes a cached index only when it is older than its `--cache-max-age`, so a build may install ' +
        'slightly older versions than with `--no-cache`; with the mount needing BuildKit, it is never applied by fix-all. It does not link ' +
        '/etc/apk/cache to the mount: that link would stay in the image and make every later `apk add` without the mount keep packages.',
      bad: 'FROM alpine:3.20\nRUN apk update && apk add curl',
      good: 'FROM alpine:3.20\nRUN apk add --no-cache curl',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3019'], trivy: 'DS025' },
  },
  (ctx) => {
    for (const { inst, run, cmd, sub } of subcommands(ctx.model, apkSub)) {
      if (!FETCHES_INDEX.has(sub.name) || hasOption(cmd, '--no-cache', '--no-network') || mayHoldOptions(cmd)) continue;
      if (!runIsShipped(ctx.model, inst) || mountCoversAny(run, CACHE)) continue;
      if (run.commands.some((c) => c.start > cmd.start && commandRemoves(inst, c, CACHE))) continue;
      const range = commandRange(ctx.model, run, cmd, sub.word);
      const mount = inst.inOnbuild ? undefined : mountFix(ctx.model, inst);
      if (sub.name === 'update') {
        ctx.report({
          range,
          message: '`apk update` stores the package index in /var/cache/apk, where it stays in this layer. Drop it and use `apk add --no-cache`, which fetches a fresh index without storing it.',
          ...(mount ? { fixes: [mount] } : {}),
        });
        continue;
      }
      ctx.report({
        range,
        message: `\`apk ${sub.name}\` without \`--no-cache\` leaves the package index in /var/cache/apk, and the layer keeps it even if a later RUN deletes it. Add \`--no-cache\`.`,
        fixes: [insertAfter(ctx.model, run, sub.word, '--no-cache', `Add --no-cache to apk ${sub.name}`), ...(mount ? [mount] : [])],
      });
    }
  },
);
