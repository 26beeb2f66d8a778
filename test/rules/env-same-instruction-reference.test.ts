import { ruleTable } from './harness';

ruleTable('env-same-instruction-reference', {
  valid: [
    'ENV BLA="blubb"\nENV BLUBB="${BLA}/blubb"\n',
    'ARG BLA\nENV BLA=${BLA}\n',
    'FROM debian\nENV PATH=/opt/bin:$PATH HOME=/root\n',
    'FROM debian\nARG VERSION=1\nENV VERSION=$VERSION URL=https://x/$VERSION\n',
    "FROM debian\nENV A=1 B='$A' C=\\$A D=$AB\n",
    'FROM debian\nENV A 1 $A\n',
    'FROM debian AS base\nENV A=1\nFROM base\nENV A=2 B=$A\n',
  ],
  invalid: [
    { code: 'ENV BLA="blubb" BLUBB="$BLA/$BLAFOO/blubb"\n', errors: [{ line: 1, column: 24, endLine: 1, endColumn: 28, message: /\$BLA is the value BLA had before this ENV/ }] },
    {
      code: 'ENV PATH=/bla:${PATH} PATH=/blubb:${PATH}\n',
      errors: [
        { line: 1, column: 15, endLine: 1, endColumn: 22 },
        { line: 1, column: 35, endLine: 1, endColumn: 42 },
      ],
    },
    {
      code: 'FROM debian\nENV GOPATH=/go \\\n  # tools\n  PATH=${GOPATH:-/x}/bin:$PATH\n',
      errors: [{ line: 4, column: 8, endLine: 4, endColumn: 21, message: /PATH is computed from the old value/ }],
    },
  ],
});
