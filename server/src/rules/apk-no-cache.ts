import { apkSub, commandRange, commandRemoves, insertAfter, mountCoversAny, runIsShipped, subcommands } from './lib/os-packages';
import { hasOption } from './lib/commands';
import { defineRule } from './rule';

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
        'end up in an image are checked.',
      bad: 'FROM alpine:3.20\nRUN apk update && apk add curl',
      good: 'FROM alpine:3.20\nRUN apk add --no-cache curl',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3019'], trivy: 'DS025' },
  },
  (ctx) => {
    for (const { inst, run, cmd, sub } of subcommands(ctx.model, apkSub)) {
      if (!FETCHES_INDEX.has(sub.name) || hasOption(cmd, '--no-cache', '--no-network')) continue;
      if (!runIsShipped(ctx.model, inst) || mountCoversAny(run, CACHE)) continue;
      if (run.commands.some((c) => c.start > cmd.start && commandRemoves(inst, c, CACHE))) continue;
      const range = commandRange(ctx.model, run, cmd, sub.word);
      if (sub.name === 'update') {
        ctx.report({
          range,
          message: '`apk update` stores the package index in /var/cache/apk, where it stays in this layer. Drop it and use `apk add --no-cache`, which fetches a fresh index without storing it.',
        });
        continue;
      }
      ctx.report({
        range,
        message: `\`apk ${sub.name}\` without \`--no-cache\` leaves the package index in /var/cache/apk, and the layer keeps it even if a later RUN deletes it. Add \`--no-cache\`.`,
        fixes: [insertAfter(ctx.model, run, sub.word, '--no-cache', `Add --no-cache to apk ${sub.name}`)],
      });
    }
  },
);
