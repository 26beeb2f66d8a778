import { ruleTable } from './harness';

ruleTable('apt-not-apt-get', {
  valid: [
    'FROM ubuntu\nRUN apt-get update && apt-get install -y curl && apt-cache policy curl\n',
    'FROM ubuntu\nRUN echo apt install curl && add-apt-repository -y ppa:deadsnakes/ppa\n',
    'FROM ubuntu\nRUN <<EOF\napt-get update\nEOF\n',
  ],
  invalid: [
    {
      code: 'FROM ubuntu\nRUN apt install python\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 8, message: /^`apt install` is the interactive front end.*`apt-get install`/ }],
      output: 'FROM ubuntu\nRUN apt-get install python\n',
    },
    {
      code: 'FROM ubuntu\nRUN apt-get update \\\n  # comment\n  && sudo apt -y install curl\n',
      errors: [{ line: 4, column: 11, endLine: 4, endColumn: 14 }],
      output: 'FROM ubuntu\nRUN apt-get update \\\n  # comment\n  && sudo apt-get -y install curl\n',
    },
    { code: 'FROM ubuntu\nRUN ["/usr/bin/apt", "update"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 20 }] },
    { code: 'FROM ubuntu\nONBUILD RUN apt update\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 16 }], output: 'FROM ubuntu\nONBUILD RUN apt-get update\n' },
    { code: 'FROM ubuntu\nRUN <<EOF\n/usr/bin/apt autoremove -y\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 13 }], output: 'FROM ubuntu\nRUN <<EOF\n/usr/bin/apt-get autoremove -y\nEOF\n' },
    // `apt upgrade` also installs new dependencies and `apt search` belongs to apt-cache: reported, not rewritten.
    { code: 'FROM ubuntu\nRUN apt upgrade -y\n', errors: [{ line: 2, column: 5, message: /`apt-get upgrade`/ }] },
    { code: 'FROM ubuntu\nRUN apt search curl\n', errors: [{ line: 2, column: 5, message: /`apt-cache search`/ }] },
  ],
});
