import type { Inst } from '../model/model';
import { isLookupOnly } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'wget-and-curl',
    severity: 'info',
    category: 'layers',
    description: 'A stage uses both `wget` and `curl`: pick one HTTP client.',
    docs: {
      why:
        'Each download tool is a package with its own libraries (curl brings libcurl and its TLS stack, wget its own) that stays in the image and in its ' +
        'vulnerability reports. When one stage uses both, the image usually installs both; settling on one makes the image smaller and has one tool to patch.',
      bad: 'FROM debian:bookworm\nRUN wget -q https://example.com/a.tar.gz\nRUN curl -fsSLO https://example.com/b.tar.gz',
      good: 'FROM debian:bookworm\nRUN curl -fsSLO https://example.com/a.tar.gz\nRUN curl -fsSLO https://example.com/b.tar.gz',
    },
    aliases: { hadolint: ['DL4001'], trivy: 'DS014' },
  },
  (ctx) => {
    // Per stage, and separately for ONBUILD triggers (they run in another build), as hadolint does.
    for (const stage of ctx.model.stages) {
      for (const triggers of [false, true]) {
        const runs = stage.instructions.map((i) => (triggers ? i.trigger : i)).filter((i): i is Inst => i?.keyword === 'RUN');
        const first = new Map<string, number>();
        for (const inst of runs) {
          const run = inst.run!;
          const tools = run.commands.filter((c) => (c.name === 'curl' || c.name === 'wget') && !isLookupOnly(run, c));
          for (const t of tools) if (!first.has(t.name)) first.set(t.name, inst.range.start.line + 1);
          if (!tools.length || first.size < 2) continue;
          const cmd = tools[0]!;
          const other = cmd.name === 'curl' ? 'wget' : 'curl';
          ctx.report({
            range: ctx.model.wordRange(run, cmd.nameWord),
            message: `This stage uses both curl and wget (${other} on line ${first.get(other)}): the image carries two HTTP clients and their libraries. Use one of them.`,
          });
        }
      }
    }
  },
);
