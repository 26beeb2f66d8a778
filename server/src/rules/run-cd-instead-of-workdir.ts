import * as path from 'node:path';
import type { TextEdit } from 'vscode-languageserver-types';
import type { Inst, Model, RunInfo } from '../model/model';
import type { ShellCommand, ShellWord } from '../model/shell';
import { indentOf, insertLinesAfter, insertLinesBefore, lineText, topLevelOperators, workdirBefore } from './lib/fix-helpers';
import { childShellSpans, inChildShell } from './lib/instruction-words';
import { defineRule, type Fix } from './rule';

/** A directory that reads the same in `cd` and in WORKDIR: no quotes, variables, `~`, globs or blanks. */
const PLAIN_DIR = /^[A-Za-z0-9_./@%+=:,-]+$/;

/**
 * `RUN cd dir && rest` → `WORKDIR dir` + `RUN rest` + `WORKDIR <the directory before>`. Offered only when the RUN starts with
 * that `cd`, every other command depends on it (one `&&` list: with `;` or `||` a failed cd would have let the rest run
 * elsewhere), nothing returns to the old directory (`cd -`, `$OLDPWD`), and the directory before is known statically.
 */
function workdirFix(model: Model, inst: Inst, run: RunInfo, cmd: ShellCommand): Fix | undefined {
  const script = run.script;
  if (inst.inOnbuild || run.execForm || inst.heredocs.length || !script || !run.shell || run.shell.hasError) return undefined;
  if (script.text.slice(0, cmd.start).trim() !== '' || cmd.wrappers.length || cmd.assignments.length || cmd.pipelineLength !== 1) return undefined;
  const dir = cmd.args[0];
  if (cmd.args.length !== 1 || !dir || dir.dynamic || dir.raw !== dir.text || !PLAIN_DIR.test(dir.text) || dir.text === '-' || dir.text.includes(model.escape)) return undefined;
  const joiner = /^[ \t\n]*&&[ \t\n]*/.exec(script.text.slice(cmd.end));
  if (!joiner) return undefined;
  const restStart = cmd.end + joiner[0].length;
  const rest = script.text.slice(restStart);
  if (!rest.trim() || topLevelOperators(rest).some((op) => op !== '&&' && op !== '|')) return undefined;
  if (/\bOLDPWD\b/.test(rest) || /(^|[\s;&|(])cd\s+-(\s|$|[;&|)])/.test(rest)) return undefined;
  const before = workdirBefore(model, inst);
  if (!before || !PLAIN_DIR.test(before.dir)) return undefined;

  const indent = indentOf(model, inst);
  // `cd` into the directory the RUN already starts in: only the cd goes.
  const same = path.posix.resolve(before.dir, dir.text) === before.dir;
  const [from] = script.docSpan(cmd.start, cmd.start + 1);
  const to = script.docOffset(restStart);
  const removed = model.range(from, to);
  // Comment lines inside the removed continuation go above the RUN with the WORKDIR.
  const comments = model.comments.filter((c) => c.line > removed.start.line && c.line < removed.end.line).map((c) => indent + lineText(model, c.line).trimStart());
  const above = same ? comments : [`${indent}WORKDIR ${dir.text}`, ...comments];
  const edits: TextEdit[] = [...(above.length ? [insertLinesBefore(model, inst.range.start.line, above)] : []), { range: removed, newText: '' }];
  if (same) return { title: `Drop \`cd ${dir.text}\`: the RUN already starts in ${before.dir}`, safe: before.explicit, edits };
  const next = inst.stage.instructions.find((i) => i.index > inst.index);
  const nextSetsAbsolute = next?.keyword === 'WORKDIR' && next.argsText.text.trim().startsWith('/');
  if (!nextSetsAbsolute) {
    const restore = insertLinesAfter(model, inst, [`${indent}WORKDIR ${before.dir}`]);
    if (!restore) return undefined;
    edits.push(restore);
  }
  return {
    title: `Use WORKDIR ${dir.text} for this RUN${nextSetsAbsolute ? '' : ` and return to ${before.dir} after it`}`,
    // A successful build ran the cd, so the directory exists and WORKDIR creates nothing; the directory after the RUN is
    // restored. That holds when the directory before is set by a WORKDIR here; an image's default is only believed.
    safe: before.explicit,
    edits,
  };
}

