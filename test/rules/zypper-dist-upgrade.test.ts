import { ruleTable } from './harness';

ruleTable('zypper-dist-upgrade', {
  valid: ['FROM opensuse/leap\nRUN zypper -n install httpd && zypper -n update openssl\n', 'FROM opensuse/leap\nRUN echo zypper dup\n'],
  invalid: [
    { code: 'FROM opensuse/leap\nRUN zypper dist-upgrade\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 24, message: /second copy of every upgraded package/ }] },
    { code: 'FROM opensuse/tumbleweed\nRUN zypper refresh \\\n  # rolling\n  && sudo zypper -n dup\n', errors: [{ line: 4, column: 11, endLine: 4, endColumn: 24 }] },
    { code: 'FROM opensuse/leap\nRUN ["zypper", "-n", "dup"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 27 }] },
    { code: 'FROM opensuse/leap\nONBUILD RUN zypper --non-interactive dup\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 41 }] },
    { code: 'FROM opensuse/leap\nRUN <<EOF\nzypper -n dist-upgrade --allow-vendor-change\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 23 }] },
  ],
});
