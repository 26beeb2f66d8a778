import { ruleTable } from './harness';

ruleTable('workdir-relative-path', {
  valid: [
    'FROM nginx\nWORKDIR /usr/share/nginx/html\n',
    'WORKDIR ${work}\n',
    'FROM alpine\nARG DIR\nWORKDIR $DIR\n',
    'FROM alpine\nARG DIR=/srv\nWORKDIR $DIR/app\n',
    'FROM mcr.microsoft.com/windows/servercore\nWORKDIR C:\\\\app\n',
  ],
  invalid: [
    { code: 'FROM nginx\nWORKDIR usr/share/nginx/html\n', errors: [{ line: 2, column: 9, endLine: 2, endColumn: 29, message: /relative/ }] },
    { code: "WORKDIR 'relative/dir'\n", errors: [{ line: 1 }] },
    { code: 'FROM alpine\nARG DIR=srv\nWORKDIR $DIR\n', errors: [{ line: 3, message: /"srv"/ }] },
    { code: 'FROM alpine\nARG DIR\nWORKDIR $DIR\n', buildArgs: { DIR: 'app' }, errors: [{ line: 3 }] },
  ],
});
