import { labelPairs, schemaOf } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-empty',
    severity: 'warning',
    category: 'maintainability',
    description: 'A label that the `label-schema` of `.hadolint.yaml` lists has an empty value.',
    docs: {
      why:
        'An empty label satisfies a check for its presence and tells nobody anything: the image says it has an owner, a revision or a license and then leaves it blank. ' +
        'It usually comes from a build argument that was never passed (`ARG VCS_REF=` then `LABEL git-revision=$VCS_REF`). ' +
        'Values that hold an ARG without a known value are not checked. The rule does nothing without a `label-schema` in `.hadolint.yaml`.',
      bad: 'FROM alpine:3.20\nLABEL author=""',
      good: 'FROM alpine:3.20\nLABEL author="Jane Doe"',
      options: { labelSchema: { author: 'text' } },
    },
    aliases: { hadolint: ['DL3051'] },
  },
  (ctx) => {
    const schema = schemaOf(ctx);
    if (!Object.keys(schema).length) return;
    for (const p of labelPairs(ctx.model)) {
      if (p.key === undefined || !Object.hasOwn(schema, p.key) || p.value !== '') continue;
      ctx.report({
        range: { start: p.keyRange.start, end: p.valueRange.end },
        message: `Label \`${p.key}\` is empty: the image carries the label the schema asks for, but no value in it.`,
      });
    }
  },
);
