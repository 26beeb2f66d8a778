import type { Range } from 'vscode-languageserver-types';
import type { Inst, Model, RunInfo, Stage } from '../../model/model';
import type { ShellCommand, ShellWord } from '../../model/shell';
import type { Fix, RuleContext } from '../rule';
import { APT_VALUE_OPTIONS, mayHoldOptions, runCommands } from './commands';

/**
 * Helpers of the OS package manager rules (apt, apk, yum, dnf, microdnf, zypper): subcommands,
 * options that take a value, cleanup detection, which stages end up in an image, and fixes that
 * insert an option or append a cleanup command.
 */

export interface Sub {
  /** The subcommand as written (`install`, `in`); nested ones joined (`module install`). */
  name: string;
  word: ShellWord;
  /** The words after the subcommand that are not options (packages, usually). */
  operands: ShellWord[];
}

export const APK_VALUE_OPTIONS = ['-t', '--virtual', '-X', '--repository', '-p', '--root', '--arch', '--keys-dir', '--repositories-file', '--cache-dir', '--cache-max-age', '--timeout'];
export const RPM_VALUE_OPTIONS = [
  '-c',
  '--config',
  '-d',
  '--debuglevel',
  '-e',
  '--errorlevel',
  '-x',
  '--exclude',
  '--enablerepo',
  '--disablerepo',
  '--repo',
  '--repoid',
  '--setopt',
  '--installroot',
  '--releasever',
  '--forcearch',
  '--downloaddir',
  '--destdir',
  '--enableplugin',
  '--disableplugin',
  '--color',
  '--rpmverbosity',
  '--comment',
  '--advisory',
  '--advisories',
  '--bz',
  '--cve',
  '--sec-severity',
  '--secseverity',
  '--use-host-config',
];
export const ZYPPER_VALUE_OPTIONS = ['-t', '--type', '-r', '--repo', '--from', '--download', '-R', '--root', '--installroot', '-c', '--config', '--releasever', '-p', '--plus-repo', '--plus-content', '--reposd-dir', '--cache-dir', '--raw-cache-dir', '--solv-cache-dir', '--pkg-cache-dir', '-D'];

/** Words that are not options, skipping the values of `withValue` options. */
export function operandWords(cmd: ShellCommand, withValue: string[]): ShellWord[] {
  const out: ShellWord[] = [];
  let afterDashDash = false;
  for (let i = 0; i < cmd.args.length; i++) {
    const a = cmd.args[i]!;
    if (afterDashDash) out.push(a);
    else if (a.text === '--') afterDashDash = true;
    else if (a.text.startsWith('-') && a.text.length > 1) {
      if (withValue.includes(a.text)) i++;
    } else out.push(a);
  }
  return out;
}

/** The subcommand of a package manager call and the operands after it; `nested` subcommands (`module install`) are joined. */
export function subcommandOf(cmd: ShellCommand, withValue: string[], nested: string[] = []): Sub | undefined {
  const ops = operandWords(cmd, withValue);
  const first = ops[0];
  if (!first || first.dynamic) return undefined;
  if (nested.includes(first.text) && ops[1] && !ops[1].dynamic) return { name: `${first.text} ${ops[1].text}`, word: ops[1], operands: ops.slice(2) };
  return { name: first.text, word: first, operands: ops.slice(1) };
}

export const isApt = (cmd: ShellCommand): boolean => cmd.name === 'apt-get' || cmd.name === 'apt';

const APT_SIMULATE = new Set(['-s', '--simulate', '--just-print', '--dry-run', '--recon', '--no-act']);

/** `apt-get -s install ...` only prints what it would do. */
export function aptSimulates(cmd: ShellCommand): boolean {
  return cmd.args.some((a) => APT_SIMULATE.has(a.text) || (/^-[A-Za-z]+$/.test(a.text) && a.text.includes('s')));
}

export function aptSub(cmd: ShellCommand): Sub | undefined {
  return isApt(cmd) ? subcommandOf(cmd, APT_VALUE_OPTIONS) : undefined;
}

export function apkSub(cmd: ShellCommand): Sub | undefined {
  return cmd.name === 'apk' ? subcommandOf(cmd, APK_VALUE_OPTIONS) : undefined;
}

