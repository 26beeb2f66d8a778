import { ruleTable } from './harness';

ruleTable('copy-multi-source-no-slash', {
  valid: [
    'COPY foo bar\n',
    'COPY foo bar baz/\n',
    'FROM node\nCOPY package*.json .\n',
    'FROM node\nCOPY ["a", "b", "/app/"]\n',
    'FROM node\nARG DEST=/app/\nCOPY a b $DEST\n',
    'FROM node\nARG DEST\nCOPY a b $DEST\n',
  ],
  invalid: [
    { code: 'COPY foo bar baz\n', errors: [{ line: 1, column: 14, endLine: 1, endColumn: 17, message: /"baz\/"/ }], output: 'COPY foo bar baz/\n' },
    { code: 'COPY foo bar "baz"\n', errors: [{ line: 1, column: 14, endLine: 1, endColumn: 19 }], output: 'COPY foo bar "baz/"\n' },
    { code: 'FROM node\nCOPY ["a", "b", "/app"]\n', errors: [{ line: 2, column: 17, endLine: 2, endColumn: 23 }], output: 'FROM node\nCOPY ["a", "b", "/app/"]\n' },
    {
      code: 'FROM node\nADD a.txt \\\n  # and b\n  b.txt /app\n',
      errors: [{ line: 4, column: 9, endLine: 4, endColumn: 13 }],
      output: 'FROM node\nADD a.txt \\\n  # and b\n  b.txt /app/\n',
    },
    { code: 'FROM node\nCOPY <<a.txt <<b.txt /dir\na\na.txt\nb\nb.txt\n', errors: [{ line: 2, column: 22, endLine: 2, endColumn: 26 }] },
    { code: 'FROM node\nONBUILD COPY a b .\n', errors: [{ line: 2, column: 18 }], output: 'FROM node\nONBUILD COPY a b ./\n' },
  ],
});
