import { runCommands } from './lib/commands';
import { defineRule } from './rule';

/**
 * A RUN that tests which user it runs as (`if [ "$(id -u)" -ne 0 ]; then sudo ...; else ...; fi`) is
 * written for a base image whose USER it cannot know; USER root would have to be undone with a user
 * name the Dockerfile does not have.
 */
function asksWhoItIs(script: string): boolean {
  return /\bid\s+-u\b|\bwhoami\b|\$\{?E?UID\b/.test(script);
}

export default defineRule(
  {
    id: 'sudo-in-run',
    severity: 'warning',
    category: 'security',
    description: 'Do not use `sudo` in RUN; switch users with USER.',
    docs: {
      why:
        'RUN already executes as root unless a USER instruction changed that. With a non-root USER, `sudo` needs a password or a TTY that a build does not have, ' +
        'or a NOPASSWD rule baked into the image, which lets any process in the running container become root. ' +
        'It also wraps the command in another process that handles signals and environment variables differently. ' +
        'Use `USER root` for the privileged steps and switch back with `USER app` afterwards (or `gosu`/`su-exec` in an entrypoint).',
      bad: 'FROM debian:bookworm\nUSER app\nRUN sudo apt-get update',
      good: 'FROM debian:bookworm\nUSER root\nRUN apt-get update\nUSER app',
    },
    aliases: { hadolint: ['DL3004'], trivy: 'DS010', checkov: 'CKV2_DOCKER_1' },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      const word = cmd.wrappers.find((w) => w.text === 'sudo' || w.text.endsWith('/sudo')) ?? (cmd.name === 'sudo' ? cmd.nameWord : undefined);
      if (!word || asksWhoItIs(run.script?.text ?? '')) continue;
      // `sudo -u user cmd` from root drops privileges: it works, but keeps sudo in the image.
      const opts = run.script!.text.slice(word.end, cmd.nameWord.start);
      const user = /(?:^|\s)(?:-u\s*|--user[=\s]+)(\S+)/.exec(opts)?.[1];
      ctx.report({
        range: ctx.model.wordRange(run, word),
        message:
          user && user !== 'root' && user !== '0'
            ? `\`sudo -u ${user}\` in a RUN keeps sudo installed in the image, where it lets processes change user. Run these steps after USER ${user} (or with setpriv/gosu) instead.`
            : '`sudo` in a RUN: the build already runs as root unless USER changed it, and with another user sudo needs a TTY or a NOPASSWD rule that lets any process in the container become root. Use USER root for this step instead.',
      });
    }
  },
);
