import { ruleTable } from './harness';

ruleTable('apt-no-install-recommends', {
  valid: [
    'FROM debian\nRUN apt-get install -y --no-install-recommends python\n',
    'FROM debian\nRUN apt-get -o APT::Install-Recommends=false install -y python && apt-get -o=APT::Install-Recommends=0 install -y git\n',
    'FROM debian\nRUN apt-get install -y curl wget --no-install-recommends\n',
    'FROM debian\nRUN echo \'APT::Install-Recommends "0";\' > /etc/apt/apt.conf.d/01norecommends\nRUN apt-get install -y curl\n',
    'FROM debian AS base\nRUN echo \'APT::Install-Recommends "false";\' > /etc/apt/apt.conf.d/01norecommends\nFROM base\nRUN apt-get install -y curl\n',
    // Written earlier in the same RUN (photoprism's images).
    'FROM debian\nRUN echo \'APT::Install-Recommends "false";\' > /etc/apt/apt.conf.d/80recommends && \\\n    apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n',
    // Simulation installs nothing; a builder stage only copied from ships nothing.
    'FROM debian\nRUN apt-get install -s curl\n',
    'FROM debian AS build\nRUN apt-get install -y gcc\nFROM scratch\nCOPY --from=build /usr/bin/gcc /gcc\n',
    'FROM debian\nRUN apt-get update && apt-get remove -y curl\n',
    'FROM debian\nARG APT_FLAGS="-y --no-install-recommends"\nRUN apt-get update && apt-get install $APT_FLAGS curl\n',
  ],
  invalid: [
    { code: 'FROM debian\nARG APT_FLAGS=-y\nRUN apt-get install $APT_FLAGS curl\n', errors: [{ line: 3 }] },
    {
      code: 'FROM debian\nRUN apt-get install python\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 20, message: /without `--no-install-recommends`/ }],
      output: 'FROM debian\nRUN apt-get install --no-install-recommends python\n',
    },
    {
      code: 'FROM debian\nRUN apt-get update \\\n  # tools\n  && DEBIAN_FRONTEND=noninteractive apt-get -y install \\\n    curl\n',
      errors: [{ line: 4, column: 37, endLine: 4, endColumn: 55 }],
      output: 'FROM debian\nRUN apt-get update \\\n  # tools\n  && DEBIAN_FRONTEND=noninteractive apt-get -y install --no-install-recommends \\\n    curl\n',
    },
    {
      code: 'FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 26 }],
      output: 'FROM debian\nRUN ["apt-get", "install", "--no-install-recommends", "-y", "curl"]\n',
    },
    { code: 'FROM debian\nONBUILD RUN sudo apt install -y curl\n', errors: [{ line: 2, column: 18, endLine: 2, endColumn: 29, message: /^`apt install`/ }] },
    { code: 'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n', errors: [{ line: 4, column: 1, endLine: 4, endColumn: 16 }] },
    // Recommends set to true again, or the config written in another, unrelated stage.
    { code: 'FROM debian\nRUN apt-get -o APT::Install-Recommends=true install -y curl\n', errors: [{ line: 2, column: 5 }] },
    // Written after the install, in the same RUN: too late for it.
    { code: 'FROM debian\nRUN apt-get install -y curl && echo \'APT::Install-Recommends "false";\' > /etc/apt/apt.conf.d/80recommends\n', errors: [{ line: 2, column: 5 }] },
    { code: 'FROM debian AS other\nRUN echo \'APT::Install-Recommends "0";\' > /etc/apt/apt.conf.d/01norecommends\nFROM debian\nRUN apt-get install -y curl\n', errors: [{ line: 4, column: 5 }] },
  ],
});
