import { ruleTable } from './harness';

ruleTable('apt-pin-versions', {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 python3=3.11.2-1+b1\n',
    'FROM debian\nRUN apt-get install -y ./local.deb /tmp/other.deb\n',
    // Values that cannot be known are not guessed at.
    'FROM debian\nARG PKG\nRUN apt-get install -y "$PKG" $(cat /tmp/packages) && pkgs="a b" && apt-get install -y $pkgs\n',
    'FROM debian\nARG V=1.2\nRUN apt-get install -y "curl=${V}"\n',
    // Simulation installs nothing; `-t` takes a value; other apt subcommands have no packages to pin.
    'FROM debian\nRUN apt-get install -s curl && apt-get install -y -t bookworm-backports git=1:2.39 && apt-get remove -y vim\n',
    'FROM debian\nRUN echo apt-get install curl\n',
  ],
  invalid: [
    { code: 'FROM debian\nRUN apt-get update && apt-get install python\n', errors: [{ line: 2, column: 39, endLine: 2, endColumn: 45, message: /`python` is installed without a version.*`python=<version>`/ }] },
    {
      code: 'FROM debian\nRUN apt-get update \\\n  # tools\n  && sudo apt-get install -y \\\n     curl=7.88 wget \\\n     ./local.deb\n',
      errors: [{ line: 5, column: 16, endLine: 5, endColumn: 20, message: /`wget`/ }],
    },
    { code: 'FROM debian\nRUN ["apt-get", "install", "-y", "curl"]\n', errors: [{ line: 2, column: 34, endLine: 2, endColumn: 40 }] },
    { code: 'FROM debian\nONBUILD RUN apt-get install -y git\n', errors: [{ line: 2, column: 32, endLine: 2, endColumn: 35 }] },
    {
      code: 'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y vim=2:9.0\napt-get install -y -t bookworm-backports git/bookworm-backports\nEOF\n',
      errors: [{ line: 5, column: 42, endLine: 5, endColumn: 64, message: /Pin it as `git=<version>`/ }],
    },
    {
      code: 'FROM debian\nENV PKGS="curl wget=1.2"\nRUN apt-get install -y $PKGS\n',
      errors: [{ line: 3, column: 24, endLine: 3, endColumn: 29, message: /^`\$PKGS` \(`curl`\) is installed/ }],
    },
    {
      code: 'FROM debian\nRUN DEBIAN_FRONTEND=noninteractive apt install -y -o Dpkg::Options::=--force-confold jq\n',
      errors: [{ line: 2, column: 86, endLine: 2, endColumn: 88, message: /`jq`/ }],
    },
    { code: 'FROM debian\nRUN apt-get install -y a b\n', errors: [{ line: 2, column: 24 }, { line: 2, column: 26 }] },
  ],
});
