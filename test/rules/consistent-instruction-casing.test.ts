import { ruleTable } from './harness';

ruleTable('consistent-instruction-casing', {
  valid: [
    'FROM alpine\nRUN echo hello > /greeting.txt\nENTRYPOINT ["cat", "/greeting.txt"]\n',
    'from alpine\nrun echo hello > /greeting.txt\nentrypoint ["cat", "/greeting.txt"]\n',
    // Heredoc bodies are not instructions.
    'FROM python:3.12\nRUN <<EOF\nfrom os import path\nrun = 1\nEOF\n',
    'FROM alpine\nRUN apk add \\\n  # from here on\n  curl\n',
  ],
  invalid: [
    {
      code: 'From alpine\nRun echo hello > /greeting.txt\nEntRYpOiNT ["cat", "/greeting.txt"]\n',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 5, message: /`From`.*uppercase.*`FROM`/ },
        { line: 2, column: 1, endLine: 2, endColumn: 4 },
        { line: 3, column: 1, endLine: 3, endColumn: 11 },
      ],
      output: 'FROM alpine\nRun echo hello > /greeting.txt\nEntRYpOiNT ["cat", "/greeting.txt"]\n',
    },
    {
      code: 'from alpine\ncopy a /a\nCOPY b /b\ncopy c /c\n',
      errors: [{ line: 3, column: 1, endColumn: 5, message: /lowercase.*`copy`/ }],
      output: 'from alpine\ncopy a /a\ncopy b /b\ncopy c /c\n',
    },
    // A tie goes to uppercase.
    { code: 'FROM alpine\nrun true\n', errors: [{ line: 2, message: /`RUN`/ }] },
    // ONBUILD triggers count too.
    { code: 'FROM alpine\nRUN true\nONBUILD run make\n', errors: [{ line: 3, column: 9, endColumn: 12 }] },
    { code: 'FROM alpine\nRUN apk add \\\n    curl\nWorkdir /app\n', errors: [{ line: 4, column: 1, endColumn: 8 }] },
  ],
});
