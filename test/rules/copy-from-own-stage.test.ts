import { ruleTable } from './harness';

ruleTable('copy-from-own-stage', {
  valid: [
    'FROM scratch as build\nRUN foo\nFROM node as run\nCOPY --from=build foo .\nRUN baz\n',
    'FROM node\nCOPY --from=foo bar .\n',
    'FROM node AS a\nFROM node AS b\nCOPY --from=0 x y\n',
    'FROM node AS app\nONBUILD COPY --from=app x y\n',
    'COPY --from=0 x y\n',
  ],
  invalid: [
    { code: 'FROM node as foo\nCOPY --from=foo bar .\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 16, message: /cannot copy from itself/ }] },
    { code: 'FROM node AS a\nFROM node AS B\nCOPY --from=b x y\n', errors: [{ line: 3, column: 13 }] },
    { code: 'FROM node AS a\nFROM node\nCOPY --link \\\n  --from=1 x y\n', errors: [{ line: 4, column: 10, endLine: 4, endColumn: 11 }] },
  ],
});
