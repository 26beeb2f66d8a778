import { ruleTable } from './harness';

const labelSchema = { documentation: 'url' } as const;
const c = (code: string) => ({ code, labelSchema });

ruleTable('label-not-url', {
  valid: [
    'FROM alpine:3.20\nLABEL documentation="docs.example.com"\n',
    c('FROM alpine:3.20\nLABEL documentation="https://docs.example.com/app?v=1#top"\n'),
    c('FROM alpine:3.20\nLABEL documentation=mailto:team@example.com\n'),
    c('FROM alpine:3.20\nLABEL other="not a url"\n'),
    // Empty is label-empty's finding.
    c('FROM alpine:3.20\nLABEL documentation=""\n'),
    c('FROM alpine:3.20\nARG DOCS\nLABEL documentation=$DOCS\n'),
    c('FROM alpine:3.20\nARG DOCS=https://docs.example.com\nLABEL documentation="${DOCS}/app"\n'),
  ],
  invalid: [
    {
      ...c('FROM alpine:3.20\nLABEL documentation="docs.example.com/app"\n'),
      errors: [{ line: 2, column: 21, endLine: 2, endColumn: 43, message: /^Label `documentation` is "docs\.example\.com\/app", not an absolute URL/ }],
    },
    { ...c('FROM alpine:3.20\nLABEL documentation="https://docs.example.com/my app"\n'), errors: [{ line: 2, column: 21 }] },
    { ...c('FROM alpine:3.20\nARG DOCS=docs\nLABEL documentation=${DOCS}\n'), errors: [{ line: 3, column: 21, endColumn: 28, message: /"docs"/ }] },
    // Single quotes keep `$DOCS` literal.
    { ...c("FROM alpine:3.20\nARG DOCS=https://x.example\nLABEL documentation='$DOCS'\n"), errors: [{ line: 3, message: /"\$DOCS"/ }] },
    { ...c('FROM alpine:3.20\nLABEL documentation /usr/share/doc/app\n'), errors: [{ line: 2, column: 21, endColumn: 39 }] },
  ],
});
