import { ruleTable } from './harness';

ruleTable('no-empty-continuation', {
  valid: [
    'FROM alpine\nEXPOSE \\\n# Port\n80\n',
    'FROM alpine\nRUN apk add \\\n    curl\n\nRUN true\n',
    // Heredoc bodies may have empty lines.
    'FROM alpine\nRUN <<EOF\necho a \\\n\necho b\nEOF\n',
    // An escaped backslash does not continue the line.
    'FROM alpine\nRUN echo \\\\\n\nRUN true\n',
    '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n    C:\\\n',
    // A continuation on the last line is followed by nothing, not by an empty line.
    'FROM alpine\nENV A=1 \\\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nEXPOSE \\\n\n80\n',
      errors: [{ line: 2, column: 8, endLine: 3, endColumn: 1, message: /Empty line inside a continued instruction/ }],
      output: 'FROM alpine\nEXPOSE \\\n80\n',
    },
    {
      code: 'FROM alpine\nRUN apk add \\\n  \n    # tools\n\n    curl\n',
      errors: [{ line: 2, column: 13, endLine: 5, endColumn: 1, message: /Empty lines/ }],
      output: 'FROM alpine\nRUN apk add \\\n    # tools\n    curl\n',
    },
    {
      code: 'FROM alpine\nRUN a \\\n\n    b \\\n\n    c\n',
      errors: [{ line: 2, column: 7 }, { line: 4, column: 7 }],
    },
    { code: '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n\n    C:\\\n', errors: [{ line: 3, column: 9, endLine: 4 }] },
  ],
});
