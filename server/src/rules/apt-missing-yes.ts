import type { ShellCommand } from '../model/shell';
import { mayHoldOptions } from './lib/commands';
import { aptSimulates, aptSub, commandRange, configuredEarlier, hasPipedInput, insertAfter, subcommands } from './lib/os-packages';
import { defineRule } from './rule';

/** Subcommands that ask "Do you want to continue?" before changing packages. */
const PROMPTING = new Set(['install', 'reinstall', 'remove', 'purge', 'autoremove', 'autopurge', 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'satisfy']);
const ASSUME_YES = /APT::Get::Assume-Yes\s*"?\s*(true|1|yes|on)\b/i;

/** `-y`, `--yes`, `--assume-yes`, `-o APT::Get::Assume-Yes=true`, or quiet level 2 (`-qq`, `-q=2`), which implies `-y`. */
function answersYes(cmd: ShellCommand): boolean {
  let quiet = 0;
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === '--') break;
    if (/^--(yes|assume-yes)(=(1|true|yes))?$/.test(t)) return true;
    if (t === '--quiet') quiet++;
    const level = /^(?:-q|--quiet)=(\d+)$/.exec(t);
    if (level) quiet = Number(level[1]);
    if (/^-[A-Za-z]+$/.test(t) && !t.startsWith('--')) {
      if (t.includes('y')) return true;
      quiet += t.split('q').length - 1;
    }
    const option = t === '-o' || t === '--option' ? args[i + 1]?.text : /^(?:-o|--option)=(.*)$/.exec(t)?.[1];
    if (option && ASSUME_YES.test(option.replace('=', ' '))) return true;
  }
  return quiet >= 2;
}

export default defineRule(
  {
    id: 'apt-missing-yes',
    severity: 'warning',
    category: 'package-manager',
    description: '`apt-get install` (and remove, upgrade, ...) needs `-y`: `docker build` cannot answer its prompt.',
    docs: {
      why:
        'Whenever apt has to confirm something (extra dependencies, a removal, an upgrade) it asks "Do you want to continue? [Y/n]". ' +
        'A RUN has no terminal and its standard input is empty, so apt reads end-of-file, prints "Abort." and the build fails. Worse, it ' +
        'works while the package pulls in no extra dependency and breaks the day one is added. `-y` (or `-qq`, which implies it) answers yes.',
      bad: 'FROM debian:bookworm\nRUN apt-get update && apt-get install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      good: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3014'], trivy: 'DS021' },
  },
  (ctx) => {
    for (const { inst, run, cmd, sub } of subcommands(ctx.model, aptSub)) {
      if (!PROMPTING.has(sub.name) || answersYes(cmd) || mayHoldOptions(cmd) || aptSimulates(cmd) || hasPipedInput(cmd)) continue;
      if (configuredEarlier(ctx.model, inst, ASSUME_YES, cmd)) continue;
      ctx.report({
        range: commandRange(ctx.model, run, cmd, sub.word),
        message: `\`${cmd.name} ${sub.name}\` without \`-y\`: when apt must confirm (extra dependencies, removals) it asks "Do you want to continue?", reads end-of-file in \`docker build\` and aborts the build. Add \`-y\`.`,
        fixes: [insertAfter(ctx.model, run, sub.word, '-y', `Add -y to ${cmd.name} ${sub.name}`)],
      });
    }
  },
);
