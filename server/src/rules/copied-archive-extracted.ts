import type { ShellCommand } from '../model/shell';
import { argRange, basenameOf, copyArgs, flagNamed, isArchiveName, isHeredocWord, type ArgWord } from './lib/instruction-words';
import { defineRule } from './rule';

/** `tar -x…`, `tar x…` (old style), `tar --extract`/`--get`. */
function tarExtracts(cmd: ShellCommand): boolean {
  if (cmd.name !== 'tar' && cmd.name !== 'bsdtar' && cmd.name !== 'gtar') return false;
  const first = cmd.args[0]?.text ?? '';
  if (/^[A-Za-z]+$/.test(first) && first.includes('x')) return true;
  return cmd.args.some((a) => a.text === '--extract' || a.text === '--get' || /^-[A-Za-wyz]*x/.test(a.text));
}

export default defineRule(
  {
    id: 'copied-archive-extracted',
    severity: 'info',
    category: 'layers',
    description: 'A tar archive is COPYed and then extracted in a RUN: the archive stays in a layer.',
    docs: {
      why:
        'COPY commits the archive as a layer of its own. Extracting it in a later RUN adds a second layer with the unpacked files, and deleting the archive ' +
        'afterwards only hides it: the compressed bytes are still pulled with every image. `ADD app.tar.gz /opt/app/` unpacks local tar archives in one step, ' +
        'and `RUN --mount=type=bind,source=app.tar.gz,target=/tmp/app.tar.gz tar -xzf /tmp/app.tar.gz -C /opt/app` extracts without the archive ever entering a layer ' +
        '(and works with options ADD lacks, such as --strip-components).',
      bad: 'FROM debian:bookworm\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt',
      good: 'FROM debian:bookworm\nADD app.tar.gz /opt/',
    },
    aliases: { hadolint: ['DL3010'] },
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      const copied = new Map<string, { inst: typeof stage.instructions[number]; word: ArgWord }>();
      const reported = new Set<string>();
      for (const inst of stage.instructions) {
        if (inst.keyword === 'COPY' && !flagNamed(inst, 'from')) {
          const { sources, dest } = copyArgs(inst);
          if (!dest) continue;
          // `COPY build/out.tgz /tmp/app.tgz` renames it: the RUN refers to the destination name.
          const named = isArchiveName(dest.text) && !dest.text.endsWith('/') ? [dest] : sources.filter((s) => !isHeredocWord(s) && isArchiveName(s.text) && !/[*?[]/.test(s.text));
          for (const w of named) copied.set(basenameOf(w.text), { inst, word: w });
          continue;
        }
        if (inst.keyword !== 'RUN' || !copied.size) continue;
        const run = inst.run!;
        for (const cmd of run.commands) {
          if (!tarExtracts(cmd) || cmd.args.some((a) => a.text.startsWith('--strip-components') || a.text.startsWith('--strip'))) continue;
          for (const a of cmd.args) {
            if (a.dynamic) continue;
            const name = basenameOf(a.text.replace(/^-[A-Za-z]*f/, ''));
            const hit = copied.get(name);
            if (!hit || reported.has(name)) continue;
            reported.add(name);
            ctx.report({
              range: argRange(ctx.model, hit.inst, hit.word),
              message: `${name} is copied here and extracted by the RUN on line ${inst.range.start.line + 1}: the archive stays in this COPY's layer even if it is deleted later. Use ADD ${name} <dir>/ to unpack it, or RUN --mount=type=bind to extract it without copying.`,
            });
          }
        }
      }
    }
  },
);
