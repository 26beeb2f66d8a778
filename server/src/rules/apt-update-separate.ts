import { isAptCommand, runCommands } from './lib/commands';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'apt-update-separate',
    severity: 'warning',
    category: 'cache',
    description: '`apt-get update` must run in the same RUN as the `apt-get install` that needs it.',
    docs: {
      why:
        'Each RUN is a cached layer. A RUN that only does `apt-get update` is cached with the package index of the day it was built; ' +
        'when you later add a package to the next RUN, Docker reuses the old index layer and the install fetches outdated versions ' +
        'or fails with 404s. Updating and installing in one RUN keeps the index and the packages in step, and lets you delete ' +
        '`/var/lib/apt/lists` in the same layer.',
      bad: 'FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl',
      good: 'FROM debian:bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*',
    },
    aliases: { dockle: 'CIS-DI-0007' },
  },
  (ctx) => {
    for (const { inst, run, cmd } of runCommands(ctx.model)) {
      if (!isAptCommand(cmd, 'update')) continue;
      if (run.commands.some((c) => isAptCommand(c, 'install'))) continue;
      const later = inst.stage.instructions.find((i) => i.index > inst.index && i.run?.commands.some((c) => isAptCommand(c, 'install')));
      const where = later ? ` (the install is on line ${later.range.start.line + 1})` : '';
      ctx.report({
        range: ctx.model.wordRange(run, cmd),
        message: `\`${cmd.name} update\` runs in its own RUN${where}: its layer is cached with a package index that goes stale, so later installs get old versions or 404s. Run update and install in one RUN.`,
      });
    }
  },
);
