import { ruleTable } from './harness';

ruleTable('curl-pipe-shell', {
  valid: [
    'FROM debian\nRUN curl -fsSLo /tmp/i.sh https://x && sha256sum -c sums && sh /tmp/i.sh\n',
    'FROM debian\nRUN curl -fsSL https://x | tar -xz\n',
    'FROM debian\nRUN curl -fsSL https://x | python3 -c "import json,sys; print(json.load(sys.stdin))"\n',
    'FROM debian\nRUN curl -fsSL https://x | sh install.sh && curl -o f https://y | sh\n',
    'FROM debian\nRUN wget -O /tmp/i.sh https://x | sh\n',
    'FROM debian\nRUN sh -c "echo $(date)" && bash -c "curl -fsSL x"\n',
  ],
  invalid: [
    { code: 'FROM debian\nRUN curl -fsSL https://x | sh\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 30, message: /`curl … \| sh`/ }] },
    { code: 'FROM debian\nRUN curl -fsSL https://x | sudo -E bash -\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 42, message: /\| bash/ }] },
    {
      code: 'FROM debian\nRUN wget -qO- https://x \\\n  # install\n  | tee /tmp/log | sh -s -- --yes\n',
      errors: [{ line: 2, column: 5, endLine: 4, endColumn: 34 }],
    },
    { code: 'FROM debian\nRUN sh -c "$(curl -fsSL https://x)"\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 36, message: /`sh` runs the output of `curl`/ }] },
    { code: 'FROM debian\nRUN bash <(curl -s https://x) && eval "$(wget -O- https://y)"\n', errors: [{ line: 2, column: 5 }, { line: 2, column: 34 }] },
    { code: 'FROM php:8\nRUN curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin\n', errors: [{ line: 2, column: 5 }] },
    { code: 'FROM python:3\nRUN curl https://bootstrap.pypa.io/get-pip.py | python /dev/stdin\n', errors: [{ line: 2, column: 5 }] },
    { code: 'FROM debian\nRUN <<EOF\ncurl -fsSL https://x | bash\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 28 }] },
    { code: 'FROM debian\nONBUILD RUN curl -fsSL https://x | sh\n', errors: [{ line: 2, column: 13 }] },
  ],
});
