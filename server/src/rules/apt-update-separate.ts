import type { TextEdit } from 'vscode-languageserver-types';
import { declarations, type Inst, type Model, type RunInfo } from '../model/model';
import type { ShellCommand } from '../model/shell';
import { APT_VALUE_OPTIONS, hasOption, mountCovers, operands, runCommands, subcommand as sub } from './lib/commands';
import { continuationStyle, deleteInstruction, insertAt } from './lib/rewrite';
import { defineRule, type Fix } from './rule';

/** A package manager whose index refresh can end up in a cached layer of its own. */
interface Manager {
  label: string;
  isRefresh(cmd: ShellCommand): boolean;
  isInstall(cmd: ShellCommand): boolean;
  /** Uses the index (so it needs the refresh): installs, searches, policy queries. */
  usesIndex(cmd: ShellCommand): boolean;
  /** Flags an install in a Dockerfile should carry, each with the spellings that already satisfy it. */
  installFlags: { add: string; present: string[] }[];
  /** Whether the refresh command is kept in front of the install (apk's --no-cache makes it unnecessary). */
  keepRefresh: boolean;
  cleanup: { command: string; present: (run: RunInfo) => boolean; covered: (run: RunInfo) => boolean } | undefined;
}

const isApt = (c: ShellCommand): boolean => c.name === 'apt-get' || c.name === 'apt';
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'source', '.']);

/**
 * A command that may install packages with the fresh index, though the rule cannot see inside it: a
 * script (`bash /tmp/common-debian.sh`, `./setup.sh`, `sh -c "..."`), a package-install helper
 * such as gitpod's `install-packages` or Debian images' `install_packages`, or apt run by xargs.
 */
