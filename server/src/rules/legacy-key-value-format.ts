import { mappedRange, splitWords, withTriggers } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'legacy-key-value-format',
    severity: 'info',
    category: 'maintainability',
    description: 'ENV and LABEL should use `key=value`, not the legacy `key value` form.',
    docs: {
      why:
        'In the legacy form `ENV key value`, everything after the first space is the value: `ENV DEPS curl git` sets one variable, ' +
        '`DEPS="curl git"`, and `ENV A 1 B 2` sets `A` to `1 B 2`. That is easy to misread, cannot declare two variables in one instruction, ' +
        'and is deprecated: BuildKit warns about it on every build. `ENV key=value` (quote values with spaces) says exactly what is set.',
      bad: 'FROM alpine\nENV DEPS curl git make',
      good: 'FROM alpine\nENV DEPS="curl git make"',
    },
    fix: 'safe',
    aliases: { buildkit: 'LegacyKeyValueFormat' },
    differences: [
      {
        case: 'BK-LegacyKeyValueFormat-1-bad.Dockerfile',
        reason:
          'BuildKit reads `ARG foo bar` as two build arguments without defaults (ARG has no legacy form) and does not warn about it; ' +
          'reporting it would also flag the common `ARG TARGETOS TARGETARCH`.',
      },
    ],
  },
  (ctx) => {
    const escape = ctx.model.escape;
    for (const inst of withTriggers(ctx.model)) {
      if (inst.keyword !== 'ENV' && inst.keyword !== 'LABEL') continue;
      const text = inst.argsText.text;
      const words = splitWords(text, escape);
      const key = words[0];
      if (!key || key.text.includes('=') || words.length < 2) continue;
      const valueStart = words[1]!.start;
      const end = text.trimEnd().length;
      const value = text.slice(valueStart, end);
      const range = mappedRange(ctx.model, inst.argsText, key.start, end);
      const shown = value.replace(/\s+/g, ' ');
      // Only single-line values without quotes or escapes have an obvious `key=value` spelling.
      const simple = range.start.line === range.end.line && !/["'`\\]/.test(value) && !value.includes(escape);
      const replacement = `${key.text}=${/\s/.test(value) ? `"${value}"` : value}`;
      ctx.report({
        range,
        message: `\`${inst.keyword} ${key.text} ${shown.length > 40 ? shown.slice(0, 40) + '…' : shown}\` uses the legacy form: everything after the first space is the value of \`${key.text}\`. Write \`${inst.keyword} ${key.text}=...\`; BuildKit warns about the legacy form on every build.`,
        fixes: simple ? [{ title: `Write \`${replacement}\``, safe: true, edits: [{ range, newText: replacement }] }] : undefined,
      });
    }
  },
);