/** yum, dnf, dnf5, microdnf: `module install` and `group install` count as one subcommand. */
export function rpmSub(cmd: ShellCommand): Sub | undefined {
  return subcommandOf(cmd, RPM_VALUE_OPTIONS, ['module', 'group', 'groups']);
}

export function zypperSub(cmd: ShellCommand): Sub | undefined {
  return cmd.name === 'zypper' ? subcommandOf(cmd, ZYPPER_VALUE_OPTIONS) : undefined;
}

/** Options written before the subcommand word (global options). */
export function optionsBefore(cmd: ShellCommand, word: ShellWord): ShellWord[] {
  return cmd.args.filter((a) => a.start < word.start && a.text.startsWith('-'));
}

/** Whether `cmd` reads its standard input from an earlier command of a pipeline (`yes | apt-get install ...`). */
export function hasPipedInput(cmd: ShellCommand): boolean {
  return cmd.pipelinePosition > 0;
}

/**
 * Whether the stage's files end up in the image: the last stage and the stages it builds FROM.
 * Builder stages that are only copied from (COPY --from) ship nothing of their own layers.
 */
export function stageIsShipped(model: Model, stage: Stage): boolean {
  for (let s: Stage | undefined = model.stages[model.stages.length - 1], seen = 0; s && seen <= model.stages.length; s = s.base?.stage, seen++) {
    if (s === stage) return true;
  }
  return false;
}

/** ONBUILD triggers always run in a child image; other RUNs matter when their stage is shipped. */
export function runIsShipped(model: Model, inst: Inst): boolean {
  return inst.inOnbuild || stageIsShipped(model, inst.stage);
}

/** Stages that build FROM `stage`, directly or through other stages. */
export function descendantStages(model: Model, stage: Stage): Stage[] {
  const out: Stage[] = [];
  const visit = (s: Stage): void => {
    for (const child of model.stages) {
      if (child.base?.stage === s && !out.includes(child)) {
        out.push(child);
        visit(child);
      }
    }
  };
  visit(stage);
  return out;
}

/** RUNs that execute on top of what `inst` leaves: later in its stage, and in every stage built from it. */
export function runsAfter(model: Model, inst: Inst): Inst[] {
  const stages = [inst.stage, ...descendantStages(model, inst.stage)];
  return model.runs().filter((r) => stages.includes(r.stage) && (r.stage !== inst.stage || r.index > inst.index) && !r.inOnbuild);
}

/** Instructions that ran before `inst` in its image: earlier in its stage and in the stages it builds on. */
export function earlierRuns(model: Model, inst: Inst): Inst[] {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = inst.stage; s && !chain.includes(s); s = s.base?.stage) chain.push(s);
  return model.runs().filter((r) => chain.includes(r.stage) && (r.stage !== inst.stage || r.index < inst.index) && !r.inOnbuild);
}

/**
 * Whether a config line matching `pattern` was written before (`echo 'APT::Get::Assume-Yes "true";' > /etc/apt/apt.conf.d/...`):
 * by an earlier RUN, or in the same RUN by a command before `cmd`.
 */
export function configuredEarlier(model: Model, inst: Inst, pattern: RegExp, cmd?: ShellCommand): boolean {
  const writes = (c: ShellCommand): boolean => c.args.some((a) => pattern.test(a.text));
  if (cmd && inst.run?.commands.some((c) => c.start < cmd.start && writes(c))) return true;
  const inRuns = earlierRuns(model, inst).some((r) => r.run!.commands.some(writes));
  if (inRuns) return true;
  // COPY <<EOF /etc/apt/apt.conf.d/... writes the same setting through a heredoc.
  const chain: Stage[] = [];
  for (let s: Stage | undefined = inst.stage; s && !chain.includes(s); s = s.base?.stage) chain.push(s);
  return model.instructions.some((i) => chain.includes(i.stage) && (i.stage !== inst.stage || i.index < inst.index) && (i.keyword === 'COPY' || i.keyword === 'ADD') && i.heredocs.some((h) => pattern.test(h.body.text)));
}

function normPath(p: string): string {
  return p.replace(/\/+$/, '') || '/';
}

