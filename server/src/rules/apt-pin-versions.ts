import { aptSimulates, aptSub, packageSubject, packageWords, subcommands } from './lib/os-packages';
import { defineRule } from './rule';

/** `pkg=1.2.3`, a local `.deb` or a path are pinned; `pkg/bookworm-backports` only picks a release. */
function pinned(pkg: string): boolean {
  return pkg.includes('=') || pkg.endsWith('.deb') || /^\.{0,2}\//.test(pkg);
}

export default defineRule(
  {
    id: 'apt-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Packages in `apt-get install` should be pinned to a version (`pkg=1.2.3`).',
    docs: {
      why:
        'Docker caches a RUN layer by the text of the instruction, not by what it downloaded. `apt-get install curl` keeps the version ' +
        'of the day the layer was first built for as long as the cache lives, and silently picks up a newer one when the cache is lost ' +
        '(a new CI runner, `--no-cache`, a change in an earlier line). With `curl=7.88.1-10+deb12u5` the image is the same on every ' +
        'machine, and bumping the version changes the instruction, so exactly that layer is rebuilt.\n\n' +
        'The cost: Debian and Ubuntu mirrors drop a version once it is superseded, so a pinned install fails when a security update ' +
        'lands. That is why this rule is `info`; pinning the base image by digest, or installing from snapshot.debian.org, are the alternatives.',
      bad: 'FROM debian:bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*',
      good: 'FROM debian:bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\\n && rm -rf /var/lib/apt/lists/*',
    },
    aliases: { hadolint: ['DL3008'] },
  },
  (ctx) => {
    for (const { inst, run, cmd, sub } of subcommands(ctx.model, aptSub)) {
      if (sub.name !== 'install' || aptSimulates(cmd)) continue;
      for (const [word, texts] of packageWords(inst, sub.operands)) {
        const loose = texts?.filter((t) => !pinned(t));
        if (!loose?.length) continue;
        ctx.report({
          range: ctx.model.wordRange(run, word),
          message: `${packageSubject(word, loose)} is installed without a version: the layer keeps whatever version the mirror served when it was first built, and a rebuild without cache may get another. Pin it as \`${loose[0]!.split('/')[0]}=<version>\`.`,
        });
      }
    }
  },
);
