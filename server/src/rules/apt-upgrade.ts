import { aptSub, commandRange, subcommands } from './lib/os-packages';
import { defineRule } from './rule';

const UPGRADES = new Set(['upgrade', 'dist-upgrade', 'full-upgrade']);

export default defineRule(
  {
    id: 'apt-upgrade',
    severity: 'info',
    category: 'layers',
    description: 'Avoid `apt-get upgrade` in a Dockerfile; rebuild on an updated base image instead.',
    docs: {
      why:
        'Layers only add: every package `apt-get upgrade` replaces is stored again in the new layer while the old copy stays in the ' +
        'base image layer, so the image grows by the size of everything upgraded. The layer is also cached by its text, so it keeps the ' +
        'upgrades of the day it was built until the cache is lost, and a rebuild then upgrades something else. Pulling a newer base image ' +
        '(`docker build --pull`) gets the same fixes without the duplicate files. Official images are rebuilt often; where a base image ' +
        'is not, an upgrade can be the lesser evil, which is why this rule is `info`.',
      bad: 'FROM debian:bookworm\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*',
      good: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    },
    aliases: { hadolint: ['DL3005'] },
  },
  (ctx) => {
    for (const { run, cmd, sub } of subcommands(ctx.model, aptSub)) {
      if (!UPGRADES.has(sub.name)) continue;
      ctx.report({
        range: commandRange(ctx.model, run, cmd, sub.word),
        message: `\`${cmd.name} ${sub.name}\` stores a second copy of every upgraded package in this layer (the old one stays in the base image) and upgrades whatever is new on the day the cache is rebuilt. Prefer a fresh base image (\`docker build --pull\`).`,
      });
    }
  },
);
