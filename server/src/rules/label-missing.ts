import { imageStages, labelPairs, schemaOf } from './lib/label-schema';
import { stageChain } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-missing',
    severity: 'info',
    category: 'maintainability',
    description: 'An image lacks a label that the `label-schema` of `.hadolint.yaml` requires.',
    docs: {
      why:
        'Labels are the metadata a registry, a scanner or `docker inspect` reads from the image config: who owns the image, which commit it was built from, its license. ' +
        'A team that relies on them lists them in `.hadolint.yaml` (`label-schema: { author: text, git-revision: hash }`), and an image built without one is an image nobody can trace. ' +
        'Each image is checked with the labels it inherits from the stages it is built on; stages that only feed `COPY --from` or another stage are not images anyone ships. ' +
        'Labels inherited from an external base image cannot be seen, so those need an ignore comment. The rule does nothing without a `label-schema`.',
      bad: 'FROM alpine:3.20\nLABEL author="Jane Doe"',
      good: 'FROM alpine:3.20\nLABEL author="Jane Doe" \\\n      git-revision="3f2a9c1"',
      options: { labelSchema: { author: 'text', 'git-revision': 'hash' } },
    },
    aliases: { hadolint: ['DL3049'] },
  },
  (ctx) => {
    const wanted = Object.keys(schemaOf(ctx));
    if (!wanted.length) return;
    // ONBUILD labels belong to the images built FROM this one.
    const pairs = labelPairs(ctx.model).filter((p) => !p.onbuild);
    for (const stage of imageStages(ctx.model)) {
      const chain = stageChain(stage);
      const own = pairs.filter((p) => chain.includes(p.inst.stage));
      // A key whose value is unknown may be any of the labels: never guess.
      if (own.some((p) => p.key === undefined)) continue;
      const present = new Set(own.map((p) => p.key));
      const missing = wanted.filter((l) => !present.has(l));
      if (!missing.length) continue;
      const names = missing.map((l) => `\`${l}\``).join(', ');
      ctx.report({
        range: stage.from!.range,
        message: `${missing.length === 1 ? 'Label' : 'Labels'} ${names} ${missing.length === 1 ? 'is' : 'are'} missing from this image (the label schema requires ${missing.length === 1 ? 'it' : 'them'}): registries, scanners and \`docker inspect\` find nothing there.`,
      });
    }
  },
);
