import type { ShellCommand } from '../model/shell';
import { mayHoldOptions, runCommands } from './lib/commands';
import { insertOptionAfterName, shortOptions } from './lib/instruction-words';
import { defineRule } from './rule';

/** GNU wget's short options that take a value. */
const SHORT_WITH_VALUE = 'oaieBtOTwQPUlADRIXh';

/** Whether wget is told how to report progress: `--progress`, quiet, no-verbose, or a log file (hadolint's list). */
function quietEnough(cmd: ShellCommand): boolean {
  for (const a of cmd.args) {
    const t = a.text;
    if (t === '--') return false;
    if (/^--(progress|quiet|no-verbose|output-file|append-output)(=|$)/.test(t) || t === '-nv') return true;
    if (/^-n[a-zA-Z]/.test(t)) continue; // -nc, -nd, -nH, -np: GNU's two-letter options
    const opts = shortOptions(t, SHORT_WITH_VALUE);
    if (opts.some((o) => o === 'q' || o === 'o' || o === 'a')) return true;
  }
  return false;
}

export default defineRule(
  {
    id: 'wget-without-progress-option',
    severity: 'info',
    category: 'maintainability',
    description: '`wget` without `--progress=dot:giga`, `-q` or `-nv` floods the build log.',
    docs: {
      why:
        'A build has no terminal, so wget falls back to its "dot" progress display: one line per few dozen kilobytes. Downloading a large file ' +
        'writes thousands of lines into the build output (BuildKit keeps and uploads them in CI), burying the lines that matter. ' +
        '`--progress=dot:giga` prints a line per few megabytes, `-nv` one line per file, `-q` nothing. BusyBox wget (Alpine) only knows `-q`.',
      bad: 'FROM debian:bookworm\nRUN wget https://example.com/big.tar.gz',
      good: 'FROM debian:bookworm\nRUN wget --progress=dot:giga https://example.com/big.tar.gz',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3047'] },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      if (cmd.name !== 'wget' || quietEnough(cmd) || mayHoldOptions(cmd) || cmd.args.some((a) => a.text === '--help' || a.text === '--version' || a.text === '-V')) continue;
      ctx.report({
        range: ctx.model.wordRange(run, cmd.nameWord),
        message: '`wget` without --progress, -q or -nv prints a progress line every few kilobytes into the build log. Add --progress=dot:giga (GNU wget) or -q.',
        fixes: [
          // -q is understood by GNU and BusyBox wget alike; --progress is GNU only.
          { title: 'Add -q', safe: true, edits: [insertOptionAfterName(ctx.model, run, cmd, '-q')] },
          { title: 'Add --progress=dot:giga (GNU wget)', safe: false, edits: [insertOptionAfterName(ctx.model, run, cmd, '--progress=dot:giga')] },
        ],
      });
    }
  },
);
