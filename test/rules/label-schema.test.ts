import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { parseHadolintConfig } from '../../server/src/engine/hadolint-config';
import { lintDocument } from '../../server/src/engine/lint';
import { initShellParser } from '../../server/src/model/shell';
import { docOf } from '../support/docs';

const YAML = `label-schema:
  author: text
  contact: email
  created: rfc3339
  version: semver
  documentation: url
  git-revision: hash
  license: spdx
  owner: person
strict-labels: true
`;

describe('label-schema and strict-labels in .hadolint.yaml', () => {
  before(() => initShellParser());

  it('reads the schema, leaving out types hadolint does not know', () => {
    const config = parseHadolintConfig(YAML, '/x/.hadolint.yaml');
    assert.deepEqual(config.labelSchema, {
      author: 'text',
      contact: 'email',
      created: 'rfc3339',
      version: 'semver',
      documentation: 'url',
      'git-revision': 'hash',
      license: 'spdx',
    });
    assert.equal(config.strictLabels, true);
  });

  it('has no schema and no strict labels by default', () => {
    const config = parseHadolintConfig('ignored: [DL3008]\nlabel-schema: [author]\nstrict-labels: "yes"\n', '/x/.hadolint.yaml');
    assert.deepEqual(config.labelSchema, {});
    assert.equal(config.strictLabels, false);
  });

  it('reaches the rules through the lint environment, as the editor and the CLI pass it', () => {
    const hadolint = parseHadolintConfig(YAML, '/x/.hadolint.yaml');
    const text =
      'FROM alpine:3.20\n' +
      'ARG VCS_REF\n' +
      'LABEL author="Jane Doe" contact="jane" created="2024-05-01" version="v1.0.0" \\\n' +
      '      documentation="https://docs.example.com" git-revision=$VCS_REF license="MIT" team=payments\n';
    const found = lintDocument(docOf(text), DEFAULT_SETTINGS, { hadolint })
      .filter((d) => typeof d.code === 'string' && d.code.startsWith('label-') && d.code !== 'label-key-invalid')
      .map((d) => `${d.code}@${d.range.start.line + 1}:${d.range.start.character + 1}`);
    assert.deepEqual(found.sort(), ['label-not-email@3:33', 'label-not-rfc3339@3:48', 'label-not-semver@3:69', 'label-superfluous@4:84'].sort());
    // label-missing is info and stays quiet: every schema label is there (git-revision from an ARG).
  });

  it('the rules say nothing without a .hadolint.yaml', () => {
    const text = 'FROM alpine:3.20\nLABEL contact="jane" version=latest\n';
    const found = lintDocument(docOf(text), DEFAULT_SETTINGS, {}).filter((d) => typeof d.code === 'string' && d.code.startsWith('label-'));
    assert.deepEqual(found, []);
  });
});
