import { runCommands } from './lib/commands';
import { isLookupOnly } from './lib/instruction-words';
import { defineRule } from './rule';

/** hadolint's list, plus `nano` and `ifconfig` (its message names ifconfig). */
const WHY: Record<string, string> = {
  ssh: 'opens a remote session from the build container; keys or known_hosts it needs end up in a layer (use RUN --mount=type=ssh for private Git access)',
  vim: 'is an interactive editor: a build has no terminal, so it hangs or fails instead of editing anything',
  nano: 'is an interactive editor: a build has no terminal, so it hangs or fails instead of editing anything',
  shutdown: 'has no init system to talk to in a build container',
  service: 'starts a daemon that is killed when this RUN ends; nothing of it is running when the image is started',
  ps: 'lists the processes of the throwaway build container; the output is discarded',
  top: 'shows the throwaway build container and waits for a terminal',
  free: "reports the build machine's memory at build time, not the container's at run time",
  kill: 'can only reach processes of this RUN, which all end with it anyway',
  mount: 'needs privileges a build step does not have (use RUN --mount for caches, secrets and bind mounts)',
  ifconfig: "shows the build container's network, not the one the container gets at run time",
};

export default defineRule(
  {
    id: 'pointless-container-command',
    severity: 'info',
    category: 'maintainability',
    description: 'Commands such as `ssh`, `vim`, `service`, `ps`, `top`, `kill`, `mount` make no sense in a RUN.',
    docs: {
      why:
        'Each RUN executes in a throwaway container that stops when the command ends, and only its file changes are kept as a layer. ' +
        'A daemon started with `service` is gone before the next instruction, `ps`/`top`/`free` describe the build machine at build time, ' +
        'editors wait for a terminal that a build does not have, and `mount` needs privileges a build step does not get. ' +
        'Start services from CMD/ENTRYPOINT, and use `RUN --mount` for caches, secrets and SSH agents.',
      bad: 'FROM debian:bookworm\nRUN service nginx start',
      good: 'FROM debian:bookworm\nCMD ["nginx", "-g", "daemon off;"]',
    },
    aliases: { hadolint: ['DL3001'] },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      const why = WHY[cmd.name];
      if (!why || !Object.hasOwn(WHY, cmd.name) || isLookupOnly(run, cmd)) continue;
      // An SSH agent forwarded with --mount=type=ssh is the supported way to reach private hosts.
      if (cmd.name === 'ssh' && run.mounts.some((m) => m.type === 'ssh')) continue;
      ctx.report({ range: ctx.model.wordRange(run, cmd.nameWord), message: `\`${cmd.name}\` in a RUN ${why}.` });
    }
  },
);
