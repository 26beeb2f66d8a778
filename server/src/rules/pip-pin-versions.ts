import { runCommands } from './lib/commands';
import { hasWord, isDynamic, operandsOf, PIP_INSTALL_VALUE, pipInstall } from './lib/language-packages';
import { defineRule } from './rule';

const VERSION_SPEC = /(===|==|>=|<=|!=|~=|>|<)/;
const VCS = /^(git|hg|svn|bzr)(\+[a-z-]+)?:/;

/** A requirement whose version cannot move between builds without the Dockerfile changing. */
function pinned(pkg: string): boolean {
  if (VERSION_SPEC.test(pkg)) return true;
  if (VCS.test(pkg)) return /@[^/]+$/.test(pkg.replace(/#.*$/, ''));
  if (/\.(whl|tar\.gz|tgz|zip|tar\.bz2)$/.test(pkg)) return true;
  // Paths and URLs (`.`, `./pkg`, `/src`, `name @ https://...`) install what is there.
  return pkg.includes('/') || pkg === '.' || pkg.startsWith('.');
}

export default defineRule(
  {
    id: 'pip-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Pin the versions of packages installed with `pip install <package>`.',
    docs: {
      why:
        '`pip install flask` installs whatever version is newest on the day the layer is built. The layer is cached, so your ' +
        'machine keeps the old version while a fresh CI runner or a teammate with `--no-cache` gets a new one: two images from ' +
        'the same Dockerfile behave differently, and a major release can break the build months later. Pin with `flask==3.0.3`, ' +
        'or install from a requirements or constraints file (`-r`, `-c`) that holds the pins. Local paths, wheels and VCS ' +
        'URLs with a tag or commit (`git+https://...@v1.2`) are already fixed.',
      bad: 'FROM python:3.12-slim\nRUN pip install --no-cache-dir flask',
      good: 'FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3',
    },
    aliases: { hadolint: ['DL3013'] },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      const pip = pipInstall(cmd, { uv: true });
      if (!pip) continue;
      // A constraints file pins whatever the command line names.
      if (hasWord(pip.rest, '-c', '--constraint') || pip.rest.some((w) => /^-c./.test(w.text))) continue;
      if (cmd.assignments.some((a) => a.name === 'PIP_CONSTRAINT' || a.name === 'UV_CONSTRAINT')) continue;
      // The value of `-e` is skipped with the other option values: an editable install is a local checkout.
      for (const w of operandsOf(pip.rest, PIP_INSTALL_VALUE)) {
        if (isDynamic(w) || pinned(w.text)) continue;
        ctx.report({
          range: ctx.model.wordRange(run, w),
          message: VCS.test(w.text)
            ? `\`${w.text}\` installs whatever the branch holds when the layer is built. Pin a tag or commit: \`${w.text.replace(/#.*$/, '')}@<ref>\`.`
            : `\`${w.text}\` is not pinned: each fresh build may install a different version than the cached layer. Pin it (\`${w.text}==<version>\`) or install from a requirements file.`,
        });
      }
    }
  },
);
