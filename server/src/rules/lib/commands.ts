import type { Inst, Model, RunInfo } from '../../model/model';
import type { ShellCommand, ShellWord } from '../../model/shell';

/** Every shell command of every RUN (ONBUILD triggers included), with its instruction. */
export function* runCommands(model: Model): Generator<{ inst: Inst; run: RunInfo; cmd: ShellCommand }> {
  for (const inst of model.runs()) {
    const run = inst.run!;
    for (const cmd of run.commands) yield { inst, run, cmd };
  }
}

/**
 * Whether a command has an option: `-y` matches `-y`, `-qy` and `-y=...`; `--yes` matches
 * `--yes` and `--yes=...`. Arguments after `--` are operands.
 */
export function hasOption(cmd: ShellCommand, ...names: string[]): boolean {
  return findOption(cmd, ...names) !== undefined;
}

export function findOption(cmd: ShellCommand, ...names: string[]): ShellWord | undefined {
  for (const a of cmd.args) {
    const t = a.text;
    if (t === '--') return undefined;
    for (const n of names) {
      if (n.startsWith('--')) {
        if (t === n || t.startsWith(n + '=')) return a;
      } else if (n.length === 2 && /^-[A-Za-z0-9]/.test(n)) {
        if (t === n || (/^-[A-Za-z0-9]+$/.test(t) && t.includes(n[1]!))) return a;
      } else if (t === n || t.startsWith(n + '=')) {
        return a;
      }
    }
  }
  return undefined;
}

/**
 * Whether some argument may be options nobody can know: an unquoted expansion whose value is unknown (`wget $WGET_OPTS url`,
 * `$(cat flags)`) becomes any number of words. A rule that reports a missing option stays quiet then: it would be guessing.
 * Known ARG/ENV values are already expanded in the model; a quoted expansion is one word, in the place of an operand, and
 * so is a variable the script assigns only plain words (`ShellWord.operand`).
 */
export function mayHoldOptions(cmd: ShellCommand): boolean {
  for (const a of cmd.args) {
    if (a.text === '--') return false;
    if (a.dynamic && !a.operand && /^(\$|`)/.test(a.raw)) return true;
  }
  return false;
}

/** The value of `--opt value`, `--opt=value` or `-o value`. */
export function optionValue(cmd: ShellCommand, ...names: string[]): string | undefined {
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    for (const n of names) {
      if (t === n) return args[i + 1]?.text;
      if (t.startsWith(n + '=')) return t.slice(n.length + 1);
    }
  }
  return undefined;
}

/**
 * Words that are not options. `withValue` lists options that consume the next word
 * (`-o Dpkg::Options=...`, `-t bookworm`).
 */
export function operands(cmd: ShellCommand, withValue: string[] = []): ShellWord[] {
  const out: ShellWord[] = [];
  let afterDashDash = false;
  for (let i = 0; i < cmd.args.length; i++) {
    const a = cmd.args[i]!;
    if (afterDashDash) {
      out.push(a);
      continue;
    }
    if (a.text === '--') {
      afterDashDash = true;
      continue;
    }
    if (a.text.startsWith('-') && a.text.length > 1) {
      if (withValue.includes(a.text)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** The first operand (the subcommand of `apt-get install`, `npm ci`, `pip install`). */
export function subcommand(cmd: ShellCommand, withValue: string[] = []): string | undefined {
  return operands(cmd, withValue)[0]?.text;
}

/** apt-get/apt options that take the next word as their value. */
export const APT_VALUE_OPTIONS = ['-o', '-c', '-t', '-a', '--target-release', '--default-release', '--option', '--config-file', '--host-architecture'];

/** `apt-get install pkg...` and `apt install pkg...`: the packages, or undefined if not an install. */
export function aptInstall(cmd: ShellCommand): { packages: ShellWord[] } | undefined {
  if (cmd.name !== 'apt-get' && cmd.name !== 'apt') return undefined;
  const ops = operands(cmd, APT_VALUE_OPTIONS);
  if (ops[0]?.text !== 'install') return undefined;
  return { packages: ops.slice(1) };
}

export function isAptCommand(cmd: ShellCommand, sub: string): boolean {
  return (cmd.name === 'apt-get' || cmd.name === 'apt') && operands(cmd, APT_VALUE_OPTIONS)[0]?.text === sub;
}

/** Whether a `RUN --mount=type=cache` (or tmpfs) covers `path`, so what is written there never reaches the layer. */
export function mountCovers(run: RunInfo, path: string): boolean {
  const norm = (p: string): string => p.replace(/\/+$/, '') || '/';
  const target = norm(path);
  return run.mounts.some((m) => (m.type === 'cache' || m.type === 'tmpfs') && m.target !== undefined && (target === norm(m.target) || target.startsWith(norm(m.target) + '/')));
}

/** Whether any command of the script removes `path` (or a parent) with `rm -r`/`rm -rf`. */
export function scriptRemoves(run: RunInfo, pathPattern: RegExp): boolean {
  return run.commands.some((c) => c.name === 'rm' && c.args.some((a) => pathPattern.test(a.text)));
}
