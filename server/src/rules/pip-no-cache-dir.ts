import { mayHoldOptions, mountCovers, optionValue, runCommands } from './lib/commands';
import { commandSpan, envValue, mountCoversSuffix, pipInstall, runRemoves, shippingStages } from './lib/language-packages';
import { cacheMountFix, plainAbsolute, rootHomeTarget } from './lib/fix-helpers';
import { defineRule, type Fix } from './rule';

export default defineRule(
  {
    id: 'pip-no-cache-dir',
    severity: 'warning',
    category: 'package-manager',
    description: '`pip install` keeps a copy of every download in ~/.cache/pip; use `--no-cache-dir`.',
    docs: {
      why:
        'pip saves every wheel and sdist it downloads (and every wheel it builds) under `~/.cache/pip`, so the next install can ' +
        'reuse them. In an image there is no next install: the cache is written into the same layer as the packages and ships ' +
        'with the image, often tens or hundreds of megabytes (a CUDA wheel is gigabytes). Deleting it in a later RUN does not help, ' +
        'the earlier layer still holds it. Use `pip install --no-cache-dir`, set `PIP_NO_CACHE_DIR=1` with ENV (pip reads any ' +
        'boolean value there as "no cache"), or keep the cache out of the layer and reuse it across builds with ' +
        '`RUN --mount=type=cache,target=/root/.cache/pip`. ' +
        'A stage used only as a builder (through `COPY --from` or `RUN --mount=from=`) is not reported: its layers never reach an image.\n\n' +
        'Two quick fixes: add `--no-cache-dir` (safe: pip installs the same files and writes no cache), or add ' +
        '`--mount=type=cache,target=/root/.cache/pip` (or the `--cache-dir`/`PIP_CACHE_DIR` folder) to the RUN. The second keeps the cache ' +
        'out of the image and makes rebuilds faster, but needs BuildKit, may reuse a wheel an earlier build made, and is offered only ' +
        'where the command certainly runs as root with HOME=/root (a cache mount is owned by root): never applied by fix-all.',
      bad: 'FROM python:3.12-slim\nRUN pip install -r requirements.txt',
      good: 'FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3042'] },
  },
  (ctx) => {
    const shipping = shippingStages(ctx.model);
    for (const { inst, run, cmd } of runCommands(ctx.model)) {
      if (!shipping.has(inst.stage)) continue;
      const pip = pipInstall(cmd);
      if (!pip) continue;
      if (cmd.args.some((a) => a.text === '--no-cache-dir' || a.text === '--no-cache') || mayHoldOptions(cmd)) continue;
      const noCache = envValue(inst, cmd, 'PIP_NO_CACHE_DIR');
      // Set to anything, or to a value we cannot know: pip turns the cache off (or rejects the value).
      if (noCache.set && noCache.value !== '') continue;
      const explicitDir = optionValue(cmd, '--cache-dir') ?? envValue(inst, cmd, 'PIP_CACHE_DIR').value;
      if (explicitDir !== undefined) {
        if (explicitDir.includes('$') || mountCovers(run, explicitDir) || explicitDir === '/dev/null') continue;
        const dir = explicitDir.replace(/\/+$/, '');
        if (run.commands.some((c) => c.name === 'rm' && c.start > cmd.start && c.args.some((a) => a.text.replace(/\/\*?$/, '') === dir))) continue;
      } else {
        if (mountCovers(run, '/root/.cache/pip') || mountCoversSuffix(run, ['/.cache/pip', '/.cache'])) continue;
        if (runRemoves(run, /(^|\/)\.cache(\/pip)?$/)) continue;
      }
      if (run.commands.some((c) => c.start > cmd.start && pipCachePurge(c.name, c.args.map((a) => a.text)))) continue;
      const end = run.script!.docSpan(pip.installWord.start, pip.installWord.end)[1];
      const pos = ctx.model.range(end, end);
      const label = `${cmd.name}${/^python/.test(cmd.name) ? ' -m pip' : ''} install`;
      const insert = run.execForm ? ', "--no-cache-dir"' : ' --no-cache-dir';
      const fixes: Fix[] = [];
      // With `--cache-dir` on the line, whichever option comes last wins: adding one is not a certain fix.
      if (explicitDir === undefined) fixes.push({ title: 'Add --no-cache-dir', safe: true, edits: [{ range: pos, newText: insert }] });
      const target = explicitDir !== undefined ? (cmd.wrappers.length ? undefined : plainAbsolute(explicitDir)) : rootHomeTarget(ctx.model, inst, cmd, '.cache/pip', (n) => envValue(inst, cmd, n));
      const mount = target && !inst.inOnbuild ? cacheMountFix(ctx.model, inst, [`type=cache,target=${target}`], `Keep pip's cache in a cache mount (${target}) instead`) : undefined;
      if (mount) fixes.push(mount);
      ctx.report({
        range: commandSpan(ctx.model, run, cmd, pip.installWord),
        message: `\`${label}\` without \`--no-cache-dir\` leaves its download cache (~/.cache/pip) in this layer, shipping megabytes of wheels the image never uses again.`,
        ...(fixes.length ? { fixes } : {}),
      });
    }
  },
);

function pipCachePurge(name: string, args: string[]): boolean {
  const rest = /^python\d*(\.\d+)*$/.test(name) && args[0] === '-m' && /^pip\d*$/.test(args[1] ?? '') ? args.slice(2) : /^pip\d*(\.\d+)*$/.test(name) ? args : [];
  return rest[0] === 'cache' && rest[1] === 'purge';
}
