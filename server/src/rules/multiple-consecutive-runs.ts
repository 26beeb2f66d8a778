import type { Inst } from '../model/model';
import { defineRule } from './rule';

/** hadolint compares the RUN flags (`--mount`, `--network`, `--security`) as written. */
function flagKey(inst: Inst): string {
  return inst.flags.map((f) => `${f.name}=${f.value ?? ''}`).join('\u0000');
}

export default defineRule(
  {
    id: 'multiple-consecutive-runs',
    severity: 'off',
    category: 'layers',
    description: 'Consecutive RUN instructions with one or two commands each could be one RUN.',
    docs: {
      why:
        'Each RUN makes a layer, and with it an extra filesystem diff, a cache entry and a step in the build. Short RUNs one ' +
        'after the other (`RUN mkdir /app`, `RUN chown app /app`) are usually one step written twice. Merging them gives one ' +
        'layer, and files created and deleted in the same RUN never reach the image at all. This is a matter of taste: ' +
        'separate RUNs cache separately and are easier to read, which is why the rule is off by default. As in hadolint, ' +
        'RUNs with different `--mount`/`--network`/`--security` flags, or with more than two commands, are left alone; comments ' +
        'between RUNs do not separate them, any other instruction does.',
      bad: 'FROM debian:bookworm\nRUN mkdir -p /app\nRUN chown nobody /app',
      good: 'FROM debian:bookworm\nRUN mkdir -p /app \\\n && chown nobody /app',
    },
    aliases: { hadolint: ['DL3059'] },
  },
  (ctx) => {
    let previous: { flags: string; count: number } | undefined;
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.run) {
        previous = undefined;
        continue;
      }
      const flags = flagKey(inst);
      // A RUN the shell parser cannot read (another SHELL) counts as one command.
      const count = inst.run.script ? inst.run.commands.length : 1;
      if (!previous || previous.flags !== flags || count > 2 || previous.count > 2) {
        previous = { flags, count };
        continue;
      }
      // Like hadolint, a reported RUN does not become the one the next RUN is compared with.
      ctx.report({
        range: inst.keywordRange,
        message: 'This RUN directly follows another with the same flags and few commands: merged with `&&`, they would make one layer instead of two.',
      });
    }
  },
);
