import { ruleTable } from './harness';

ruleTable('inline-ignore-pragma', {
  valid: [
    '# hadolint shell=powershell\nRUN foo bar\n',
    '# foobar\nRUN foo bar\n',
    '# hadolint global ignore=DL3003\nFROM debian\nRUN cd /x\n',
    'FROM debian\nRUN echo a \\\n  # hadolint ignore=DL3003\n  && cd /x\n',
  ],
  invalid: [
    { code: '# hadolint ignore=DL3003\nRUN foo bar\n', errors: [{ line: 1, column: 1, endLine: 1, endColumn: 25, message: /Inline ignore/ }] },
    { code: 'FROM debian\n  # layerwise ignore=run-cd-instead-of-workdir\nRUN cd /x\n', errors: [{ line: 2, column: 3, endLine: 2, endColumn: 47 }] },
    { code: 'FROM debian\n# Hadolint Ignore=DL3008,DL3015\nRUN apt-get install -y curl\n', errors: [{ line: 2 }] },
  ],
});
