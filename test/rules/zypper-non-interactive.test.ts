import { ruleTable } from './harness';

ruleTable('zypper-non-interactive', {
  valid: [
    'FROM opensuse/leap\nRUN zypper -n install httpd=2.4.24 && zypper clean --all\n',
    'FROM opensuse/leap\nRUN zypper --non-interactive in httpd && zypper install --non-interactive curl && zypper -nq rm vim\n',
    'FROM opensuse/leap\nRUN zypper install -y httpd && zypper in --no-confirm curl && zypper --quiet install -yl vim\n',
    'FROM opensuse/leap\nRUN zypper refresh && zypper clean && zypper addrepo https://x/y.repo y && zypper search vim\n',
  ],
  invalid: [
    {
      code: 'FROM opensuse/leap\nRUN zypper install httpd=2.4.24 && zypper clean\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19, message: /without `-n` prompts.*`zypper -n install`/ }],
      output: 'FROM opensuse/leap\nRUN zypper -n install httpd=2.4.24 && zypper clean\n',
    },
    {
      // After the subcommand, `-n` is `--name`.
      code: 'FROM opensuse/leap\nRUN zypper install -n httpd=2.4.24 && zypper clean\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19, message: /`-n` after `zypper install` means `--name`/ }],
      output: 'FROM opensuse/leap\nRUN zypper -n install -n httpd=2.4.24 && zypper clean\n',
    },
    {
      code: 'FROM opensuse/leap\nRUN zypper refresh \\\n  # then\n  && sudo zypper --gpg-auto-import-keys dup\n',
      errors: [{ line: 4, column: 11, endLine: 4, endColumn: 44 }],
      output: 'FROM opensuse/leap\nRUN zypper refresh \\\n  # then\n  && sudo zypper -n --gpg-auto-import-keys dup\n',
    },
    { code: 'FROM opensuse/leap\nRUN ["zypper", "update"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 24 }], output: 'FROM opensuse/leap\nRUN ["zypper", "-n", "update"]\n' },
    // zypper reads the answer from the terminal, so piping `yes` does not help.
    { code: 'FROM opensuse/leap\nONBUILD RUN yes | zypper rm vim\n', errors: [{ line: 2, column: 19, endLine: 2, endColumn: 28 }] },
    { code: 'FROM opensuse/leap\nRUN <<EOF\nzypper patch\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 13 }], output: 'FROM opensuse/leap\nRUN <<EOF\nzypper -n patch\nEOF\n' },
  ],
});
