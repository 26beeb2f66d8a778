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
      const [s, e] = target.argsText.docSpan(0, target.argsText.text.length);
      const fixes = execFormFixes(ctx.model, inst, target);
      ctx.report({
        range: ctx.model.range(s, e),
        message: `${target.keyword} in shell form runs under /bin/sh -c, so the program is not PID 1 and does not receive SIGTERM on \`docker stop\`. Use the exec form: ${target.keyword} ["executable", "arg"].`,
        ...(fixes.length ? { fixes } : {}),
      });
    }
  },
);
