import { ruleTable } from './harness';

ruleTable('label-key-invalid', {
  valid: [
    'LABEL org.valid-key.label3="foo"\n',
    'LABEL validlabel="foo"\n',
    'FROM alpine\nLABEL org.opencontainers.image.source="https://x" \\\n  # version\n  version=1.0\n',
    'FROM alpine\nLABEL maintainer Jane Doe\n',
    'FROM alpine\nARG KEY=x\nLABEL ${KEY}=1\n',
  ],
  invalid: [
    { code: 'LABEL com.docker.label="foo"\n', errors: [{ line: 1, column: 7, endLine: 1, endColumn: 23, message: /reserved/ }] },
    { code: 'LABEL io.docker.label="foo"\n', errors: [{ line: 1, column: 7, endLine: 1, endColumn: 22 }] },
    {
      code: 'FROM alpine\nLABEL "Foo"=1 a..b=2 \\\n  x_y=3 b-=4 org.dockerproject.x=5\n',
      errors: [
        { line: 2, column: 7, endLine: 2, endColumn: 12, message: /lower-case letter/ },
        { line: 2, column: 15, endLine: 2, endColumn: 19, message: /consecutive/ },
        { line: 3, column: 3, endLine: 3, endColumn: 6, message: /only lower-case/ },
        { line: 3, column: 9, endLine: 3, endColumn: 11, message: /end with/ },
        { line: 3, column: 14, endLine: 3, endColumn: 33, message: /reserved/ },
      ],
    },
    { code: 'FROM alpine\nONBUILD LABEL Version=1\n', errors: [{ line: 2, column: 15, endLine: 2, endColumn: 22 }] },
  ],
});
