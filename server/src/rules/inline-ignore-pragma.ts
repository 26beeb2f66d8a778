import { defineRule } from './rule';

export default defineRule(
  {
    id: 'inline-ignore-pragma',
    severity: 'off',
    category: 'maintainability',
    description: 'Inline `# hadolint ignore=` / `# layerwise ignore=` comments hide findings from reviewers.',
    docs: {
      why:
        'An inline ignore comment silences a rule for one instruction, right where nobody reviewing the configuration looks. ' +
        'Teams that want every exception in one place (`.hadolint.yaml`, `layerwise.rules` settings) turn this rule on: ' +
        'then a suppressed apt cache or unpinned package cannot slip into the image through a comment. Off by default, like hadolint\'s DL1001.',
      bad: 'FROM debian:bookworm\n# hadolint ignore=DL3008\nRUN apt-get update && apt-get install -y curl',
      good: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5',
    },
    aliases: { hadolint: ['DL1001'] },
  },
  (ctx) => {
    // A comment inside a continued instruction is part of it, not a pragma.
    const inside = (line: number): boolean => ctx.model.instructions.some((i) => line > i.range.start.line && line < i.range.end.line);
    for (const c of ctx.model.comments) {
      if (!/^\s*(?:hadolint|layerwise)\s+ignore\s*=/i.test(c.text) || inside(c.line)) continue;
      ctx.report({
        range: c.range,
        message: 'Inline ignore comment: this finding is silenced here, out of sight of the team\'s configuration. Move the exception to .hadolint.yaml or the layerwise.rules setting.',
      });
    }
  },
);
