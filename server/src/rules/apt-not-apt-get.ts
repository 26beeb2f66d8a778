import { runCommands } from './lib/commands';
import { aptSub } from './lib/os-packages';
import { defineRule } from './rule';

/** Subcommands where `apt-get` does exactly what `apt` does (`apt upgrade` also installs new dependencies; `apt-get upgrade` does not). */
const SAME_IN_APT_GET = new Set(['install', 'reinstall', 'remove', 'purge', 'autoremove', 'autopurge', 'update', 'clean', 'autoclean', 'distclean', 'dist-clean', 'source', 'build-dep', 'download', 'satisfy', 'changelog']);
const APT_CACHE = new Set(['search', 'show', 'policy', 'depends', 'rdepends', 'showsrc']);

export default defineRule(
  {
    id: 'apt-not-apt-get',
    severity: 'warning',
    category: 'package-manager',
    description: 'Use `apt-get` (or `apt-cache`) in scripts, not `apt`, whose command line is not stable.',
    docs: {
      why:
        '`apt` is the interactive front end: it prints "WARNING: apt does not have a stable CLI interface. Use with caution in scripts." ' +
        'into every build log, its defaults and output may change between releases (a new base image can change what the RUN does), and some ' +
        'subcommands behave differently (`apt upgrade` installs new dependencies, `apt-get upgrade` does not). `apt-get` and `apt-cache` ' +
        'keep a stable interface for scripts such as a Dockerfile.',
      bad: 'FROM ubuntu:24.04\nRUN apt update && apt install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      good: 'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3027'], checkov: 'CKV_DOCKER_9' },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      if (cmd.name !== 'apt') continue;
      const sub = aptSub(cmd)?.name;
      const tool = sub && APT_CACHE.has(sub) ? 'apt-cache' : 'apt-get';
      const raw = cmd.nameWord.raw;
      const canFix = sub !== undefined && SAME_IN_APT_GET.has(sub) && /^(\S*\/)?apt$/.test(raw) && raw === cmd.nameWord.text;
      const range = ctx.model.wordRange(run, cmd.nameWord);
      const what = sub ? `\`apt ${sub}\`` : '`apt`';
      ctx.report({
        range,
        message: `${what} is the interactive front end: its command line and output are not stable for scripts (it warns so in the build log). Use \`${tool}${sub ? ` ${sub}` : ''}\`.`,
        fixes: canFix ? [{ title: `Use apt-get ${sub}`, safe: true, edits: [{ range, newText: `${raw}-get` }] }] : undefined,
      });
    }
  },
);
