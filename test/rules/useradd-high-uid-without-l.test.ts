import { ruleTable } from './harness';

ruleTable('useradd-high-uid-without-l', {
  valid: [
    'RUN useradd luser\n',
    'RUN useradd -u 12345 luser\n',
    'FROM debian\nRUN useradd -l -u 1234567 app && useradd -lu 1234567 b && useradd --no-log-init --uid 1234567 c\n',
    'FROM debian\nRUN useradd -u $UNKNOWN app\n',
    'FROM debian\nRUN adduser -u 1234567 app\n',
  ],
  invalid: [
    {
      code: 'RUN useradd -u 123456 luser\n',
      errors: [{ line: 1, column: 5, endLine: 1, endColumn: 12, message: /UID 123456.*about 40 MB/ }],
      output: 'RUN useradd -l -u 123456 luser\n',
    },
    {
      code: 'FROM debian\nRUN groupadd -g 1234567 app \\\n  # the user\n  && sudo useradd --uid=1234567 -g app app\n',
      errors: [{ line: 4, column: 11, endLine: 4, endColumn: 18 }],
      output: 'FROM debian\nRUN groupadd -g 1234567 app \\\n  # the user\n  && sudo useradd -l --uid=1234567 -g app app\n',
    },
    { code: 'FROM debian\nRUN useradd -mu1234567 app\n', errors: [{ line: 2, column: 5 }], output: 'FROM debian\nRUN useradd -l -mu1234567 app\n' },
    { code: 'FROM debian\nARG APP_UID=2000000\nRUN useradd -u ${APP_UID} app\n', errors: [{ line: 3, message: /UID 2000000/ }] },
    {
      code: 'FROM debian\nRUN ["useradd", "-u", "123456", "app"]\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 15 }],
      output: 'FROM debian\nRUN ["useradd", "-l", "-u", "123456", "app"]\n',
    },
    { code: 'FROM debian\nRUN <<EOF\nuseradd -u 99999999 app\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 8 }] },
    { code: 'FROM debian\nONBUILD RUN useradd -u 123456 app\n', errors: [{ line: 2, column: 13 }] },
  ],
});
