import { ruleTable } from './harness';

ruleTable('user-non-numeric', {
  valid: [
    'USER 12345\n',
    'ARG APP_UID\nFROM foobar:barfoo\nUSER ${APP_UID}\n',
    'FROM debian\nUSER 1000:app\n',
    'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerUser\n',
    'FROM debian\nARG UID\nUSER $UID\n',
  ],
  invalid: [
    { code: 'USER foobar\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 12, message: /USER foobar is a name/ }] },
    { code: 'USER foobar:barfoo\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 19 }] },
    { code: 'FROM debian\nARG U=app\nUSER $U\n', errors: [{ line: 3, column: 6, endLine: 3, endColumn: 8, message: /USER app/ }] },
    { code: 'FROM debian\nONBUILD USER node\n', errors: [{ line: 2, column: 14, endLine: 2, endColumn: 18 }] },
  ],
});
