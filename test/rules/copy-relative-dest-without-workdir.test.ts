import { ruleTable } from './harness';

ruleTable('copy-relative-dest-without-workdir', {
  valid: [
    'COPY bla.sh /usr/local/bin/blubb.sh\n',
    'FROM debian:buster as base\nWORKDIR /usr\nFROM debian:buster as stage-inbetween\nRUN foo\nFROM base\nCOPY foo bar\n',
    'FROM node:20\nWORKDIR /app\nCOPY . .\n',
    'FROM node:20\nENV APP=/app\nCOPY . $APP\nARG DEST\nCOPY x $DEST\n',
    'FROM scratch\nCOPY app .\n',
    'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app C:\\\\app\n',
    'FROM node:20\nONBUILD COPY . .\n',
  ],
  invalid: [
    { code: 'COPY bla.sh blubb.sh\n', errors: [{ line: 1, column: 13, endLine: 1, endColumn: 21, message: /relative "blubb\.sh"/ }] },
    { code: 'FROM debian:buster as stage1\nWORKDIR /usr\nFROM debian:buster\nCOPY foo bar\n', errors: [{ line: 4, column: 10, endLine: 4, endColumn: 13 }] },
    { code: 'FROM node:20\nCOPY package.json \\\n  # lockfile too\n  package-lock.json ./\nWORKDIR /app\nCOPY . .\n', errors: [{ line: 4, column: 21, endLine: 4, endColumn: 23 }] },
    { code: 'FROM node:20\nADD ["a b", "dir/"]\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 19 }] },
    { code: 'FROM node:20\nARG DEST=app\nCOPY . ${DEST}\n', errors: [{ line: 3, message: /"\$\{DEST\}"/ }] },
  ],
});
