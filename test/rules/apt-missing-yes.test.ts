import { ruleTable } from './harness';

ruleTable('apt-missing-yes', {
  valid: [
    'FROM debian\nRUN apt-get install -y python\n',
    'FROM debian\nRUN apt-get install -yq python && apt-get --yes purge gcc && apt-get --assume-yes autoremove\n',
    // Quiet level 2 implies -y.
    'FROM debian\nRUN apt-get -qq install curl && apt-get -q -q install git && apt-get -q=2 install vim && apt-get --quiet=2 install jq\n',
    'FROM debian\nRUN apt-get -o APT::Get::Assume-Yes=true install curl && apt-get --option=APT::Get::Assume-Yes=1 install git\n',
    'FROM debian\nRUN yes | apt-get install curl\n',
    'FROM debian\nRUN apt-get install -s curl && apt-get update && apt-get clean\n',
    'FROM debian\nRUN echo \'APT::Get::Assume-Yes "true";\' > /etc/apt/apt.conf.d/90yes\nRUN apt-get install curl\n',
    'FROM debian\nRUN echo \'APT::Get::Assume-Yes "true";\' > /etc/apt/apt.conf.d/90yes && apt-get update && apt-get install curl\n',
    'FROM debian\nCOPY <<EOF /etc/apt/apt.conf.d/90yes\nAPT::Get::Assume-Yes "true";\nEOF\nRUN apt-get install curl\n',
    'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n',
    'FROM debian\nARG APT_FLAGS="-y --no-install-recommends"\nRUN apt-get install $APT_FLAGS curl\n',
    'FROM debian\nARG APT_FLAGS\nRUN apt-get install $APT_FLAGS curl\n',
  ],
  invalid: [
    { code: 'FROM debian\nENV APT_FLAGS=--no-install-recommends\nRUN apt-get install $APT_FLAGS curl\n', errors: [{ line: 3, column: 5 }] },
    { code: 'FROM debian\nRUN apt-get install curl && echo \'APT::Get::Assume-Yes "true";\' > /etc/apt/apt.conf.d/90yes\n', errors: [{ line: 2, column: 5 }] },
    {
      code: 'FROM debian\nRUN apt-get install python\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 20, message: /without `-y`.*aborts the build/ }],
      output: 'FROM debian\nRUN apt-get install -y python\n',
    },
    {
      code: 'FROM debian\nRUN apt-get update \\\n  # comment\n  && sudo apt-get --no-install-recommends install \\\n     curl\n',
      errors: [{ line: 4, column: 11, endLine: 4, endColumn: 50 }],
      output: 'FROM debian\nRUN apt-get update \\\n  # comment\n  && sudo apt-get --no-install-recommends install -y \\\n     curl\n',
    },
    {
      code: 'FROM debian\nRUN ["apt-get", "install", "curl"]\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 26 }],
      output: 'FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n',
    },
    { code: 'FROM debian\nONBUILD RUN apt-get purge gcc\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 26, message: /^`apt-get purge`/ }], output: 'FROM debian\nONBUILD RUN apt-get purge -y gcc\n' },
    // One -q is not enough.
    {
      code: 'FROM debian\nRUN <<EOF\napt-get update\napt-get -q install curl\nEOF\n',
      errors: [{ line: 4, column: 1, endLine: 4, endColumn: 19 }],
      output: 'FROM debian\nRUN <<EOF\napt-get update\napt-get -q install -y curl\nEOF\n',
    },
    { code: 'FROM debian\nRUN apt-get dist-upgrade && apt-get autoremove --purge\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 25 }, { line: 2, column: 29, endLine: 2, endColumn: 47 }] },
    { code: 'FROM ubuntu\nRUN DEBIAN_FRONTEND=noninteractive apt install curl\n', errors: [{ line: 2, column: 36, endLine: 2, endColumn: 47, message: /^`apt install`/ }] },
  ],
});
