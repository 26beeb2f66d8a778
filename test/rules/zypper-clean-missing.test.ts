import { ruleTable } from './harness';

ruleTable('zypper-clean-missing', {
  valid: [
    'FROM opensuse/leap\nRUN zypper -n install mariadb=10.4 && zypper clean --all\n',
    'FROM opensuse/leap\nRUN zypper -n install mariadb=10.4 && zypper cc -a\n',
    'FROM opensuse/leap\nRUN zypper -n in httpd \\\n  # metadata and raw metadata\n  && zypper clean -m -M\n',
    'FROM opensuse/leap\nRUN zypper -n install httpd && rm -rf /var/cache/zypp/*\n',
    'FROM opensuse/leap\nRUN --mount=type=cache,target=/var/cache/zypp zypper -n install httpd\n',
    'FROM opensuse/leap AS build\nRUN zypper -n install gcc\nFROM scratch\nCOPY --from=build /usr/bin/gcc /gcc\n',
    'FROM opensuse/leap\nRUN zypper -n rm vim && zypper search httpd\n',
  ],
  invalid: [
    {
      code: 'FROM opensuse/leap\nRUN zypper install -y mariadb=10.4\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19, message: /leaves the repository metadata.*`zypper clean --all`/ }],
      output: 'FROM opensuse/leap\nRUN zypper install -y mariadb=10.4 && zypper clean --all\n',
    },
    { code: 'FROM opensuse/leap\nRUN zypper clean --all && zypper install -y mariadb=10.4\n', errors: [{ line: 2, column: 27, endLine: 2, endColumn: 41 }] },
    {
      // Plain `zypper clean` removes only downloaded packages.
      code: 'FROM opensuse/leap\nRUN zypper install -y mariadb=10.4 && zypper clean\n',
      errors: [{ line: 2, column: 39, endLine: 2, endColumn: 51, message: /^`zypper clean` without `--all` removes only downloaded packages/ }],
      output: 'FROM opensuse/leap\nRUN zypper install -y mariadb=10.4 && zypper clean --all\n',
    },
    {
      code: 'FROM opensuse/leap\nRUN zypper -n install mariadb=10.4 \\\n  # clean up\n  && zypper cc\n',
      errors: [{ line: 4, column: 6, endLine: 4, endColumn: 15, message: /^`zypper cc` without `--all`/ }],
      output: 'FROM opensuse/leap\nRUN zypper -n install mariadb=10.4 \\\n  # clean up\n  && zypper cc --all\n',
    },
    { code: 'FROM opensuse/leap\nRUN ["zypper", "-n", "install", "httpd"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 31 }] },
    { code: 'FROM opensuse/leap\nONBUILD RUN zypper -n refresh\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 30 }] },
    { code: 'FROM opensuse/leap\nRUN <<EOF\nsudo zypper -n install httpd\nEOF\n', errors: [{ line: 3, column: 6, endLine: 3, endColumn: 23 }] },
  ],
});
