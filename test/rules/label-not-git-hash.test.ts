import { ruleTable } from './harness';

const labelSchema = { 'git-revision': 'hash' } as const;
const c = (code: string) => ({ code, labelSchema });
const rev = (value: string) => c(`FROM alpine:3.20\nLABEL git-revision=${value}\n`);

ruleTable('label-not-git-hash', {
  valid: [
    'FROM alpine:3.20\nLABEL git-revision=main\n',
    rev('3f2a9c1'),
    rev('3f2a9c1d8e7b'),
    rev('3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39'),
    rev('3F2A9C1'),
    rev('3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a393f2a9c1d8e7b6a5f4e3d2c1b'),
    rev('$VCS_REF'),
    c('FROM alpine:3.20\nARG VCS_REF\nLABEL git-revision=$VCS_REF\n'),
    c('FROM alpine:3.20\nARG VCS_REF=3f2a9c1\nLABEL git-revision=$VCS_REF\n'),
  ],
  invalid: [
    { ...rev('main'), errors: [{ line: 2, column: 20, endLine: 2, endColumn: 24, message: /^Label `git-revision` is "main", not a git commit hash/ }] },
    { ...rev('3f2a9c'), errors: [{ line: 2 }] },
    { ...rev('3f2a9cg'), errors: [{ line: 2 }] },
    { ...rev('3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39a'), errors: [{ line: 2 }] },
    { ...rev('"v1.2.3"'), errors: [{ line: 2, column: 20, endColumn: 28, message: /"v1\.2\.3"/ }] },
  ],
});
