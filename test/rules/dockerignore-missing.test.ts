import { ruleTable } from './harness';

const files = { 'app.js': 'console.log(1)\n', 'package.json': '{}\n', '.git/HEAD': 'ref: refs/heads/main\n', 'node_modules/x/index.js': '' };

ruleTable('dockerignore-missing', {
  valid: [
    // No build context (an unsaved file): nothing to say.
    'FROM node:20\nCOPY . .\n',
    { code: 'FROM node:20\nCOPY . .\n', files, dockerignore: '.git\nnode_modules\n' },
    { code: 'FROM node:20\nCOPY . .\n', files, dockerignore: '' },
    { code: 'FROM node:20\nCOPY src/ /app/src/\nCOPY package.json ./\n', files },
    { code: 'FROM node:20 AS build\nFROM node:20\nCOPY --from=build . .\n', files },
    { code: 'FROM node:20\nONBUILD COPY . /app/\n', files },
    { code: 'FROM alpine\nCOPY <<EOF /etc/motd\nhello\nEOF\n', files },
    { code: 'FROM alpine\nARG SRC\nCOPY $SRC /app/\n', files },
    { code: 'FROM alpine\nADD https://example.com/a.tar.gz /tmp/\n', files },
  ],
  invalid: [
    {
      code: 'FROM node:20\nCOPY . .\nRUN npm ci\n',
      files,
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 7, message: /no \.dockerignore.*`\.git`, `node_modules`/ }],
    },
    { code: 'FROM node:20\nCOPY ./ /app/\n', files: { 'app.js': '' }, errors: [{ line: 2, column: 6, endColumn: 8, message: /^There is no \.dockerignore, so `COPY \.\/` copies everything in the build context into this layer, and/ }] },
    { code: 'FROM node:20\nCOPY --chown=1000:1000 . .\n', files, errors: [{ line: 2, column: 24, endColumn: 25 }] },
    { code: 'FROM node:20\nADD . /src\n', files, errors: [{ line: 2, column: 5, endColumn: 6, message: /`ADD \.`/ }] },
    { code: 'FROM node:20\nCOPY package.json . /app/\n', files, errors: [{ line: 2, column: 19, endColumn: 20 }] },
    { code: 'FROM node:20\nCOPY [".", "/app/"]\n', files, errors: [{ line: 2, column: 7, endColumn: 10 }] },
    { code: 'FROM node:20\nCOPY * /app/\n', files, errors: [{ line: 2, column: 6, endColumn: 7 }] },
    { code: 'FROM node:20\nARG SRC=.\nCOPY $SRC /app/\n', files, errors: [{ line: 3, column: 6, endColumn: 10 }] },
    { code: 'FROM node:20\nCOPY \\\n  # sources\n  . \\\n  /app/\n', files, errors: [{ line: 4, column: 3, endLine: 4, endColumn: 4 }] },
    // One finding: a .dockerignore fixes every whole-context COPY at once.
    { code: 'FROM node:20 AS a\nCOPY . .\nFROM node:20\nCOPY . .\n', files, errors: [{ line: 2 }] },
  ],
});
