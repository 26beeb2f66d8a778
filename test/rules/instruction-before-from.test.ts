import { ruleTable } from './harness';

ruleTable('instruction-before-from', {
  valid: [
    'FROM foo\nLABEL foo=bar\n',
    'ARG A=B\nFROM foo\nLABEL foo=bar\n',
    '# syntax=docker/dockerfile:1\n# comment\nARG A\nARG B=1\nFROM foo:$B\n',
    'RUN foo\n',
  ],
  invalid: [
    { code: 'LABEL foo=bar\nFROM foo\n', errors: [{ line: 1, column: 1, endLine: 1, endColumn: 6, message: /LABEL before the first FROM/ }] },
    {
      code: 'ARG A=1\nENV B=2\nRUN echo \\\n  hi\nFROM foo\n',
      errors: [
        { line: 2, column: 1, endLine: 2, endColumn: 4 },
        { line: 3, column: 1, endLine: 3, endColumn: 4 },
      ],
    },
  ],
});
