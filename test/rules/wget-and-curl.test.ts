import { ruleTable } from './harness';

ruleTable('wget-and-curl', {
  valid: [
    'FROM node as foo\nRUN wget my.xyz\n',
    'FROM node as foo\nRUN wget my.xyz\nFROM scratch\nRUN curl localhost\n',
    'FROM debian\nRUN apt-get install -y curl wget && command -v wget && curl -fsSL x\n',
    'FROM debian\nRUN curl x\nONBUILD RUN wget y\n',
  ],
  invalid: [
    { code: 'FROM node as foo\nRUN wget my.xyz\nRUN curl localhost\n', errors: [{ line: 3, column: 5, endLine: 3, endColumn: 9, message: /wget on line 2/ }] },
    {
      code: 'FROM node as foo\nRUN wget my.xyz\nRUN curl localhost\nFROM scratch\nRUN curl localhost\n',
      errors: [{ line: 3, column: 5 }],
    },
    {
      code: 'FROM debian\nRUN curl -fsSLO x \\\n  # and\n  && wget -q y\nRUN wget -q z\n',
      errors: [
        { line: 2, column: 5, endLine: 2, endColumn: 9 },
        { line: 5, column: 5, endLine: 5, endColumn: 9 },
      ],
    },
    { code: 'FROM debian\nRUN <<EOF\ncurl -O x\nwget -q y\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 5 }] },
    { code: 'FROM debian\nONBUILD RUN curl x\nONBUILD RUN ["wget", "-q", "y"]\n', errors: [{ line: 3, column: 14, endLine: 3, endColumn: 20 }] },
  ],
});
