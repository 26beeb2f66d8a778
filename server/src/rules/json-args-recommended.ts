import type { Inst, Model } from '../model/model';
import { isPosixShell } from '../model/model';
import { commentLinesInside, indentOf, insertLinesBefore, isShellWord, officialName, rootBase, splitShell, stageChain, type ShellFeature } from './lib/fix-helpers';
import { defineRule, type Fix } from './rule';

/**
 * Official images whose ENTRYPOINT is absent or passes any command through unchanged (`exec "$@"`,
 * prepending the interpreter only to an argument that starts with `-`): a CMD of theirs means the
 * same in shell and exec form. nginx, redis, postgres … look at `$1` and act on it, so they are not here.
 */
const PASS_THROUGH_IMAGES = new Set([
  'debian', 'ubuntu', 'alpine', 'busybox', 'buildpack-deps', 'centos', 'fedora', 'rockylinux', 'almalinux', 'amazonlinux', 'oraclelinux',
  'python', 'pypy', 'golang', 'rust', 'ruby', 'node', 'php', 'perl', 'gcc', 'openjdk', 'eclipse-temurin', 'amazoncorretto', 'erlang', 'elixir', 'haskell', 'swift',
]);

/** Features that `sh -c 'exec …'` keeps while making the program PID 1: one simple command, expanded by the shell. */
const EXEC_KEEPS: ShellFeature[] = ['expansion', 'glob', 'tilde', 'brace', 'redirect'];

/** What a POSIX shell does with `sh -c "<one simple command>"`: bash and BusyBox ash exec it (the program becomes PID 1), dash forks and waits. */
type ShellKind = 'bash' | 'busybox' | 'dash';

/** Official images whose default tags are Debian or Ubuntu, where /bin/sh is dash. */
const DASH_IMAGES = new Set([
  'debian', 'ubuntu', 'buildpack-deps', 'python', 'pypy', 'node', 'golang', 'ruby', 'rust', 'perl', 'php', 'gcc', 'eclipse-temurin', 'maven', 'gradle',
  'haskell', 'erlang', 'elixir', 'julia', 'swift', 'r-base', 'clojure', 'nginx', 'httpd', 'postgres', 'redis', 'mariadb', 'mongo', 'rabbitmq',
]);
/** Official images built on Fedora or RHEL relatives, where /bin/sh is bash. */
const BASH_IMAGES = new Set(['fedora', 'centos', 'rockylinux', 'almalinux', 'amazonlinux', 'oraclelinux', 'amazoncorretto']);

