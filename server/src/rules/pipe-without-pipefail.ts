import { isPosixShell } from '../model/model';
import type { ShellCommand } from '../model/shell';
import { childShellSpans } from './lib/instruction-words';
import { defineRule } from './rule';

/** `-o pipefail` among a shell's options: `-o pipefail`, `-eo pipefail`, `-euxo pipefail`. */
function setsPipefail(words: string[]): boolean {
  return words.some((w, i) => /^-[a-zA-Z]*o$/.test(w) && words[i + 1] === 'pipefail');
}

/** Commands that print their arguments and cannot fail: a pipeline fed only by them hides no failure. */
const CONSTANT = new Set(['echo', 'printf', 'yes', 'true']);

function fedByConstant(commands: ShellCommand[], cmd: ShellCommand): boolean {
  const left = commands.filter((c) => c.pipeline === cmd.pipeline && c.pipelinePosition < cmd.pipelineLength - 1);
  // A compound part (`{ …; } | x`, a subshell) is not among the commands: it may fail.
  if (left.length < cmd.pipelineLength - 1) return false;
  // `echo "$(curl …)" | sh`: a failed curl is hidden, but echo's status is 0 with or without pipefail.
  return left.every((c) => CONSTANT.has(c.name));
}

/**
 * A pipeline inside a `$(…)` whose status nobody sees: a word of a command (`tar -xf "$(ls *.tgz | head -1)"`), of a test
 * (`[ "$(a | b)" = x ]`), of `export`/`local`, or a prefix assignment of a command. Only a bare assignment (`V=$(a | b)`)
 * takes the substitution's status, and there pipefail matters unless that status is dropped too: `V="$(a | b)"; next`
 * without errexit, where the RUN's status is that of what follows.
 */
