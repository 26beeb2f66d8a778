import { labelPairs, schemaOf } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-superfluous',
    severity: 'info',
    category: 'maintainability',
    description: 'With `strict-labels`, a LABEL that the `label-schema` of `.hadolint.yaml` does not list.',
    docs: {
      why:
        'With `strict-labels: true` in `.hadolint.yaml`, a team says its images carry exactly the labels of its `label-schema`: a label under another name ' +
        '(a typo such as `git-revison`, or an ad-hoc key) is metadata no tool reads, and a required label may be hiding behind the wrong name. ' +
        'The rule does nothing unless `strict-labels` is true and a `label-schema` is set.',
      bad: 'FROM alpine:3.20\nLABEL author="Jane Doe" team="payments"',
      good: 'FROM alpine:3.20\nLABEL author="Jane Doe"',
      options: { labelSchema: { author: 'text' }, strictLabels: true },
    },
    aliases: { hadolint: ['DL3050'] },
  },
  (ctx) => {
    const schema = schemaOf(ctx);
    if (!ctx.options.strictLabels || !Object.keys(schema).length) return;
    for (const p of labelPairs(ctx.model)) {
      if (p.key === undefined || Object.hasOwn(schema, p.key)) continue;
      ctx.report({
        range: p.keyRange,
        message: `Label \`${p.key}\` is not in the label schema, and strict-labels allows no other: no tool that follows the schema reads it. Rename it to a schema label or add it to the schema.`,
      });
    }
  },
);
