import { operands, runCommands } from './lib/commands';
import { defineRule } from './rule';

const SH = new Set(['/bin/sh', '/usr/bin/sh']);

export default defineRule(
  {
    id: 'ln-replaces-bin-sh',
    severity: 'warning',
    category: 'maintainability',
    description: 'Use SHELL to change the shell of RUN instead of relinking `/bin/sh`.',
    docs: {
      why:
        '`ln -sf /bin/bash /bin/sh` changes `/bin/sh` in the image itself, not just for the build: every script with `#!/bin/sh`, package maintainer scripts run by ' +
        'later `apt-get install`s and the shell form of CMD in derived images now run under a different shell than the distribution tested. ' +
        'The SHELL instruction changes only the shell that RUN, CMD and ENTRYPOINT in shell form use, and is visible in the Dockerfile.',
      bad: 'FROM debian:bookworm\nRUN ln -sf /bin/bash /bin/sh',
      good: 'FROM debian:bookworm\nSHELL ["/bin/bash", "-c"]',
    },
    aliases: { hadolint: ['DL4005'] },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      if (cmd.name !== 'ln') continue;
      // ln's last operand is the link it creates (unless -t names a target directory).
      if (cmd.args.some((a) => a.text === '-t' || a.text.startsWith('--target-directory'))) continue;
      const ops = operands(cmd, ['-S', '--suffix']);
      const link = ops[ops.length - 1];
      if (ops.length < 2 || !link || !SH.has(link.text)) continue;
      ctx.report({
        range: ctx.model.wordRange(run, link),
        message: `Relinking ${link.text} changes the shell of every script in the image, not just of the build. Use SHELL ["/bin/bash", "-c"] to change the shell RUN uses.`,
      });
    }
  },
);
