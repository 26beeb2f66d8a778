import { ruleTable } from './harness';

ruleTable('pointless-container-command', {
  valid: [
    'RUN apt-get install ssh\n',
    'FROM debian\nRUN apt-get install -y vim nano procps\n',
    'FROM debian\nRUN command -v ps && echo top\n',
    'FROM debian\nRUN --mount=type=ssh ssh -T git@github.com || true\n',
    'FROM debian\nCMD ["top", "-b"]\n',
  ],
  invalid: [
    { code: 'RUN top\n', errors: [{ line: 1, column: 5, endLine: 1, endColumn: 8, message: /`top`/ }] },
    { code: 'FROM debian\nRUN sudo service nginx start\n', errors: [{ line: 2, column: 10, endLine: 2, endColumn: 17, message: /killed when this RUN ends/ }] },
    {
      code: 'FROM debian\nRUN ps aux \\\n  # list\n  && vim /etc/hosts\n',
      errors: [
        { line: 2, column: 5, endLine: 2, endColumn: 7 },
        { line: 4, column: 6, endLine: 4, endColumn: 9, message: /editor/ },
      ],
    },
    { code: 'FROM debian\nRUN <<EOF\nmount -t tmpfs none /mnt\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 6 }] },
    { code: 'FROM debian\nRUN ["/usr/bin/free", "-m"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 21 }] },
    { code: 'FROM debian\nONBUILD RUN ifconfig\n', errors: [{ line: 2, column: 13 }] },
  ],
});
