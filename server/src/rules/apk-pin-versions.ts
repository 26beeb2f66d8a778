import { apkSub, packageSubject, packageWords, subcommands } from './lib/os-packages';
import { defineRule } from './rule';

/** `pkg=1.2-r0`, `pkg~1.2`, `pkg>=1.2`, a local `.apk` or a path. */
function pinned(pkg: string): boolean {
  return /[=~<>]/.test(pkg) || pkg.endsWith('.apk') || /^\.{0,2}\//.test(pkg);
}

export default defineRule(
  {
    id: 'apk-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Packages in `apk add` should be pinned to a version (`pkg=1.2.3-r0` or `pkg~1.2`).',
    docs: {
      why:
        'Docker caches a RUN layer by its text, not by what it downloaded: `apk add curl` keeps the version of the day the layer was ' +
        'built while the cache lives, and installs another one when the cache is lost (a new CI runner, `--no-cache`, an earlier change). ' +
        'A pin makes builds repeatable and turns a version bump into a change of the instruction, which rebuilds exactly that layer. ' +
        'Alpine removes superseded versions from its mirrors, so an exact pin (`=`) breaks when a fix is released; `~1.2` (any 1.2.x) ' +
        'is a common compromise. Because of that trade-off the rule is `info`.',
      bad: 'FROM alpine:3.20\nRUN apk add --no-cache curl',
      good: 'FROM alpine:3.20\nRUN apk add --no-cache curl~8.9',
    },
    aliases: { hadolint: ['DL3018'] },
  },
  (ctx) => {
    for (const { inst, run, sub } of subcommands(ctx.model, apkSub)) {
      if (sub.name !== 'add') continue;
      for (const [word, texts] of packageWords(inst, sub.operands)) {
        const loose = texts?.filter((t) => !pinned(t));
        if (!loose?.length) continue;
        ctx.report({
          range: ctx.model.wordRange(run, word),
          message: `${packageSubject(word, loose)} is installed without a version: the layer keeps whatever version was current when it was first built, and a rebuild without cache may get another. Pin it as \`${loose[0]}=<version>\` or \`${loose[0]}~<major.minor>\`.`,
        });
      }
    }
  },
);
