import { commandRange, subcommands, zypperSub } from './lib/os-packages';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'zypper-dist-upgrade',
    severity: 'info',
    category: 'layers',
    description: 'Avoid `zypper dist-upgrade` in a Dockerfile; rebuild on an updated base image instead.',
    docs: {
      why:
        '`zypper dist-upgrade` may move every package to another version, vendor or even distribution release, and the new layer ' +
        'stores a second copy of everything it replaced while the old one stays in the base image layer. The layer is cached by its ' +
        'text, so it keeps the state of the day it was built until the cache is lost, and a rebuild then gets something else. Build on ' +
        'an updated base image (`docker build --pull`) instead. On a rolling distribution such as Tumbleweed a `dup` may be intended, ' +
        'so the rule is `info`.',
      bad: 'FROM opensuse/leap:15.6\nRUN zypper -n dist-upgrade && zypper clean --all',
      good: 'FROM opensuse/leap:15.6\nRUN zypper -n install httpd && zypper clean --all',
    },
    aliases: { hadolint: ['DL3035'] },
  },
  (ctx) => {
    for (const { run, cmd, sub } of subcommands(ctx.model, zypperSub)) {
      if (sub.name !== 'dist-upgrade' && sub.name !== 'dup') continue;
      ctx.report({
        range: commandRange(ctx.model, run, cmd, sub.word),
        message: `\`zypper ${sub.name}\` stores a second copy of every upgraded package in this layer (the old one stays in the base image) and upgrades to whatever is current on the day the cache is rebuilt. Prefer a fresh base image (\`docker build --pull\`).`,
      });
    }
  },
);
