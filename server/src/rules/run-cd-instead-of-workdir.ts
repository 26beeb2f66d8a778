import { childShellSpans, inChildShell } from './lib/instruction-words';
import { defineRule } from './rule';

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
        'and applies to every instruction after it. A `cd` inside a subshell `( cd dir && make )` or `$( … )` is scoped on purpose and is not reported.',
      bad: 'FROM golang:1.22\nCOPY . /src\nRUN cd /src && go build -o /app .',
      good: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .',
    },
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
        const dir = cmd.args.find((a) => !a.text.startsWith('-'))?.text;
        ctx.report({
          range: ctx.model.wordRange(run, cmd.nameWord),
          message: `\`cd${dir ? ` ${dir}` : ''}\` lasts only until the end of this RUN; the next instructions and the container start in WORKDIR again. Use WORKDIR${dir ? ` ${dir}` : ''} to change directory for the instructions that follow.`,
        });
        break;
      }
    }
  },
);