/** The shell that runs a shell-form command of this stage; undefined when it cannot be known. 'none': FROM scratch has no /bin/sh. */
function shellKind(target: Inst): ShellKind | 'none' | undefined {
  const program = target.shell[0] ?? '';
  const name = program.slice(program.lastIndexOf('/') + 1);
  if (name === 'bash') return 'bash';
  if (name === 'ash' || name === 'busybox') return 'busybox';
  if (name === 'dash') return 'dash';
  if (program !== '/bin/sh') return undefined;
  const base = rootBase(target.stage);
  if (!base) return undefined;
  if (base.scratch) return 'none';
  const ref = base.ref!;
  const tag = (ref.tag ?? '').toLowerCase();
  if (/^(registry\.access\.redhat\.com|registry\.redhat\.io|registry\.fedoraproject\.org)$/.test(ref.registry ?? '') || /^redhat\/ubi/.test(ref.name)) return 'bash';
  if (ref.registry === 'quay.io' && /^(fedora|centos|centos-bootc|toolbx-images)\//.test(ref.name)) return 'bash';
  const official = officialName(ref);
  if (!official || /windows|nanoserver|servercore/.test(tag)) return undefined;
  if (official === 'alpine' || official === 'busybox' || /(^|[-.])alpine/.test(tag)) return 'busybox';
  if (BASH_IMAGES.has(official)) return 'bash';
  if (DASH_IMAGES.has(official) || /(^|[-.])(bookworm|bullseye|buster|trixie|slim|jammy|noble|focal)([-.]|$)/.test(tag)) return 'dash';
  return undefined;
}

/**
 * Whether `sh -c "<text>"` replaces the shell with the program: always after an explicit `exec`; for one simple command
 * of an external program in BusyBox ash (redirections too) and bash (without redirections), never in dash.
 */
function execsProgram(text: string, shell: ShellKind | undefined): boolean {
  const { words, features } = splitShell(text);
  const first = words[0];
  if (first === undefined || first.startsWith('-')) return false;
  if (first === 'exec') return words.length > 1 && [...features].every((f) => EXEC_KEEPS.includes(f));
  if (shell !== 'bash' && shell !== 'busybox') return false;
  const keeps = shell === 'busybox' ? EXEC_KEEPS : EXEC_KEEPS.filter((f) => f !== 'redirect');
  return [...features].every((f) => keeps.includes(f)) && !isShellWord(first);
}

/** Whether the command would run as PID 1 under BusyBox ash or bash: with an unknown image, the finding is then conditional. */
function execsUnderAshOrBash(text: string): boolean {
  return execsProgram(text, 'busybox') || execsProgram(text, 'bash');
}

/** Inits that pass SIGTERM to every process of the command, not just to the shell they start. */
function initForwardsToAll(json: string[] | undefined): string | undefined {
  if (!json?.length) return undefined;
  const program = json[0]!;
  const name = program.slice(program.lastIndexOf('/') + 1);
  const options = json.slice(1, json.indexOf('--') < 0 ? undefined : json.indexOf('--'));
  // dumb-init signals the whole process group unless told to stay with the child; s6-overlay's /init stops every process.
  if (name === 'dumb-init') return options.some((o) => o === '-c' || o === '--single-child') ? undefined : name;
  if (program === '/init' || program === '/command/s6-svscan') return 's6-overlay';
  // tini, docker-init and catatonit signal only their child (the shell) unless -g sends to its process group.
  if (['tini', 'tini-static', 'docker-init', 'catatonit'].includes(name)) return options.some((o) => /^-[a-zA-Z]*g/.test(o)) ? name : undefined;
  return undefined;
}

/** The ENTRYPOINT in effect for a stage's image (its own or a parent stage's), if the Dockerfile sets one. */
function entrypointOf(stage: Inst['stage']): Inst | undefined {
  for (const s of stageChain(stage)) {
    const last = [...s.instructions].reverse().find((i) => i.keyword === 'ENTRYPOINT');
    if (last) return last;
  }
  return undefined;
}

/** An init in exec form (`tini`, `dumb-init`) that only forwards to its child: the shell gets SIGTERM, not the program. */
function childOnlyInit(json: string[] | undefined): string | undefined {
  const name = json?.[0]?.slice(json[0].lastIndexOf('/') + 1);
  return name && ['tini', 'tini-static', 'docker-init', 'catatonit', 'dumb-init'].includes(name) && !initForwardsToAll(json) ? name : undefined;
}

/** What is true of this shell-form CMD/ENTRYPOINT on its image; undefined when nothing is wrong with it. */
function problem(target: Inst, text: string): string | undefined {
  const kw = target.keyword;
  const shell = shellKind(target);
  const use = `Use the exec form: ${kw} ["executable", "arg"].`;
  if (shell === 'none') return `${kw} in shell form runs under /bin/sh -c, and an image built FROM scratch has no /bin/sh unless one is copied in: the container cannot start. ${use}`;
  const execs = execsProgram(text, shell);
  if (kw === 'ENTRYPOINT') {
    const ignored = 'ignores CMD and the arguments of `docker run`';
    if (execs) return `ENTRYPOINT in shell form ${ignored}: they are not passed to the program. ${use}`;
    if (shell === undefined && execsUnderAshOrBash(text)) {
      return `ENTRYPOINT in shell form ${ignored}, and unless the image's /bin/sh replaces itself with the command (BusyBox ash and bash do, dash does not) the program is not PID 1 and does not receive SIGTERM on \`docker stop\`. ${use}`;
    }
    return `ENTRYPOINT in shell form runs under /bin/sh -c, so the program is not PID 1 and does not receive SIGTERM on \`docker stop\`; it also ${ignored}. ${use}`;
  }
  if (execs) return undefined;
  const entrypoint = entrypointOf(target.stage);
  if (entrypoint && initForwardsToAll(entrypoint.json)) return undefined;
  const init = entrypoint && childOnlyInit(entrypoint.json);
  if (shell === undefined && execsUnderAshOrBash(text)) {
    if (init) return `CMD in shell form runs under /bin/sh -c, and ${init} passes SIGTERM only to that shell: unless the image's /bin/sh replaces itself with the command (BusyBox ash and bash do, dash does not), the program does not receive it on \`docker stop\`. ${use}`;
    return `CMD in shell form runs under /bin/sh -c: unless the image's /bin/sh replaces itself with the command (BusyBox ash and bash do, dash does not), the program is not PID 1 and does not receive SIGTERM on \`docker stop\`. ${use}`;
  }
  if (init) return `CMD in shell form runs under /bin/sh -c, and ${init} passes SIGTERM only to that shell, which does not pass it on: the program is stopped without a clean shutdown. ${use}`;
  return `CMD in shell form runs under /bin/sh -c, so the program is not PID 1 and does not receive SIGTERM on \`docker stop\`. ${use}`;
}

function quoteList(words: string[]): string {
  return `[${words.map((w) => JSON.stringify(w)).join(', ')}]`;
}

function short(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Stages built FROM `stage`, directly or through others. */
function descendants(model: Model, stage: Inst['stage']): Inst['stage'][] {
  return model.stages.filter((s) => s !== stage && stageChain(s).includes(stage));
}

/**
 * Whether the plain exec form means what the shell form meant, apart from signals reaching the program:
 * - a CMD is handed to the ENTRYPOINT in effect as arguments: `/bin/sh -c "…"` before, the words after.
 *   Only safe with no ENTRYPOINT in the stage or the stages it builds on, on a base image known to have none
 *   (or one that passes the command through).
 * - a shell-form ENTRYPOINT ignores CMD and `docker run` arguments; in exec form they are appended.
 *   Only safe with no CMD in its stage or in the stages built on it (a base image's CMD is reset by ENTRYPOINT).
 */
function plainFormIsSafe(model: Model, target: Inst): boolean {
  if (target.inOnbuild) return false;
  if (target.keyword === 'CMD') {
    if (stageChain(target.stage).some((s) => s.instructions.some((i) => i.keyword === 'ENTRYPOINT'))) return false;
    const base = rootBase(target.stage);
    if (!base) return false;
    if (base.scratch) return true;
    const name = officialName(base.ref!);
    return name !== undefined && PASS_THROUGH_IMAGES.has(name);
  }
  return ![target.stage, ...descendants(model, target.stage)].some((s) => s.instructions.some((i) => i.keyword === 'CMD'));
}

/** The exec-form rewrite of a shell-form CMD/ENTRYPOINT: the plain words, `sh -c 'exec …'`, or the command under an explicit shell. */
function execFormFixes(model: Model, inst: Inst, target: Inst): Fix[] {
  const text = target.argsText.text.trim();
  // `CMD [node, server.js]` is broken JSON, not a shell command: rewriting it would hide the mistake.
  if (!text || text.startsWith('[') || target.heredocs.length) return [];
  const shell = target.shell;
  const posix = isPosixShell(shell) && !(model.shellPragma && !/(^|\/)(sh|bash|dash|ash|zsh|ksh|mksh|busybox)$/.test(model.shellPragma));
  if (!posix) return [];
  const at = target.argsText.text.indexOf(text);
  const [s, e] = target.argsText.docSpan(at, at + text.length);
  const range = model.range(s, e);
  const comments = commentLinesInside(model, target);
  const edits = (json: string) => [...(comments.length ? [insertLinesBefore(model, inst.range.start.line, comments.map((c) => c.replace(/^[ \t]*/, indentOf(model, inst))))] : []), { range, newText: json }];
  const keyword = target.keyword;
  const split = splitShell(text);
  // A command that starts with an option is broken either way.
  if (split.words[0]?.startsWith('-')) return [];
  let words = split.words;
  if (!split.features.size && words[0] === 'exec' && words.length > 1 && !words[1]!.startsWith('-')) words = words.slice(1);
  if (!split.features.size && words.length && !isShellWord(words[0]!)) {
    const json = quoteList(words);
    return [{ title: `Use the exec form: ${keyword} ${short(json)}`, safe: plainFormIsSafe(model, target), edits: edits(json) }];
  }
  const first = words[0];
  const simple = [...split.features].every((f) => EXEC_KEEPS.includes(f)) && first !== undefined && (first === 'exec' ? words.length > 1 : !isShellWord(first));
  if (simple) {
    // `exec` replaces the shell with the program: it is PID 1 and gets the signals, and the shell still expands the words.
    // The argv starts with the shell as before, so an ENTRYPOINT or CMD sees what it saw.
    const command = first === 'exec' ? text : `exec ${text}`;
    const json = quoteList([...shell, command]);
    return [{ title: `Use the exec form, the shell replaced by the program: ${keyword} ${short(json)}`, safe: !target.inOnbuild, edits: edits(json) }];
  }
  // Several commands: the shell stays PID 1. This writes down what Docker runs today, so it changes nothing,
  // fixes nothing about signals either, and is left to a person (never fix-all).
  const json = quoteList([...shell, text]);
  return [{ title: `Write the shell explicitly: ${keyword} ${short(json)} (the shell stays PID 1)`, safe: false, edits: edits(json) }];
}

export default defineRule(
  {
    id: 'json-args-recommended',
    severity: 'warning',
    category: 'maintainability',
    description: 'CMD and ENTRYPOINT should use the exec (JSON) form so the process gets signals as PID 1.',
    docs: {
      why:
        'In shell form, Docker runs `/bin/sh -c "<command>"`: the shell is PID 1, and `docker stop` sends SIGTERM to the shell, ' +
        'which does not pass it on. The container is killed after the 10 s grace period instead of shutting down cleanly. ' +
        'The exec form runs the program itself as PID 1. When a SHELL instruction changes the shell on purpose, the shell form is left alone.\n\n' +
        'What the shell does depends on the base image. BusyBox ash (Alpine, BusyBox) and bash (Fedora, RHEL, Rocky, Amazon Linux) replace ' +
        'themselves with a single simple command (bash only without redirections), so such a CMD already runs as PID 1 and is not reported; ' +
        'dash, the /bin/sh of Debian, Ubuntu and the official images built on them, never does. When the base image is unknown (an ARG, ' +
        'a private registry), the message says so conditionally. A CMD that starts with `exec`, or one under an exec-form ENTRYPOINT of an ' +
        'init that signals the whole process group (`dumb-init`, s6-overlay\'s `/init`, `tini -g`), gets SIGTERM and is not reported; ' +
        'plain `tini` passes it only to the shell. A shell-form ENTRYPOINT is always reported: whatever the shell, it ignores CMD and the ' +
        'arguments of `docker run`.\n\n' +
        'The quick fix splits the command the way the shell would (quotes removed, escapes resolved, continuation lines joined, comment lines ' +
        'kept above the instruction) and writes each word as a JSON string. It is safe when the command uses no shell feature and nothing ' +
        'else reads its words differently: a CMD with no ENTRYPOINT in the stage on a base image known to have none (or one that passes ' +
        'the command through); an ENTRYPOINT with no CMD in its stage or the stages built on it (in exec form it receives CMD and ' +
        '`docker run` arguments, which the shell form ignored). A single command that needs the shell for variables, globs or redirections ' +
        'becomes `["/bin/sh", "-c", "exec <command>"]`: the shell expands the words and then replaces itself with the program, which becomes ' +
        'PID 1 (safe). Several commands (`&&`, pipes, `;`) can only be written as `["/bin/sh", "-c", "<command>"]`, exactly what Docker ' +
        'runs today: the shell stays PID 1, so that rewrite is offered but never applied by fix-all.',
      bad: 'FROM node:20\nCMD node server.js',
      good: 'FROM node:20\nCMD ["node", "server.js"]',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3025'], buildkit: 'JSONArgsRecommended' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword !== 'CMD' && target.keyword !== 'ENTRYPOINT') continue;
      if (target.json !== undefined || !target.argsText.text.trim()) continue;
      // A SHELL instruction in this stage means the author chose the shell on purpose (BuildKit agrees).
      if (target.stage.instructions.some((i) => i.keyword === 'SHELL' && i.index < target.index)) continue;
      const message = problem(target, target.argsText.text.trim());
      if (!message) continue;
      const [s, e] = target.argsText.docSpan(0, target.argsText.text.length);
      const fixes = execFormFixes(ctx.model, inst, target);
      ctx.report({
        range: ctx.model.range(s, e),
        message,
        ...(fixes.length ? { fixes } : {}),
      });
    }
  },
);
