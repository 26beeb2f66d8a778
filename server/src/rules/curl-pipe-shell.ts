import type { ShellCommand } from '../model/shell';
import { hasOption, optionValue } from './lib/commands';
import { shortOptions } from './lib/instruction-words';
import { defineRule } from './rule';

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'mksh']);
const INTERPRETERS = /^(python[0-9.]*|perl|ruby|node|php)$/;

/** curl or wget writing the download to stdout. */
function downloadsToStdout(cmd: ShellCommand): boolean {
  if (cmd.name === 'curl') return !hasOption(cmd, '-o', '-O', '--output', '--remote-name', '--remote-name-all');
  if (cmd.name !== 'wget') return false;
  if (optionValue(cmd, '-O', '--output-document') === '-') return true;
  // `-O-` and `-qO-`: the value is attached to the option.
  return cmd.args.some((a) => {
    const opts = shortOptions(a.text, 'O');
    return opts[opts.length - 1] === 'O' && a.text.slice(1 + opts.length) === '-';
  });
}

/** A shell or interpreter that runs the program it reads on stdin (`sh`, `bash -s -- x`, `python3 -`). */
function runsStdin(cmd: ShellCommand): boolean {
  const args = cmd.args.map((a) => a.text);
  let name = cmd.name;
  if (name === 'busybox' && args[0] === 'sh') {
    name = 'sh';
    args.shift();
  }
  const shell = SHELLS.has(name);
  if (!shell && !INTERPRETERS.test(name)) return false;
  const commandString = shell ? ['-c'] : ['-c', '-e', '-E', '-m', '-r', '-p'];
  for (const a of args) {
    if (a === '-' || a === '/dev/stdin' || (shell && a === '-s')) return true;
    if (commandString.includes(a) || (shell && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a))) return false;
    if (!a.startsWith('-')) return false; // a script file: stdin is not read as the program
    if (shell && /^-[a-zA-Z]*s[a-zA-Z]*$/.test(a)) return true;
  }
  return true;
}

/** Commands that run what they are given: `sh -c "$(curl …)"`, `bash <(curl …)`, `eval "$(curl …)"`, `. <(curl …)`. */
function runsArgument(cmd: ShellCommand, argIndex: number): boolean {
  if (cmd.name === 'eval' || cmd.name === 'source' || cmd.name === '.') return true;
  if (!SHELLS.has(cmd.name)) return false;
  if (cmd.args[argIndex]!.raw.startsWith('<(')) return true;
  const prev = cmd.args[argIndex - 1]?.text;
  return prev !== undefined && /^-[a-zA-Z]*c$/.test(prev);
}

export default defineRule(
  {
    id: 'curl-pipe-shell',
    severity: 'warning',
    category: 'security',
    description: '`curl … | sh` runs a downloaded script without verifying it.',
    docs: {
      why:
        'Piping a download into a shell runs whatever the server (or anything between it and the build) returns, with root rights in the build, and bakes the result into a layer. ' +
        'Nothing checks that the script is the one you reviewed: a compromised or silently updated installer changes the image, and because the RUN text did not change, ' +
        'the build cache keeps whichever version it saw first, so two machines can build different images from the same Dockerfile. ' +
        'Download to a file, verify a pinned checksum or signature, then run it (or use `ADD --checksum=sha256:… <url>`).',
      bad: 'FROM debian:bookworm\nRUN curl -fsSL https://example.com/install.sh | sh',
      good:
        'FROM debian:bookworm\nRUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\\n' +
        ' && echo "3b0c4a...e1f  /tmp/install.sh" | sha256sum -c - \\\n && sh /tmp/install.sh && rm /tmp/install.sh',
    },
    aliases: {},
  },
  (ctx) => {
    for (const inst of ctx.model.runs()) {
      const run = inst.run!;
      const cmds = run.commands;
      for (const dl of cmds) {
        if ((dl.name !== 'curl' && dl.name !== 'wget') || !downloadsToStdout(dl)) continue;
        const piped = dl.pipelineLength > 1 ? cmds.find((c) => c.pipeline === dl.pipeline && c.pipelinePosition > dl.pipelinePosition && runsStdin(c)) : undefined;
        if (piped) {
          ctx.report({
            range: ctx.model.scriptRange(run, dl.start, piped.end),
            message: `\`${dl.name} … | ${piped.name}\` runs a downloaded script unverified: whatever the server returns today is executed and cached in this layer. Download it to a file, check a pinned checksum, then run it.`,
          });
          continue;
        }
        const outer = cmds.find((c) => c !== dl && c.args.some((a, i) => a.start <= dl.start && dl.end <= a.end && runsArgument(c, i)));
        if (outer) {
          ctx.report({
            range: ctx.model.scriptRange(run, outer.start, outer.end),
            message: `\`${outer.name}\` runs the output of \`${dl.name}\` unverified: whatever the server returns today is executed and cached in this layer. Download it to a file, check a pinned checksum, then run it.`,
          });
        }
      }
    }
  },
);
