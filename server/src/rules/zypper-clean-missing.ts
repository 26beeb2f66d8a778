import type { Inst } from '../model/model';
import type { ShellCommand } from '../model/shell';
import { appendToRun, commandRange, commandRemoves, insertAfter, mountCoversAny, plainToolName, runIsShipped, zypperSub } from './lib/os-packages';
import { defineRule } from './rule';

const CACHE = ['/var/cache/zypp'];
const FETCHING = new Set(['install', 'in', 'update', 'up', 'dist-upgrade', 'dup', 'patch', 'source-install', 'si', 'refresh', 'ref', 'install-new-recommends', 'inr', 'verify', 've']);

/** `zypper clean` alone removes only downloaded packages; metadata needs `--all` (or both `-m` and `-M`). */
function cleanKind(cmd: ShellCommand): 'all' | 'packages' | undefined {
  const sub = zypperSub(cmd);
  if (sub?.name !== 'clean' && sub?.name !== 'cc') return undefined;
  const flags = cmd.args.filter((a) => a.start > sub.word.start && a.text.startsWith('-')).map((a) => a.text);
  const short = flags.filter((f) => /^-[A-Za-z]+$/.test(f)).join('');
  if (flags.includes('--all') || short.includes('a')) return 'all';
  const metadata = flags.includes('--metadata') || short.includes('m');
  const raw = flags.includes('--raw-metadata') || short.includes('M');
  return metadata && raw ? 'all' : 'packages';
}

function cleansAll(inst: Inst, cmd: ShellCommand): boolean {
  return cleanKind(cmd) === 'all' || commandRemoves(inst, cmd, CACHE);
}

export default defineRule(
  {
    id: 'zypper-clean-missing',
    severity: 'warning',
    category: 'layers',
    description: 'Run `zypper clean --all` in the same RUN as `zypper install`.',
    docs: {
      why:
        'zypper keeps the repository metadata (raw and solver caches) in /var/cache/zypp: tens to hundreds of megabytes the running ' +
        'container never reads. Layers only add, so the cache must be removed in the RUN that created it. Plain `zypper clean` (`cc`) ' +
        'removes only downloaded packages, which zypper does not keep by default; `zypper clean --all` removes the metadata too. A ' +
        '`RUN --mount=type=cache,target=/var/cache/zypp` keeps it out of the layer. Only stages that end up in an image are checked.',
      bad: 'FROM opensuse/leap:15.6\nRUN zypper -n install httpd=2.4.58 && zypper clean',
      good: 'FROM opensuse/leap:15.6\nRUN zypper -n install httpd=2.4.58 && zypper clean --all',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3036'], trivy: 'DS020' },
    differences: [
      {
        case: 'DL3036-1-good.Dockerfile',
        reason: '`zypper clean` without `--all` removes only cached packages; the repository metadata stays in /var/cache/zypp and in the layer.',
      },
      {
        case: 'DL3036-2-good.Dockerfile',
        reason: '`zypper cc` without `--all` removes only cached packages; the repository metadata stays in /var/cache/zypp and in the layer.',
      },
    ],
  },
  (ctx) => {
    const model = ctx.model;
    for (const inst of model.runs()) {
      const run = inst.run!;
      if (!runIsShipped(model, inst) || mountCoversAny(run, CACHE)) continue;
      const fetching = run.commands.filter((c) => FETCHING.has(zypperSub(c)?.name ?? ''));
      const last = fetching[fetching.length - 1];
      if (!last) continue;
      const after = run.commands.filter((c) => c.start > last.start);
      if (after.some((c) => cleansAll(inst, c))) continue;
      const partial = after.find((c) => cleanKind(c) === 'packages');
      if (partial) {
        const sub = zypperSub(partial)!;
        ctx.report({
          range: commandRange(model, run, partial, sub.word),
          message: `\`zypper ${sub.name}\` without \`--all\` removes only downloaded packages; the repository metadata stays in /var/cache/zypp and in this layer. Use \`zypper ${sub.name} --all\`.`,
          fixes: [insertAfter(model, run, sub.word, '--all', `Add --all to zypper ${sub.name}`)],
        });
        continue;
      }
      const tool = plainToolName(last);
      const edits = tool && !inst.inOnbuild ? appendToRun(model, inst, `${tool} clean --all`) : undefined;
      const sub = zypperSub(last)!;
      ctx.report({
        range: commandRange(model, run, last, sub.word),
        message: `\`zypper ${sub.name}\` leaves the repository metadata in /var/cache/zypp, and a later RUN cannot take it out of this layer. End this RUN with \`zypper clean --all\`.`,
        fixes: edits ? [{ title: 'Run zypper clean --all at the end of this RUN', safe: true, edits }] : undefined,
      });
    }
  },
);
