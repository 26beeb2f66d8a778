import { ruleTable } from './harness';

ruleTable('final-user-root', {
  valid: [
    'FROM scratch\nUSER foo\n',
    'FROM debian as base\nUSER root\nRUN something\nUSER foo\nFROM scratch\nRUN something else\n',
    'FROM debian AS build\nUSER root\nRUN make\nFROM debian\nUSER 10001\n',
    'FROM debian\nUSER root\nRUN apt-get update\nUSER app:app\n',
    'FROM debian\nARG RUNTIME_USER\nUSER $RUNTIME_USER\n',
    'FROM debian\nONBUILD USER root\n',
    'FROM debian\nUSER rootless\n',
  ],
  invalid: [
    { code: 'FROM scratch\nUSER root\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 10, message: /USER root/ }] },
    { code: 'FROM debian\nUSER app\nRUN make\nUSER 0:0\n', errors: [{ line: 4, column: 6, endLine: 4, endColumn: 9 }] },
    { code: 'FROM debian AS base\nUSER root:staff\nFROM base\nRUN make\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 16 }] },
    { code: 'ARG U=0\nFROM debian\nARG U\nUSER ${U}\n', errors: [{ line: 4, column: 6, endLine: 4, endColumn: 10, message: /\(= 0\)/ }] },
    { code: 'FROM debian\nARG U\nUSER $U\n', buildArgs: { U: 'root' }, errors: [{ line: 3 }] },
  ],
});
