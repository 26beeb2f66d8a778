import type { ShellCommand, ShellWord } from '../model/shell';
import { mayHoldOptions, runCommands } from './lib/commands';
import { insertOptionAfterName, shortOptions } from './lib/instruction-words';
import { defineRule } from './rule';

/** useradd's short options that take a value (`-u 1000`, `-g users`, …). */
const SHORT_WITH_VALUE = 'bcdefgGkKpRPsuZ';

function uidWord(cmd: ShellCommand): { word: ShellWord; value: string } | undefined {
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === '--') return undefined;
    if (t === '--uid') return args[i + 1] ? { word: args[i + 1]!, value: args[i + 1]!.text } : undefined;
    if (t.startsWith('--uid=')) return { word: args[i]!, value: t.slice(6) };
    const opts = shortOptions(t, SHORT_WITH_VALUE);
    if (opts[opts.length - 1] === 'u') {
      const attached = t.slice(1 + opts.length);
      if (attached) return { word: args[i]!, value: attached };
      return args[i + 1] ? { word: args[i + 1]!, value: args[i + 1]!.text } : undefined;
    }
  }
  return undefined;
}

function hasNoLogInit(cmd: ShellCommand): boolean {
  for (const a of cmd.args) {
    if (a.text === '--') return false;
    if (a.text === '--no-log-init') return true;
    if (shortOptions(a.text, SHORT_WITH_VALUE).includes('l')) return true;
  }
  return false;
}

export default defineRule(
  {
    id: 'useradd-high-uid-without-l',
    severity: 'warning',
    category: 'layers',
    description: '`useradd` with a UID over 99999 needs `-l` (`--no-log-init`), or the layer gets huge log files.',
    docs: {
      why:
        '`useradd` reserves a record for the new UID in `/var/log/lastlog` and `/var/log/faillog`, files indexed by UID. On disk they are sparse, ' +
        'but image layers are tar archives that store them at full size: a UID like 1234567 adds about 400 MB of zeros to the layer, ' +
        'pushed and pulled with every image. `-l` (`--no-log-init`) skips those records.',
      bad: 'FROM debian:bookworm\nRUN useradd -u 1234567 app',
      good: 'FROM debian:bookworm\nRUN useradd -l -u 1234567 app',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3046'] },
  },
  (ctx) => {
    for (const { inst, run, cmd } of runCommands(ctx.model)) {
      if (cmd.name !== 'useradd' || hasNoLogInit(cmd) || mayHoldOptions(cmd)) continue;
      const uid = uidWord(cmd);
      if (!uid) continue;
      let value = uid.value;
      if (uid.word.dynamic) {
        // `-u $UID` with an ARG/ENV whose value is known; anything else is left alone.
        const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(value);
        const expanded = m ? inst.scope.expand(value, ctx.model.escape) : undefined;
        if (!expanded?.certain) continue;
        value = expanded.text;
      }
      if (!/^\d+$/.test(value) || value.length <= 5) continue;
      ctx.report({
        range: ctx.model.wordRange(run, cmd.nameWord),
        // lastlog keeps 292 bytes and faillog 32 bytes per UID up to the highest one.
        message: `\`useradd\` with UID ${value} and without -l writes /var/log/lastlog and faillog records at offset ${value}: the sparse files are stored at full size in the layer (about ${Math.round((Number(value) * 324) / 1e6)} MB). Add -l (--no-log-init).`,
        fixes: [{ title: 'Add -l (--no-log-init)', safe: true, edits: [insertOptionAfterName(ctx.model, run, cmd, '-l')] }],
      });
    }
  },
);