/** Whether removing `arg` removes the contents of `dir`: the folder itself, `dir/*`, or a parent (never `/`). */
function removesDir(arg: string, dir: string): boolean {
  const a = normPath(arg);
  const d = normPath(dir);
  if (a === d || a === `${d}/*` || a === `${d}/**`) return true;
  return a !== '/' && a.length > 1 && !/[*?[]/.test(a) && d.startsWith(a + '/');
}

/**
 * Whether a path word of `rm` may remove `dir`. A value that cannot be known counts when the word is
 * only a variable, or its literal start points into `dir` (`/var/lib/apt/$X`): never guess.
 */
function wordRemovesDir(inst: Inst, word: ShellWord, dirs: string[]): boolean {
  if (!word.dynamic) return dirs.some((d) => removesDir(word.text, d));
  const e = inst.scope.expand(word.text);
  if (e.certain) return dirs.some((d) => removesDir(e.text, d));
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?(\/\*?)?$/.test(word.text)) return true;
  const prefix = word.text.slice(0, word.text.indexOf('$'));
  return prefix.length > 1 && dirs.some((d) => normPath(d).startsWith(prefix) || prefix.startsWith(normPath(d) + '/'));
}

/** Whether a command removes the contents of one of `dirs` (`rm -rf dir/*`, `find dir -delete`). */
export function commandRemoves(inst: Inst, cmd: ShellCommand, dirs: string[]): boolean {
  if (cmd.name === 'rm') return cmd.args.some((a) => !a.text.startsWith('-') && wordRemovesDir(inst, a, dirs));
  if (cmd.name === 'find') {
    const deletes = cmd.args.some((a) => a.text === '-delete' || a.text === 'rm');
    return deletes && cmd.args.some((a) => !a.text.startsWith('-') && dirs.some((d) => normPath(a.text) === normPath(d) || normPath(a.text).startsWith(normPath(d) + '/')));
  }
  return false;
}

