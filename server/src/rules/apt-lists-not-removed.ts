import type { Inst, Model } from '../model/model';
import { parseShell, type ShellCommand } from '../model/shell';
import { contextFileAt, scriptPathRun } from './lib/build-context';
import { aptSub, appendToRun, commandRange, commandRemoves, isApt, mountCoversAny, runIsShipped, runsAfter } from './lib/os-packages';
import { cacheMountFix, deleteCommand } from './lib/fix-helpers';
import { defineRule, type Fix, type RuleContext } from './rule';

const APT_CACHE = ['/var/cache/apt'];

/**
 * Cache mounts for the lists and the downloaded packages instead of deleting the lists. `apt-get clean` in the RUN would
 * only empty the mounted cache, so it goes. Debian's and Ubuntu's images keep `docker-clean`, which deletes the downloaded
 * .debs after each install: removing it would make every later RUN without the mount keep its packages in its layer.
 */
function mountFix(model: Model, inst: Inst): Fix | undefined {
  const run = inst.run!;
  const specs = [
    ...(mountCoversAny(run, APT_CACHE) ? [] : ['type=cache,target=/var/cache/apt,sharing=locked']),
    'type=cache,target=/var/lib/apt/lists,sharing=locked',
  ];
  const cleans = run.commands.filter((c) => aptSub(c)?.name === 'clean' && !c.wrappers.length && aptSub(c)!.operands.length === 0);
  const removals = cleans.flatMap((c) => deleteCommand(model, run, c) ?? []);
  return cacheMountFix(model, inst, specs, 'Keep the apt lists in a cache mount instead', removals);
}

const LISTS = ['/var/lib/apt/lists'];
/** `apt-get clean` only empties /var/cache/apt/archives; `distclean` (apt 2.7+) removes the lists too. */
const REMOVES_LISTS = new Set(['distclean', 'dist-clean']);
/** What a later RUN may do without a package index. */
const NO_INDEX_NEEDED = new Set(['update', 'clean', 'autoclean', 'distclean', 'dist-clean', 'purge', 'remove', 'autoremove', 'autopurge']);

function cleansLists(inst: Inst, cmd: ShellCommand): boolean {
  return commandRemoves(inst, cmd, LISTS) || REMOVES_LISTS.has(aptSub(cmd)?.name ?? '');
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/** The script a command hands to a shell: `bash -c "..."`, or a file copied from the build context. */
function nestedScript(ctx: RuleContext, inst: Inst, cmd: ShellCommand): string | undefined {
  if (SHELLS.has(cmd.name)) {
    const c = cmd.args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a.text));
    if (c >= 0) return cmd.args[c + 1]?.text;
  }
  const at = ctx.buildContext && scriptPathRun(cmd);
  const file = at ? contextFileAt(ctx.model, ctx.buildContext!, inst, at) : undefined;
  return file ? ctx.buildContext!.read(file, 256 * 1024) : undefined;
}

/**
 * Whether `cmd` runs a script that removes the lists with a literal path: `sudo bash -c "... && rm -rf
 * /var/lib/apt/lists/*"`, or photoprism's `/scripts/cleanup.sh`, copied from scripts/dist/.
 */
function scriptCleansLists(ctx: RuleContext, inst: Inst, cmd: ShellCommand): boolean {
  const text = nestedScript(ctx, inst, cmd);
  if (text === undefined) return false;
  return parseShell(text).commands.some(
    (c) => (c.name === 'rm' && c.args.some((a) => !a.dynamic && /^\/var\/lib\/apt\/lists(\/\*?)?$/.test(a.text))) || REMOVES_LISTS.has(aptSub(c)?.name ?? ''),
  );
}

/** Whether a later RUN (or a stage built on this one) uses apt before its own `apt-get update`. */
function laterRunNeedsIndex(model: Model, inst: Inst): boolean {
  return runsAfter(model, inst).some((r) => {
    const first = r.run!.commands.find((c) => isApt(c) || c.name === 'apt-cache');
    return first !== undefined && !NO_INDEX_NEEDED.has(aptSub(first)?.name ?? '');
  });
}

export default defineRule(
  {
    id: 'apt-lists-not-removed',
    severity: 'warning',
    category: 'layers',
    description: 'Remove `/var/lib/apt/lists` in the same RUN as `apt-get update`.',
    docs: {
      why:
        '`apt-get update` downloads the package index into /var/lib/apt/lists: tens of megabytes that nothing in the running container ' +
        'needs. Layers only add files, so the index must be deleted in the same RUN that created it; an `rm` in a later RUN hides the ' +
        'files but the image still ships them. `apt-get clean` does not help: it empties /var/cache/apt/archives, not the lists ' +
        '(`apt-get dist-clean`, apt 2.7+, removes both). A `RUN --mount=type=cache,target=/var/lib/apt/lists` keeps the index out of ' +
        'the layer and reuses it between builds. Only stages that end up in an image are checked.\n\n' +
        'Two quick fixes: end the RUN with `rm -rf /var/lib/apt/lists/*`, or add `--mount=type=cache,target=/var/cache/apt,sharing=locked ' +
        '--mount=type=cache,target=/var/lib/apt/lists,sharing=locked` (and drop an `apt-get clean`, which would only empty the mounted cache). ' +
        'The second keeps the index out of the image and lets the next build\'s `apt-get update` fetch only what changed. It leaves ' +
        '`/etc/apt/apt.conf.d/docker-clean` of the Debian and Ubuntu images alone: that file deletes downloaded packages after each install, so ' +
        'the mount mostly caches the lists, and removing it would make every later RUN without the mount keep its packages in its layer. ' +
        'Both are offered only when no later RUN uses the lists without its own `apt-get update`. Neither is applied by fix-all: a build step ' +
        'may read the lists, and the mount needs BuildKit.',
      bad: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl',
      good: 'FROM debian:bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*',
    },
    fix: 'unsafe',
    aliases: { hadolint: ['DL3009'] },
  },
  (ctx) => {
    const model = ctx.model;
    for (const inst of model.runs()) {
      const run = inst.run!;
      if (!runIsShipped(model, inst) || mountCoversAny(run, LISTS)) continue;
      const updates = run.commands.filter((c) => aptSub(c)?.name === 'update');
      const last = updates[updates.length - 1];
      if (!last || run.commands.some((c) => c.start > last.start && (cleansLists(inst, c) || scriptCleansLists(ctx, inst, c)))) continue;
      const laterNeeds = inst.inOnbuild || laterRunNeedsIndex(model, inst);
      const edits = laterNeeds || last.wrappers.length ? undefined : appendToRun(model, inst, 'rm -rf /var/lib/apt/lists/*');
      // A build script or child image may still rely on the index, so the fixes are offered, not applied by fix-all.
      const fixes: Fix[] = edits ? [{ title: 'Remove the apt lists at the end of this RUN', safe: false, edits }] : [];
      const mount = laterNeeds ? undefined : mountFix(model, inst);
      if (mount) fixes.push(mount);
      ctx.report({
        range: commandRange(model, run, last, aptSub(last)!.word),
        message: `\`${last.name} update\` leaves the package index (/var/lib/apt/lists, tens of MB) in this layer; deleting it in a later RUN does not shrink the image. End this RUN with \`rm -rf /var/lib/apt/lists/*\`.`,
        ...(fixes.length ? { fixes } : {}),
      });
    }
  },
);