function mayInstall(c: ShellCommand): boolean {
  if (SHELLS.has(c.name)) return c.args.length > 0;
  // `dpkg -l | ... | xargs apt-get install --reinstall man`: the install is xargs' command.
  if (c.name === 'xargs') return c.args.some((a) => /^(?:.*\/)?(?:apt-get|apt|aptitude)$/.test(a.text));
  return c.name.endsWith('.sh') || /^install[-_]/.test(c.name) || (c.nameWord.text.includes('/') && !/^\/(?:usr\/)?s?bin\//.test(c.nameWord.text));
}
const aptListsRemoved = (run: RunInfo): boolean =>
  run.commands.some((c) => c.name === 'rm' && c.args.some((a) => /^\/var\/lib\/apt\/lists(\/\*?)?$/.test(a.text) || a.text === '/var/lib/apt/lists/*'));

const MANAGERS: Manager[] = [
  {
    label: 'apt-get',
    isRefresh: (c) => isApt(c) && sub(c, APT_VALUE_OPTIONS) === 'update',
    isInstall: (c) => isApt(c) && sub(c, APT_VALUE_OPTIONS) === 'install',
    usesIndex: (c) =>
      (isApt(c) && ['install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'source', 'build-dep', 'download', 'changelog', 'satisfies', 'search', 'show', 'policy', 'list'].includes(sub(c, APT_VALUE_OPTIONS) ?? '')) ||
      c.name === 'apt-cache',
    installFlags: [
      { add: '-y', present: ['-y', '--yes', '--assume-yes', '-qq'] },
      { add: '--no-install-recommends', present: ['--no-install-recommends', 'APT::Install-Recommends=false', 'APT::Install-Recommends=0'] },
    ],
    keepRefresh: true,
    cleanup: { command: 'rm -rf /var/lib/apt/lists/*', present: aptListsRemoved, covered: (run) => mountCovers(run, '/var/lib/apt/lists') },
  },
  {
    label: 'apk',
    isRefresh: (c) => c.name === 'apk' && sub(c) === 'update',
    isInstall: (c) => c.name === 'apk' && sub(c) === 'add',
    usesIndex: (c) => c.name === 'apk' && ['add', 'upgrade', 'search', 'fetch'].includes(sub(c) ?? ''),
    installFlags: [{ add: '--no-cache', present: ['--no-cache'] }],
    keepRefresh: false,
    cleanup: undefined,
  },
  ...(['dnf', 'yum', 'microdnf'] as const).map(
    (name): Manager => ({
      label: name,
      isRefresh: (c) => c.name === name && sub(c) === 'makecache',
      isInstall: (c) => c.name === name && sub(c) === 'install',
      usesIndex: (c) => c.name === name && ['install', 'upgrade', 'update', 'search', 'info', 'download', 'repoquery', 'list', 'builddep'].includes(sub(c) ?? ''),
      installFlags: [{ add: '-y', present: ['-y', '--assumeyes'] }],
      keepRefresh: false,
      cleanup: {
        command: `${name} clean all`,
        present: (run) => run.commands.some((c) => c.name === name && sub(c) === 'clean'),
        covered: (run) => mountCovers(run, name === 'yum' ? '/var/cache/yum' : '/var/cache/dnf'),
      },
    }),
  ),
];

export default defineRule(
  {
    id: 'apt-update-separate',
    severity: 'warning',
    category: 'cache',
    description: '`apt-get update` (or `apk update`, `dnf makecache`) must run in the same RUN as the install that needs it.',
    docs: {
      why:
        'Each RUN is a cached layer. A RUN that only does `apt-get update` is cached with the package index of the day it was built; ' +
        'when you later add a package to the next RUN, Docker reuses the old index layer and the install fetches outdated versions ' +
        'or fails with 404s. Updating and installing in one RUN keeps the index and the packages in step, and lets you delete ' +
        '`/var/lib/apt/lists` in the same layer, which saves tens of megabytes. The quick fix merges the two RUNs: update, install ' +
        'with `-y --no-install-recommends`, and remove the lists (not when a cache mount holds them).',
      bad: 'FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl',
      good: 'FROM debian:bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*',
    },
    fix: 'unsafe',
    aliases: { dockle: 'CIS-DI-0007' },
  },
  (ctx) => {
    const model = ctx.model;
    for (const { inst, run, cmd } of runCommands(model)) {
      const manager = MANAGERS.find((m) => m.isRefresh(cmd));
      // A RUN that also reads the index (`apt-get update && apt-get download x`) is the pattern this rule asks for.
      if (!manager || run.commands.some((c) => manager.isInstall(c) || manager.usesIndex(c) || mayInstall(c))) continue;
      // Only the first refresh command of a RUN is reported.
      if (run.commands.find((c) => manager.isRefresh(c)) !== cmd) continue;
      const target = inst.inOnbuild ? undefined : inst.stage.instructions.find((i) => i.index > inst.index && i.run?.commands.some((c) => manager.isInstall(c)));
      const refresh = manager === MANAGERS[0] ? `${cmd.name} update` : cmd.args.length ? `${cmd.name} ${sub(cmd)}` : cmd.name;
      if (!target) {
        ctx.report({
          range: model.wordRange(run, cmd),
          message: `\`${refresh}\` runs in its own RUN: its layer is cached with a package index that goes stale, and it adds a layer that only holds index files. Run it in the RUN that installs.`,
        });
        continue;
      }
      const merge = planMerge(model, manager, inst, target);
      const why = typeof merge === 'string' ? ` No automatic merge: ${merge}.` : '';
      ctx.report({
        range: model.wordRange(run, cmd),
        message: `\`${refresh}\` runs in its own RUN (the install is on line ${target.range.start.line + 1}): its layer is cached with a package index that goes stale, so later installs get old versions or 404s. Run update and install in one RUN.${why}`,
        ...(typeof merge === 'string' ? {} : { fixes: [merge] }),
      });
    }
  },
);

/** The merged RUN as minimal edits, or why merging would change what the build does. */
function planMerge(model: Model, manager: Manager, refreshInst: Inst, installInst: Inst): Fix | string {
  const refreshRun = refreshInst.run!;
  const installRun = installInst.run!;
  if (refreshRun.commands.some((c) => !manager.isRefresh(c) && c.name !== 'set')) return `line ${refreshInst.range.start.line + 1} runs other commands besides the update`;
  if (refreshInst.heredocs.length || installInst.heredocs.length) return 'a heredoc RUN cannot be merged automatically';
  if (refreshRun.execForm || installRun.execForm || !refreshRun.script || !installRun.script) return 'an exec-form RUN has no shell to chain commands';
  const flags = (i: Inst): string => i.flags.map((f) => `${f.name}=${f.value ?? ''}`).sort().join(' ');
  if (flags(refreshInst) !== flags(installInst)) return 'the two RUNs have different --mount/--network/--security flags';
  const between = refreshInst.stage.instructions.filter((i) => i.index > refreshInst.index && i.index < installInst.index);
  // The merged RUN sits where the install is, so only the update moves: it must not see a different user, shell or environment.
  const blocker = between.find((i) => ['USER', 'SHELL', 'ONBUILD'].includes(i.keyword) || ((i.keyword === 'ENV' || i.keyword === 'ARG') && declarations(i).some(([name]) => affectsUpdate(name, refreshRun))));
  if (blocker) return `${blocker.keyword} on line ${blocker.range.start.line + 1} changes what the update would run with`;
  const user = between.find((i) => i.run?.commands.some((c) => manager.usesIndex(c) || manager.isRefresh(c) || c.name === 'dpkg'));
  if (user) return `line ${user.range.start.line + 1} uses the package index between the update and the install`;
  if (/(^|[^|])\|\|(?!\|)|;|\n|(^|[^&])&(?!&)/.test(stripQuoted(installRun.script.text))) return `line ${installInst.range.start.line + 1} chains commands with ';', '||' or '&', so a prefix with && would not guard all of them`;

  const style = continuationStyle(model);
  const esc = model.escape;
  const eol = model.text.includes('\r\n') ? '\r\n' : '\n';
  const multiline = installInst.range.end.line > installInst.range.start.line;
  const chain = (next: string): string => (multiline ? (style.leadingAnd ? ` ${esc}${eol}${style.indent}&& ${next}` : ` && ${esc}${eol}${style.indent}${next}`) : ` && ${next}`);
  const edits: TextEdit[] = [deleteInstruction(model, refreshInst)];

  const script = installRun.script;
  const firstCommand = installRun.commands[0]!;
  if (manager.keepRefresh) {
    const refreshText = refreshRun.commands
      .filter((c) => manager.isRefresh(c))
      .map((c) => refreshRun.script!.text.slice(c.start, c.end))
      .join(' && ');
    const prefix = multiline ? (style.leadingAnd ? `${refreshText} ${esc}${eol}${style.indent}&& ` : `${refreshText} && ${esc}${eol}${style.indent}`) : `${refreshText} && `;
    edits.push(insertAt(model, script.docOffset(firstCommand.start), prefix));
  }
  for (const c of installRun.commands.filter((x) => manager.isInstall(x))) {
    const missing = manager.installFlags.filter((f) => !hasOption(c, ...f.present.filter((p) => p.startsWith('-'))) && !c.args.some((a) => f.present.includes(a.text)));
    if (!missing.length) continue;
    const subWord = operands(c, APT_VALUE_OPTIONS)[0]!;
    edits.push(insertAt(model, script.docSpan(subWord.start, subWord.end)[1], missing.map((f) => ` ${f.add}`).join('')));
  }
  const cleanup = manager.cleanup;
  const laterNeedsIndex = () =>
    model.instructions.some(
      (i) =>
        i.index > installInst.index &&
        (i.stage === installInst.stage || dependsOnStage(i, installInst)) &&
        i.run?.commands.some((c) => manager.usesIndex(c)) &&
        !i.run.commands.some((c) => manager.isRefresh(c)),
    );
  if (cleanup && !cleanup.present(installRun) && !cleanup.covered(installRun) && !laterNeedsIndex()) {
    const trimmedEnd = script.text.trimEnd().length;
    edits.push(insertAt(model, script.docSpan(0, trimmedEnd)[1], chain(cleanup.command)));
  }
  const title = manager.keepRefresh
    ? `Merge \`${manager.label} update\` into the RUN on line ${installInst.range.start.line + 1}`
    : `Drop the separate index refresh and install with ${manager.installFlags.map((f) => f.add).join(' ')} on line ${installInst.range.start.line + 1}`;
  // It adds --no-install-recommends/-y, which can change what gets installed: never part of fix-all.
  return { title, safe: false, edits };
}

/** Proxy and package-manager variables change what an update fetches; so does any variable the update command uses. */
function affectsUpdate(name: string, refreshRun: RunInfo): boolean {
  if (/^(https?_proxy|ftp_proxy|no_proxy|all_proxy|DEBIAN_FRONTEND|APT_.*|DEBCONF_.*)$/i.test(name)) return true;
  return new RegExp(`\\$\\{?${name}\\b`).test(refreshRun.script?.text ?? '');
}

function dependsOnStage(inst: Inst, on: Inst): boolean {
  let stage = inst.stage.base?.stage;
  while (stage) {
    if (stage === on.stage) return true;
    stage = stage.base?.stage;
  }
  return false;
}

function stripQuoted(s: string): string {
  return s.replace(/'[^']*'|"(?:\\.|[^"\\])*"/g, '""');
}