/** Whether a cache or tmpfs mount of the RUN covers `dir` (so nothing written there reaches the layer). */
export function mountCoversAny(run: RunInfo, dirs: string[]): boolean {
  return dirs.some((d) =>
    run.mounts.some((m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target !== undefined && (normPath(d) === normPath(m.target) || normPath(d).startsWith(normPath(m.target) + '/'))),
  );
}

/** The range from a command's name to the end of `last` (e.g. `apt-get install`), never the wrappers before it. */
export function commandRange(model: Model, run: RunInfo, cmd: ShellCommand, last?: ShellWord): Range {
  return model.scriptRange(run, cmd.nameWord.start, (last ?? cmd.nameWord).end);
}

/** Inserts an option word right after `word`: ` -y` in shell form, `, "-y"` in exec form. */
export function insertAfter(model: Model, run: RunInfo, word: ShellWord, option: string, title: string): Fix {
  const at = model.wordRange(run, word).end;
  const text = run.execForm ? `, ${JSON.stringify(option)}` : ` ${option}`;
  return { title, safe: true, edits: [{ range: { start: at, end: at }, newText: text }] };
}

/**
 * Appends ` && <command>` after the last character of a shell-form RUN, when that is certainly the
 * end of the script: no heredoc, no comment, no trailing operator.
 */
export function appendToRun(model: Model, inst: Inst, command: string): Fix['edits'] | undefined {
  const run = inst.run;
  if (!run || run.execForm || inst.heredocs.length || !run.shell || run.shell.hasError) return undefined;
  const text = inst.argsText.text;
  if (text.includes('#')) return undefined;
  const trimmed = text.replace(/\s+$/, '');
  if (!trimmed || /[;&|\\]$/.test(trimmed)) return undefined;
  const [, end] = inst.argsText.docSpan(trimmed.length - 1, trimmed.length);
  const at = model.range(end, end).start;
  return [{ range: { start: at, end: at }, newText: ` && ${command}` }];
}

/** Every command of every RUN with a parsed subcommand, for one family of tools. */
export function* subcommands(model: Model, parse: (cmd: ShellCommand) => Sub | undefined): Generator<{ inst: Inst; run: RunInfo; cmd: ShellCommand; sub: Sub }> {
  for (const { inst, run, cmd } of runCommands(model)) {
    const sub = parse(cmd);
    if (sub) yield { inst, run, cmd, sub };
  }
}

/**
 * A package word with its ARG/ENV values expanded, or undefined when a value cannot be known
 * (a shell variable, an ARG without default): those are never reported.
 */
export function packageTexts(inst: Inst, word: ShellWord): string[] | undefined {
  if (!word.dynamic) return [word.text];
  if (/\$\(|`/.test(word.raw)) return undefined;
  const e = inst.scope.expand(word.text);
  if (!e.certain) return undefined;
  // An unquoted variable splits into several packages.
  return word.raw.startsWith('"') || word.raw.startsWith("'") ? [e.text] : e.text.split(/\s+/).filter(Boolean);
}

/**
 * Package operands as written: the words one `$PKGS` expands to are grouped under it, with the packages they name
 * (undefined when a value cannot be known).
 */
export function packageWords(inst: Inst, words: ShellWord[]): [ShellWord, string[] | undefined][] {
  const out: [ShellWord, string[] | undefined][] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.expanded) {
      out.push([word, packageTexts(inst, word)]);
      continue;
    }
    const group = [word];
    while (words[i + 1]?.expanded && words[i + 1]!.start === word.start && words[i + 1]!.end === word.end) group.push(words[++i]!);
    out.push([word, group.some((w) => w.dynamic) ? undefined : group.map((w) => w.text)]);
  }
  return out;
}

export const YUM = ['yum'];
/** dnf and its relatives with the same command line: dnf5, microdnf (UBI minimal), tdnf (Photon, Azure Linux). */
export const DNF = ['dnf', 'dnf5', 'dnf-3', 'microdnf', 'tdnf'];

/** Subcommands that install or update packages: they fetch repository metadata and ask before changing anything. */
const RPM_INSTALLING = [
  'install',
  'in',
  'reinstall',
  'rei',
  'localinstall',
  'groupinstall',
  'group install',
  'groups install',
  'module install',
  'update',
  'upgrade',
  'up',
  'update-minimal',
  'upgrade-minimal',
  'localupdate',
  'groupupdate',
  'group update',
  'group upgrade',
  'downgrade',
  'dg',
  'distro-sync',
  'dsync',
  'distribution-synchronization',
  'swap',
  'builddep',
  'debuginfo-install',
];

/** Subcommands that change packages and ask "Is this ok [y/N]" first. */
export const RPM_PROMPTING = new Set([...RPM_INSTALLING, 'remove', 'rm', 'erase', 'autoremove', 'groupremove', 'group remove', 'module remove']);

/** Subcommands that download repository metadata (and packages) into the cache. */
export const RPM_FETCHING = new Set([...RPM_INSTALLING, 'module enable', 'makecache', 'mc']);

/** Cache folders of yum (3), dnf (4, and yum 4 on RHEL 8+), dnf5, microdnf and tdnf. */
export const RPM_CACHES = ['/var/cache/yum', '/var/cache/dnf', '/var/cache/libdnf5', '/var/cache/tdnf'];

export const RPM_ASSUME_YES = /\bassumeyes\s*=\s*(1|true|yes|on)\b/i;

/** `-y`, `--assumeyes`, `--setopt=assumeyes=1`, or a short option cluster with `y` (`-yq`). */
export function rpmAnswersYes(cmd: ShellCommand): boolean {
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === '--') break;
    if (t === '--assumeyes' || t === '--assume-yes' || t === '--yes') return true;
    if (/^-[A-Za-z]+$/.test(t) && t.includes('y')) return true;
    const setopt = t === '--setopt' ? args[i + 1]?.text : /^--setopt=(.*)$/.exec(t)?.[1];
    if (setopt && RPM_ASSUME_YES.test(setopt)) return true;
  }
  return false;
}

/** `yum clean all`, `dnf clean all`, `microdnf clean all` (any of them: on RHEL 8+ yum is dnf). */
export function rpmCleansAll(inst: Inst, cmd: ShellCommand): boolean {
  if ([...YUM, ...DNF].includes(cmd.name)) {
    const sub = rpmSub(cmd);
    if (sub?.name === 'clean' && sub.operands.some((o) => o.text === 'all')) return true;
  }
  return commandRemoves(inst, cmd, RPM_CACHES);
}

/** An rpm package spec with a version: `name-1.2`, `name-1:1.2`, a module stream `name:stream`, `name >= 1.2`, a `.rpm` file or URL. */
export function rpmPinned(pkg: string, module: boolean): boolean {
  if (module) return pkg.includes(':');
  // `@group` cannot be pinned, and `@module:stream` is.
  if (pkg.startsWith('@')) return true;
  return /-\d/.test(pkg) || /[<>=]/.test(pkg) || pkg.endsWith('.rpm') || pkg.includes('/');
}

/** The command as written, to append a cleanup that runs the same tool; undefined when wrapped (`sudo`) or dynamic. */
export function plainToolName(cmd: ShellCommand): string | undefined {
  if (cmd.wrappers.length || cmd.assignments.length || cmd.nameWord.dynamic || cmd.nameWord.raw !== cmd.nameWord.text) return undefined;
  return cmd.nameWord.raw;
}

/** The checks shared by the yum and dnf rules, for one family of tools. */
export const rpmChecks = {
  missingYes(tools: string[]) {
    return (ctx: RuleContext): void => {
      for (const { inst, run, cmd, sub } of subcommands(ctx.model, (c) => (tools.includes(c.name) ? rpmSub(c) : undefined))) {
        if (!RPM_PROMPTING.has(sub.name) || rpmAnswersYes(cmd) || mayHoldOptions(cmd) || hasPipedInput(cmd)) continue;
        if (configuredEarlier(ctx.model, inst, RPM_ASSUME_YES)) continue;
        ctx.report({
          range: commandRange(ctx.model, run, cmd, sub.word),
          message: `\`${cmd.name} ${sub.name}\` without \`-y\` asks "Is this ok [y/N]", reads no answer in \`docker build\`, aborts the transaction and fails the build. Add \`-y\`.`,
          fixes: [insertAfter(ctx.model, run, sub.word, '-y', `Add -y to ${cmd.name} ${sub.name}`)],
        });
      }
    };
  },
  cleanMissing(tools: string[]) {
    return (ctx: RuleContext): void => {
      const model = ctx.model;
      for (const inst of model.runs()) {
        const run = inst.run!;
        if (!runIsShipped(model, inst) || mountCoversAny(run, RPM_CACHES)) continue;
        const fetching = run.commands.filter((c) => tools.includes(c.name) && RPM_FETCHING.has(rpmSub(c)?.name ?? ''));
        const last = fetching[fetching.length - 1];
        if (!last || run.commands.some((c) => c.start > last.start && rpmCleansAll(inst, c))) continue;
        const tool = plainToolName(last);
        const edits = tool && !inst.inOnbuild ? appendToRun(model, inst, `${tool} clean all`) : undefined;
        ctx.report({
          range: commandRange(model, run, last, rpmSub(last)!.word),
          message: `\`${last.name} ${rpmSub(last)!.name}\` leaves the repository metadata and downloaded packages in /var/cache (tens to hundreds of MB), and a later RUN cannot take them out of this layer. End this RUN with \`${last.name} clean all\`.`,
          fixes: edits ? [{ title: `Run ${last.name} clean all at the end of this RUN`, safe: true, edits }] : undefined,
        });
      }
    };
  },
  pinVersions(tools: string[]) {
    return (ctx: RuleContext): void => {
      for (const { inst, run, cmd, sub } of subcommands(ctx.model, (c) => (tools.includes(c.name) ? rpmSub(c) : undefined))) {
        const module = sub.name === 'module install';
        if (sub.name !== 'install' && sub.name !== 'in' && !module) continue;
        for (const [word, texts] of packageWords(inst, sub.operands)) {
          const loose = texts?.filter((t) => !rpmPinned(t, module));
          if (!loose?.length) continue;
          const hint = module ? `${loose[0]}:<stream>` : `${loose[0]}-<version>`;
          ctx.report({
            range: ctx.model.wordRange(run, word),
            message: `${packageSubject(word, loose)} is installed by \`${cmd.name}\` without a version: the layer keeps whatever was current when it was first built, and a rebuild without cache may get another. Pin it as \`${hint}\`.`,
          });
        }
      }
    };
  },
};

/** How a pin message names the package: `curl`, or `$PKGS` (`curl`, `wget`) when it comes from a variable. */
export function packageSubject(word: ShellWord, loose: string[]): string {
  const names = `\`${loose.join('`, `')}\``;
  return word.dynamic || word.expanded ? `\`${word.raw}\` (${names})` : names;
}
