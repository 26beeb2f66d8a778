import { checkLabelFormat, isGitHash, shown } from './lib/label-schema';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'label-not-git-hash',
    severity: 'warning',
    category: 'maintainability',
    description: 'A label that the `label-schema` types `hash` does not hold a git commit hash.',
    docs: {
      why:
        'A revision label (`git-revision`, `org.opencontainers.image.revision`) is how someone looking at a running image finds the commit it was built from. ' +
        'A branch name or a tag moves, so it does not identify the source. `git rev-parse HEAD` (or `--short`) gives a hash; 7 to 40 hex digits are accepted, and 64 for SHA-256 repositories. ' +
        '`.hadolint.yaml` gives a label this type with `label-schema: { git-revision: hash }`. ' +
        'Values that hold an ARG without a known value (`LABEL git-revision=$VCS_REF`) are not checked. The rule does nothing without a `label-schema`.',
      bad: 'FROM alpine:3.20\nLABEL git-revision="main"',
      good: 'FROM alpine:3.20\nLABEL git-revision="3f2a9c1"',
      options: { labelSchema: { 'git-revision': 'hash' } },
    },
    aliases: { hadolint: ['DL3055'] },
  },
  (ctx) =>
    checkLabelFormat(
      ctx,
      'hash',
      isGitHash,
      (label, value) => `Label \`${label}\` is ${shown(value)}, not a git commit hash (7 to 40 hex digits, from \`git rev-parse HEAD\`): the image cannot be traced back to its commit.`,
    ),
);
