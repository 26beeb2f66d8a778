import { ruleTable } from './harness';

ruleTable('wget-without-progress-option', {
  valid: [
    'FROM node as foo\nRUN wget --progress=dot:giga my.xyz\n',
    'FROM node as foo\nRUN wget -q my.xyz\n',
    'FROM alpine\nRUN wget -qO- https://x | tar -xz && wget -nv https://y && wget --no-verbose https://z\n',
    'FROM alpine\nRUN wget -o /tmp/log https://x && wget --output-file=/tmp/log https://y && wget -a log https://z\n',
    'FROM alpine\nRUN wget --version\n',
    'FROM alpine\nRUN apk add --no-cache wget\n',
    // Known ARG/ENV values are read as the words the shell passes; an unknown unquoted one may hold the option.,
    'FROM debian\nARG WGET_ARGS="-q --progress=dot:giga"\nRUN wget ${WGET_ARGS} https://x/y.tgz\n',
    'FROM debian\nENV WGET_OPTS=-nv\nRUN wget $WGET_OPTS https://x/y.tgz\n',
    'FROM debian\nARG WGET_OPTS\nRUN wget $WGET_OPTS https://x/y.tgz\n',
    'FROM debian\nRUN wget $(cat /etc/wget-flags) https://x/y.tgz\n',
  ],
  invalid: [
    { code: 'FROM debian\nARG WGET_ARGS="--no-check-certificate --tries=3"\nRUN wget ${WGET_ARGS} https://x/y.tgz\n', errors: [{ line: 3, column: 5, endColumn: 9 }] },
    // The script assigns the variable only URLs: one operand word, not an option.
    { code: 'FROM alpine\nRUN case "$(apk --print-arch)" in x86_64) URL=\'https://x/a.tgz\' ;; *) URL=\'https://x/b.tgz\' ;; esac; \\\n  wget -O /a.tgz ${URL}\n', errors: [{ line: 3, column: 3, endColumn: 7 }] },
    { code: 'FROM debian\nARG URL=https://x/y.tgz\nRUN wget $URL\n', errors: [{ line: 3, column: 5, endColumn: 9 }], output: 'FROM debian\nARG URL=https://x/y.tgz\nRUN wget -q $URL\n' },
    { code: 'FROM debian\nARG WGET_ARGS="-q"\nRUN wget ${WGET_ARGS} https://x && wget https://y\n', errors: [{ line: 3, column: 36 }] },
    { code: 'FROM node as foo\nRUN wget my.xyz\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 9, message: /--progress/ }], output: 'FROM node as foo\nRUN wget -q my.xyz\n' },
    { code: 'FROM alpine\nRUN wget -O- https://x | tar -xz\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 9 }], output: 'FROM alpine\nRUN wget -q -O- https://x | tar -xz\n' },
    {
      code: 'FROM alpine\nRUN set -e \\\n  # fetch\n  && wget -nc -O /tmp/a.tgz "$URL"\n',
      errors: [{ line: 4, column: 6, endLine: 4, endColumn: 10 }],
      output: 'FROM alpine\nRUN set -e \\\n  # fetch\n  && wget -q -nc -O /tmp/a.tgz "$URL"\n',
    },
    { code: 'FROM alpine\nRUN ["wget", "https://x"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 12 }], output: 'FROM alpine\nRUN ["wget", "-q", "https://x"]\n' },
    { code: 'FROM alpine\nRUN <<EOF\nsudo wget https://x\nEOF\n', errors: [{ line: 3, column: 6, endLine: 3, endColumn: 10 }] },
    { code: 'FROM alpine\nONBUILD RUN wget https://x\n', errors: [{ line: 2, column: 13 }] },
  ],
});
