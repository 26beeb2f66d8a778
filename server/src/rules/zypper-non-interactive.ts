import type { ShellCommand } from '../model/shell';
import { mayHoldOptions } from './lib/commands';
import { commandRange, insertAfter, optionsBefore, subcommands, zypperSub, type Sub } from './lib/os-packages';
import { defineRule } from './rule';

const PROMPTING = new Set(['install', 'in', 'remove', 'rm', 'source-install', 'si', 'patch', 'update', 'up', 'dist-upgrade', 'dup', 'verify', 've', 'install-new-recommends', 'inr']);
/** Subcommands where `-n` is `--name`, not the global `--non-interactive`. */
const N_IS_NAME = new Set(['install', 'in', 'remove', 'rm']);

function nonInteractive(cmd: ShellCommand, sub: Sub): boolean {
  const global = optionsBefore(cmd, sub.word);
  if (global.some((o) => o.text === '--non-interactive' || (/^-[A-Za-z]+$/.test(o.text) && o.text.includes('n')))) return true;
  for (const a of cmd.args) {
    if (a.text === '--') break;
    if (a.text === '--non-interactive' || a.text === '--no-confirm') return true;
    if (a.start > sub.word.start && /^-[A-Za-z]+$/.test(a.text) && a.text.includes('y')) return true;
  }
  return false;
}

export default defineRule(
  {
    id: 'zypper-non-interactive',
    severity: 'warning',
    category: 'package-manager',
    description: '`zypper install` (and remove, update, ...) needs `-n` (`--non-interactive`): `docker build` cannot answer its prompts.',
    docs: {
      why:
        'zypper asks "Continue? [y/n/v/...]" (and may ask about licenses or keys) and reads the answer from the terminal. A RUN has none, ' +
        'so zypper fails with "Cannot read input: bad stream or EOF" and the build stops; piping `yes` into it does not help. The global ' +
        'option `-n` (`--non-interactive`), written before the subcommand, makes zypper take the default answers; `install -y` ' +
        '(`--no-confirm`) answers only the main question. Note that `-n` *after* `install` means `--name`, not non-interactive.',
      bad: 'FROM opensuse/leap:15.6\nRUN zypper install httpd && zypper clean --all',
      good: 'FROM opensuse/leap:15.6\nRUN zypper -n install httpd && zypper clean --all',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3034'] },
    differences: [
      {
        case: 'DL3034-1-good.Dockerfile',
        reason:
          '`zypper install -n` is `zypper install --name`: `-n` means `--non-interactive` only before the subcommand, so this install ' +
          'still prompts and fails without a terminal.',
      },
    ],
  },
  (ctx) => {
    for (const { run, cmd, sub } of subcommands(ctx.model, zypperSub)) {
      if (!PROMPTING.has(sub.name) || nonInteractive(cmd, sub) || mayHoldOptions(cmd)) continue;
      const misplaced = N_IS_NAME.has(sub.name) && cmd.args.some((a) => a.start > sub.word.start && a.text === '-n');
      const message = misplaced
        ? `\`-n\` after \`zypper ${sub.name}\` means \`--name\`, not \`--non-interactive\`: zypper still prompts, cannot read an answer in \`docker build\` and fails. Write \`zypper -n ${sub.name}\`.`
        : `\`zypper ${sub.name}\` without \`-n\` prompts for confirmation, cannot read an answer in \`docker build\` ("bad stream or EOF") and fails the build. Write \`zypper -n ${sub.name}\`.`;
      ctx.report({
        range: commandRange(ctx.model, run, cmd, sub.word),
        message,
        fixes: [insertAfter(ctx.model, run, cmd.nameWord, '-n', `Add -n to zypper`)],
      });
    }
  },
);
