import { ruleTable } from './harness';

const labelSchema = { author: 'text' } as const;
const c = (code: string) => ({ code, labelSchema, strictLabels: true });

ruleTable('label-superfluous', {
  valid: [
    { code: 'FROM alpine:3.20\nLABEL author=jane team=payments\n', labelSchema },
    // strict-labels without a schema: the rules do nothing without a schema.
    { code: 'FROM alpine:3.20\nLABEL team=payments\n', strictLabels: true },
    c('FROM alpine:3.20\nLABEL author=jane\n'),
    c('FROM alpine:3.20\nLABEL "author"="Jane Doe"\n'),
    c('FROM alpine:3.20\nARG KEY\nLABEL ${KEY}=x\n'),
    c('FROM alpine:3.20\nARG KEY=author\nLABEL ${KEY}=x\n'),
  ],
  invalid: [
    { ...c('FROM alpine:3.20\nLABEL author=jane team=payments\n'), errors: [{ line: 2, column: 19, endLine: 2, endColumn: 23, message: /^Label `team` is not in the label schema/ }] },
    {
      ...c('FROM alpine:3.20\nLABEL "team"=payments \\\n  Author=jane\n'),
      errors: [
        { line: 2, column: 7, endColumn: 13, message: /`team`/ },
        { line: 3, column: 3, endColumn: 9, message: /`Author`/ },
      ],
    },
    { ...c('FROM alpine:3.20\nONBUILD LABEL team=payments\n'), errors: [{ line: 2, column: 15, endColumn: 19 }] },
    { ...c('FROM alpine:3.20\nARG KEY=team\nLABEL ${KEY}=x\n'), errors: [{ line: 3, column: 7, endColumn: 13, message: /`team`/ }] },
    { ...c('FROM alpine:3.20\nLABEL maintainer Jane Doe\n'), errors: [{ line: 2, column: 7, endColumn: 17, message: /`maintainer`/ }] },
  ],
});