function statusIgnored(text: string, spans: [number, number][], commands: ShellCommand[], cmd: ShellCommand, errexit: boolean): boolean {
  for (const [s, e] of spans) {
    if (!(s < cmd.start && cmd.end <= e) || !(text.startsWith('$(', s) || text[s] === '`')) continue;
    const before = text.slice(0, s);
    const m = /(^|[\s;&|()])[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*|[^\s;&|()"'])*$/.exec(before);
    if (!m) return true;
    const at = m.index + m[1]!.length;
    if (commands.some((o) => o.start <= at && s < o.end)) return true;
    if (/(^|[\s;&|(])(export|local|declare|typeset|readonly)\s[^;&|\n]*$/.test(before.slice(0, at))) return true;
    if (!errexit && statusDropped(text, e, (before.slice(at).match(/"/g) ?? []).length % 2 === 1, commands)) return true;
  }
  return false;
}

/** The assignment word that ends after `end` is followed by `;` or a newline and more script: its status is nobody's. */
function statusDropped(text: string, end: number, inQuotes: boolean, commands: ShellCommand[]): boolean {
  // The rest of the word: first the double quotes the substitution sits in, if any.
  const from = inQuotes ? text.indexOf('"', end) + 1 : end;
  if (from === 0) return false;
  const m = /^(?:"[^"]*"|'[^']*'|[^\s;&|()"'])*[ \t]*(?:\\\r?\n[ \t]*)*(;(?!;)|\r?\n)/.exec(text.slice(from));
  if (!m) return false;
  const next = from + m[0].length;
  // Inside a compound command (`if …; then V=$(a | b); fi`) the last word may still be the RUN's status: only a following command counts.
  return commands.some((c) => c.start >= next);
}

/** `set -e` (or `-o errexit`) before `at`, or a SHELL started with -e: a failed assignment stops the RUN. */
function errexitBefore(shell: string[], commands: ShellCommand[], at: number): boolean {
  const on = (words: string[]): boolean => words.some((w, i) => /^-[a-zA-Z]*e[a-zA-Z]*$/.test(w) || (/^-[a-zA-Z]*o$/.test(w) && words[i + 1] === 'errexit'));
  if (on(shell.slice(1))) return true;
  return commands.some((c) => c.name === 'set' && c.end <= at && on(c.args.map((a) => a.text)));
}

/**
 * A pipeline that is the condition of `if`/`elif`/`while`/`until`: its status picks a branch and is never the RUN's status
 * (`if ! cat /etc/group | grep -q '^npm:'; then groupadd npm; fi`).
 */
function isCondition(text: string, cmd: ShellCommand): boolean {
  // Between the keyword and this command only the pipeline's earlier commands and `|`: no `;`, `&`, newline or `then`.
  return /(?:^|[\s;&|(])(?:if|elif|while|until)\s(?:[^;&\n\\]|\\[\s\S])*$/.test(text.slice(0, cmd.start));
}

export default defineRule(
  {
    id: 'pipe-without-pipefail',
    severity: 'warning',
    category: 'cache',
    description: 'A RUN with a pipe needs `set -o pipefail` (or a SHELL with `-o pipefail`), or failures on the left are ignored.',
    docs: {
      why:
        'A shell reports the exit status of the last command of a pipeline. In `RUN curl -fsSL $URL | tar -xz`, a failed download makes tar read nothing, ' +
        'tar succeeds, and so does the RUN: the broken result is committed as a layer and cached, and every later build reuses it without trying again. ' +
        'With `pipefail` the pipeline fails when any part fails, so the build stops. Set it for the whole stage with ' +
        '`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`, or start the RUN with `set -o pipefail &&` where the shell supports it ' +
        '(bash, zsh, BusyBox ash, dash 0.5.11+). Pipelines whose status pipefail cannot change are not reported: those fed only by `echo` or `printf` ' +
        '(`echo "$SUM  file" | sha256sum -c -`, also `echo "$(curl …)" | sh`, where echo succeeds either way), and those inside a `$(…)` ' +
        'that is a word of another command (`tar -xf "$(ls *.tgz | head -1)"`), whose status is that command\'s, or the value of an assignment ' +
        'followed by `;` and another command without `set -e` (`V="$(a | b)"; echo "$V"`), whose status nothing reads.',
      bad: 'FROM debian:bookworm\nRUN curl -fsSL https://example.com/app.tar.gz | tar -xz -C /opt',
      good: 'FROM debian:bookworm\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.com/app.tar.gz | tar -xz -C /opt',
    },
    aliases: { hadolint: ['DL4006'] },
  },
  (ctx) => {
    for (const inst of ctx.model.runs()) {
      const run = inst.run!;
      if (run.execForm || !run.script || !isPosixShell(inst.shell) || setsPipefail(inst.shell)) continue;
      const spans = childShellSpans(run.script.text);
      const piped = run.commands.find(
        (c) =>
          c.pipelineLength > 1 &&
          !fedByConstant(run.commands, c) &&
          !statusIgnored(run.script!.text, spans, run.commands, c, errexitBefore(inst.shell, run.commands, c.start)) &&
          !isCondition(run.script!.text, c),
      );
      if (!piped) continue;
      // `set -o pipefail` earlier in the same script covers the pipes after it.
      const sets = run.commands.filter((c): c is ShellCommand => c.name === 'set' && setsPipefail(c.args.map((a) => a.text)));
      if (sets.some((s) => s.end <= piped.start)) continue;
      const text = run.script.text;
      const bar = piped.pipelinePosition === 0 ? text.indexOf('|', piped.end) : text.lastIndexOf('|', piped.start);
      const range = bar >= 0 ? ctx.model.scriptRange(run, bar, text[bar + 1] === '&' ? bar + 2 : bar + 1) : ctx.model.wordRange(run, piped.nameWord);
      ctx.report({
        range,
        message: `Pipe without pipefail: the RUN's status is that of the last command, so a failure before the pipe still produces a cached, "successful" layer. Use SHELL ["/bin/bash", "-o", "pipefail", "-c"] or start the RUN with set -o pipefail.`,
      });
    }
  },
);
