import { ruleTable } from './harness';

ruleTable('legacy-key-value-format', {
  valid: [
    'FROM alpine\nARG foo=bar\n',
    'ENV DEPS="\\\n    curl \\\n    git \\\n    make"\n',
    'FROM alpine\nENV A=1 B="two words"\nLABEL "com.example.vendor"="ACME" version=1.0\n',
    // ARG has no legacy form: these are two ARGs.
    'FROM alpine\nARG TARGETOS TARGETARCH\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nENV DEPS curl git make\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 23, message: /legacy form.*`DEPS`/ }],
      output: 'FROM alpine\nENV DEPS="curl git make"\n',
    },
    {
      code: 'ENV DEPS \\\n    curl \\\n    git \\\n    make\n',
      errors: [{ line: 1, column: 5, endLine: 4, endColumn: 9 }],
    },
    { code: 'FROM alpine\nLABEL maintainer me@example.com\n', errors: [{ line: 2, column: 7 }], output: 'FROM alpine\nLABEL maintainer=me@example.com\n' },
    { code: 'FROM alpine\nENV PATH $PATH:/opt/bin\n', errors: [{ line: 2 }], output: 'FROM alpine\nENV PATH=$PATH:/opt/bin\n' },
    // Quotes are kept as they are: no automatic rewrite.
    { code: 'FROM alpine\nENV GREETING "hello world"\n', errors: [{ line: 2, column: 5, endColumn: 27 }] },
    { code: 'FROM alpine\nONBUILD ENV A b\n', errors: [{ line: 2, column: 13 }], output: 'FROM alpine\nONBUILD ENV A=b\n' },
  ],
});
