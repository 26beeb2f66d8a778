import { optionValue } from './lib/commands';
import { packageSubject, packageWords, subcommands, zypperSub } from './lib/os-packages';
import { defineRule } from './rule';

/** `pkg=1.2`, `pkg>=1.2`, a `.rpm` file or URL. */
function pinned(pkg: string): boolean {
  return /[=<>]/.test(pkg) || pkg.endsWith('.rpm') || pkg.includes('/');
}

export default defineRule(
  {
    id: 'zypper-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Packages in `zypper install` should be pinned to a version (`pkg=1.2.3`).',
    docs: {
      why:
        'Docker caches a RUN layer by its text, not by what it downloaded: `zypper -n install httpd` keeps the version of the day the ' +
        'layer was built while the cache lives, and installs another one when the cache is lost (a new CI runner, `--no-cache`, an ' +
        'earlier change). `httpd=2.4.58` makes builds repeatable, and a version bump changes the instruction, which rebuilds exactly ' +
        'that layer. Repositories drop old versions, so pins need maintenance; the rule is `info`.',
      bad: 'FROM opensuse/leap:15.6\nRUN zypper -n install httpd && zypper clean --all',
      good: 'FROM opensuse/leap:15.6\nRUN zypper -n install httpd=2.4.58 && zypper clean --all',
    },
    aliases: { hadolint: ['DL3037'] },
  },
  (ctx) => {
    for (const { inst, run, cmd, sub } of subcommands(ctx.model, zypperSub)) {
      if (sub.name !== 'install' && sub.name !== 'in') continue;
      // Patterns, patches and products have no version to pin.
      const type = optionValue(cmd, '-t', '--type');
      if (type !== undefined && type !== 'package') continue;
      for (const [word, texts] of packageWords(inst, sub.operands)) {
        if (/^(pattern|patch|product|srcpackage):/.test(word.text)) continue;
        const loose = texts?.filter((t) => !pinned(t));
        if (!loose?.length) continue;
        ctx.report({
          range: ctx.model.wordRange(run, word),
          message: `${packageSubject(word, loose)} is installed without a version: the layer keeps whatever was current when it was first built, and a rebuild without cache may get another. Pin it as \`${loose[0]}=<version>\`.`,
        });
      }
    }
  },
);