/**
 * Whether a WORKDIR can name the directory `cd` goes to. WORKDIR expands the ARG and ENV values the Dockerfile sets, but
 * runs no command substitution (`$(uname -m)`), glob (`make-*`) or tilde, and a variable only the shell or the base image
 * knows (`$HOME`) expands to nothing: advice to write such a WORKDIR would break the build.
 */
function workdirCanName(inst: Inst, script: string, dir: ShellWord | undefined, escape: string): boolean {
  if (!dir) return true;
  // tree-sitter-bash splits `/usr/lib/`uname -m`-gnu` into several words: the shell word goes on.
  if (script[dir.end] !== undefined && !/[\s;&|)<>]/.test(script[dir.end]!)) return false;
  if (dir.text === '-' || /\$\(|`/.test(dir.raw) || dir.text.startsWith('~') || /[*?[]/.test(dir.text)) return false;
  return !dir.text.includes('$') || inst.scope.expand(dir.text, escape).certain;
}

export default defineRule(
  {
    id: 'run-cd-instead-of-workdir',
    severity: 'info',
    category: 'maintainability',
    description: 'Use WORKDIR instead of `cd` in RUN to change directory.',
    docs: {
      why:
        'Every RUN starts a new shell in the WORKDIR of the image, so a `cd` lasts only until the end of that RUN: the next RUN, COPY, CMD and the running container are back in WORKDIR. ' +
        'Readers (and later edits that split a long RUN in two) easily assume otherwise. WORKDIR records the directory in the image config, creates it if needed, ' +
        'and applies to every instruction after it. A `cd` inside a subshell `( cd dir && make )` or `$( … )` is scoped on purpose and is not reported, ' +
        'nor is a `cd` to a directory WORKDIR cannot name: WORKDIR expands ARG and ENV values but runs no command substitution ' +
        '(`cd /usr/lib/$(uname -m)-linux-gnu`), glob (`cd make-*`) or tilde, and a variable only the shell knows (`cd "$HOME"`, `cd -`) is empty there.\n\n' +
        'The quick fix turns `RUN cd dir && rest` into `WORKDIR dir`, `RUN rest` and a WORKDIR back to the directory the RUN started in ' +
        '(left out when a WORKDIR with an absolute path follows anyway), because WORKDIR lasts for the instructions after it and `cd` did not. ' +
        'It is offered only when the RUN starts with the `cd`, the rest is one `&&` list (with `;` or `||` a failed `cd` would have let ' +
        'commands run elsewhere, and WORKDIR never fails), nothing goes back with `cd -` or `$OLDPWD`, and the directory before the RUN is known. ' +
        'It is safe when that directory comes from a WORKDIR of the Dockerfile (or scratch): in a build that succeeds the `cd` succeeded, so the ' +
        'directory exists and WORKDIR creates nothing. When it is only the known default of an official image (`/`), the fix is offered as unsafe.',
      bad: 'FROM golang:1.22\nCOPY . /src\nRUN cd /src && go build -o /app .',
      good: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3003'], trivy: 'DS013' },
  },
  (ctx) => {
    for (const inst of ctx.model.runs()) {
      const run = inst.run!;
      const cds = run.commands.filter((c) => c.name === 'cd' && !c.wrappers.length);
      if (!cds.length || !run.script || run.execForm) continue;
      const spans = childShellSpans(run.script.text);
      for (const cmd of cds) {
        if (inChildShell(spans, cmd)) continue;
        const word = cmd.args.find((a) => !a.text.startsWith('-') || a.text === '-');
        // A later relative `cd` would be relative to that directory too.
        if (!workdirCanName(inst, run.script.text, word, ctx.model.escape)) break;
        // `cd node-v$NODE_VERSION`: WORKDIR can say it the same way, and stays right when the ARG changes.
        const dir = word?.expanded ? word.raw.replace(/^(["'])(.*)\1$/s, '$2') : word?.text;
        const fix = workdirFix(ctx.model, inst, run, cmd);
        ctx.report({
          range: ctx.model.wordRange(run, cmd.nameWord),
          message: `\`cd${dir ? ` ${dir}` : ''}\` lasts only until the end of this RUN; the next instructions and the container start in WORKDIR again. Use WORKDIR${dir ? ` ${dir}` : ''} to change directory for the instructions that follow.`,
          ...(fix ? { fixes: [fix] } : {}),
        });
        break;
      }
    }
  },
);
