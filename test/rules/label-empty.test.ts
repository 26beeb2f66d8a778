import { ruleTable } from './harness';

const labelSchema = { author: 'text', 'git-revision': 'hash' } as const;
const c = (code: string) => ({ code, labelSchema });

ruleTable('label-empty', {
  valid: [
    'FROM alpine:3.20\nLABEL author=""\n',
    c('FROM alpine:3.20\nLABEL author="Jane Doe"\n'),
    c('FROM alpine:3.20\nLABEL other=""\n'),
    c('FROM alpine:3.20\nARG AUTHOR\nLABEL author=$AUTHOR\n'),
    c('FROM alpine:3.20\nLABEL author=" "\n'),
  ],
  invalid: [
    { ...c('FROM alpine:3.20\nLABEL author=""\n'), errors: [{ line: 2, column: 7, endLine: 2, endColumn: 16, message: /^Label `author` is empty/ }] },
    { ...c('FROM alpine:3.20\nLABEL author=\n'), errors: [{ line: 2, column: 7, endColumn: 14 }] },
    { ...c("FROM alpine:3.20\nLABEL x=1 git-revision=''\n"), errors: [{ line: 2, column: 11, endColumn: 26, message: /`git-revision`/ }] },
    // An ARG whose value is known to be empty.
    { ...c('FROM alpine:3.20\nARG VCS_REF=\nLABEL git-revision=$VCS_REF\n'), errors: [{ line: 3, column: 7, endColumn: 28 }] },
    { ...c('FROM alpine:3.20\nONBUILD LABEL author=""\n'), errors: [{ line: 2, column: 15, endColumn: 24 }] },
  ],
});
