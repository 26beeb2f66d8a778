import type { ShellCommand } from '../model/shell';
import { mayHoldOptions } from './lib/commands';
import { aptSimulates, aptSub, runIsShipped, commandRange, configuredEarlier, insertAfter, subcommands } from './lib/os-packages';
import { defineRule } from './rule';

const NO_RECOMMENDS = /APT::Install-Recommends\s*"?\s*(false|0|no|off)\b/i;

function skipsRecommends(cmd: ShellCommand): boolean {
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === '--') break;
    if (t === '--no-install-recommends' || /^--install-recommends=(no|false|0|off)$/i.test(t)) return true;
    const option = t === '-o' || t === '--option' ? args[i + 1]?.text : /^(?:-o|--option)=(.*)$/.exec(t)?.[1];
    if (option && NO_RECOMMENDS.test(option.replace('=', ' '))) return true;
  }
  return false;
}

export default defineRule(
  {
    id: 'apt-no-install-recommends',
    severity: 'warning',
    category: 'layers',
    description: '`apt-get install` should use `--no-install-recommends` so the layer holds only what was asked for.',
    docs: {
      why:
        'By default apt also installs every package the requested ones merely *recommend*: documentation tools, X11 libraries, ' +
        'compilers. They land in the layer, often doubling its size, widen what a vulnerability scanner finds, and slow every pull. ' +
        'Only stages that end up in an image are checked. ' +
        '`--no-install-recommends` installs the dependencies a package needs to work. Sometimes a recommended package is needed after ' +
        'all (`ca-certificates` for HTTPS with curl); name it explicitly. For the same reason the fix is not applied by fix-all.',
      bad: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
      good: 'FROM debian:bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends ca-certificates curl \\\n && rm -rf /var/lib/apt/lists/*',
    },
    fix: 'unsafe',
    aliases: { hadolint: ['DL3015'], trivy: 'DS029' },
  },
  (ctx) => {
    for (const { inst, run, cmd, sub } of subcommands(ctx.model, aptSub)) {
      if (sub.name !== 'install' || skipsRecommends(cmd) || mayHoldOptions(cmd) || aptSimulates(cmd) || !runIsShipped(ctx.model, inst)) continue;
      if (configuredEarlier(ctx.model, inst, NO_RECOMMENDS, cmd)) continue;
      const fix = insertAfter(ctx.model, run, sub.word, '--no-install-recommends', `Add --no-install-recommends to ${cmd.name} install`);
      ctx.report({
        range: commandRange(ctx.model, run, cmd, sub.word),
        message: `\`${cmd.name} install\` without \`--no-install-recommends\` also installs every recommended package into the layer, often doubling its size. Add the flag and name any recommended package you need.`,
        // Dropping recommended packages can remove something the image relies on: not part of fix-all.
        fixes: [{ ...fix, safe: false }],
      });
    }
  },
);
