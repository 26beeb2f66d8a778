import type { BuildContext } from '../model/build-context';
import type { Model } from '../model/model';
import { contextSources, isDir, nameList, sourceMatches, walkCopied } from './lib/build-context';
import { defineRule } from './rule';

const SCRIPT_NAME = /\.(sh|bash)$/i;

/** A script with CRLF line ends; `named` files are checked by their shebang too, folder contents only by extension. */
function isCrlfScript(bc: BuildContext, rel: string, named: boolean): boolean {
  if (!SCRIPT_NAME.test(rel) && !named) return false;
  const text = bc.read(rel, 1 << 20);
  if (text === undefined || text.includes('\u0000')) return false;
  if (!SCRIPT_NAME.test(rel) && !text.startsWith('#!')) return false;
  return text.includes('\r\n');
}

/** `dos2unix`, `sed -i 's/\r$//'`, `tr -d '\r'`: the Dockerfile converts line ends itself. */
function convertsLineEnds(model: Model): boolean {
  return model.runs().some((r) =>
    r.run!.commands.some((c) => c.name === 'dos2unix' || c.name === 'fromdos' || ((c.name === 'sed' || c.name === 'tr' || c.name === 'perl') && c.args.some((a) => a.text.includes('\\r') || a.text.includes('\r')))),
  );
}

export default defineRule(
  {
    id: 'crlf-script-copied',
    severity: 'warning',
    category: 'maintainability',
    description: 'A shell script copied from the build context has Windows (CRLF) line endings and will not run in a Linux container.',
    docs: {
      why:
        'A script checked out on Windows (or with `core.autocrlf=true`) ends its lines with `\\r\\n`. COPY puts the bytes into the ' +
        'image unchanged, and Linux reads the shebang as `#!/bin/sh\\r`: the container fails at start with `/bin/sh^M: not found` ' +
        "or `exec format error`, and `sh script.sh` fails with `$'\\r': command not found`. The image builds, so the error only shows " +
        'at run time. Save the script with LF endings and pin it with `*.sh text eol=lf` in `.gitattributes`. ' +
        'A Dockerfile that runs `dos2unix` or `sed -i "s/\\r$//"` on its scripts is left alone. ' +
        'This rule needs the build context on disk, so it says nothing for unsaved files.',
      bad: '# context: docker-entrypoint.sh, saved with CRLF line endings\nFROM alpine:3.20\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]',
      good: 'FROM alpine:3.20\nCOPY docker-entrypoint.sh /usr/local/bin/\nRUN sed -i "s/\\r$//" /usr/local/bin/docker-entrypoint.sh\nENTRYPOINT ["docker-entrypoint.sh"]',
      context: { files: { 'docker-entrypoint.sh': '#!/bin/sh\r\nexec "$@"\r\n' } },
    },
    aliases: {},
  },
  (ctx) => {
    const bc = ctx.buildContext;
    if (!bc || convertsLineEnds(ctx.model)) return;
    const bySource = contextSources(ctx.model).map((source) => {
      const named = new Set<string>();
      const walked = new Set<string>();
      for (const match of sourceMatches(bc, source.path)) {
        if (match === '' || isDir(bc, match)) {
          for (const f of walkCopied(bc, match).files) if (isCrlfScript(bc, f, false)) walked.add(f);
        } else if (isCrlfScript(bc, match, true)) named.add(match);
      }
      return { source, named, walked };
    });
    // A script also copied by name is reported there, not again at the `COPY . .` that sweeps it up.
    const namedAnywhere = new Set(bySource.flatMap((b) => [...b.named]));
    for (const { source, named, walked } of bySource) {
      const found = new Set([...named, ...[...walked].filter((f) => !namedAnywhere.has(f))]);
      if (!found.size) continue;
      const names = [...found].sort();
      ctx.report({
        range: source.range,
        message:
          `${nameList(names)} ${names.length > 1 ? 'have' : 'has'} Windows (CRLF) line endings: in the container the shell reads \`\\r\` as part of each line, ` +
          'so running it fails with `/bin/sh^M: not found` or `$\'\\r\': command not found`. Convert to LF (and set `*.sh text eol=lf` in .gitattributes).',
      });
    }
  },
);
