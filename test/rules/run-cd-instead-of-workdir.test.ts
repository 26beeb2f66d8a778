import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { findingsOf, ruleTable } from './harness';

ruleTable('run-cd-instead-of-workdir', {
  valid: [
    'FROM alpine\nWORKDIR /opt\n',
    'FROM alpine\nRUN (cd /src && make) && echo done\n',
    'FROM alpine\nRUN echo "$(cd "$(dirname "$0")" && pwd)" `cd /x`\n',
    'FROM alpine\nRUN bash -c "cd /x && make"\n',
    'FROM alpine\nRUN echo cd /x\n',
    'FROM alpine\nRUN cat <<EOF > /f\n(unbalanced\nEOF\n',
    'FROM alpine\nRUN ["cd", "/x"]\n',
    // WORKDIR cannot name these: no command substitution, glob or tilde, and shell-only variables are empty there.
    'FROM debian\nRUN cd /usr/lib/$(uname -m)-linux-gnu/perl && ls\n',
    'FROM debian\nRUN cd /usr/lib/`uname -m`-linux-gnu && ls\n',
    'FROM debian\nRUN tar -xzf make.tgz && cd make-* && ./configure && cd src && make\n',
    'FROM debian\nWORKDIR /w\nRUN cd "$HOME" && ls\n',
    'FROM debian\nWORKDIR /w\nRUN cd ~/src && ls\n',
    'FROM debian\nARG D\nRUN cd "$D" && ls\n',
  ],
  invalid: [
    { code: 'RUN cd /opt\n', errors: [{ line: 1, column: 5, endLine: 1, endColumn: 7, message: /WORKDIR \/opt/ }] },
    { code: 'FROM alpine\nRUN (cd /x && make) && cd /y && ls\n', errors: [{ line: 2, column: 24, endLine: 2, endColumn: 26, message: /`cd \/y`/ }] },
    { code: 'FROM alpine\nRUN echo a && \\\n  # comment\n  cd /z && make\n', errors: [{ line: 4, column: 3, endLine: 4, endColumn: 5 }] },
    { code: 'FROM alpine\nRUN <<EOF\nset -e\ncd /src\nmake\nEOF\n', errors: [{ line: 4, column: 1, endLine: 4, endColumn: 3 }] },
    { code: 'FROM alpine\nRUN cat <<EOF > /f\n(unbalanced\nEOF\nRUN cd /a && cd /b\n', errors: [{ line: 5, column: 5 }], output: 'FROM alpine\nRUN cat <<EOF > /f\n(unbalanced\nEOF\nWORKDIR /a\nRUN cd /b\nWORKDIR /\n' },
    { code: 'FROM alpine\nONBUILD RUN cd /app && make\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 15 }] },
    // The directory before is a WORKDIR of the Dockerfile: restored after the RUN.
    {
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd cmd/server && go build -o /app .\nCMD ["/app"]\n',
      errors: [{ line: 4, column: 5 }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nWORKDIR cmd/server\nRUN go build -o /app .\nWORKDIR /src\nCMD ["/app"]\n',
    },
    // Continuation lines in both styles, a comment line inside moved above the RUN.
    {
      code: 'FROM debian:bookworm\nWORKDIR /build\nRUN cd /usr/src/app \\\n    # configure first\n    && ./configure \\\n    && make\n',
      errors: [{ line: 3 }],
      output: 'FROM debian:bookworm\nWORKDIR /build\nWORKDIR /usr/src/app\n# configure first\nRUN ./configure \\\n    && make\nWORKDIR /build\n',
    },
    {
      code: 'FROM debian:bookworm\nWORKDIR /build\nRUN cd /usr/src/app && \\\n    make && \\\n    make install\nWORKDIR /opt\n',
      errors: [{ line: 3 }],
      output: 'FROM debian:bookworm\nWORKDIR /build\nWORKDIR /usr/src/app\nRUN make && \\\n    make install\nWORKDIR /opt\n',
    },
    // The backtick escape character; no final newline.
    {
      code: '# escape=`\nFROM alpine:3.20\nWORKDIR /w\nRUN cd /src `\n    && make',
      errors: [{ line: 4 }],
      output: '# escape=`\nFROM alpine:3.20\nWORKDIR /w\nWORKDIR /src\nRUN make\nWORKDIR /w',
    },
    // Several stages, an ARG-substituted WORKDIR in the stage the RUN builds on.
    {
      code: 'ARG APP=/app\nFROM node:20 AS base\nARG APP\nWORKDIR ${APP}\nFROM base\n  RUN cd web && npm ci\n',
      errors: [{ line: 6 }],
      output: 'ARG APP=/app\nFROM node:20 AS base\nARG APP\nWORKDIR ${APP}\nFROM base\n  WORKDIR web\n  RUN npm ci\n  WORKDIR /app\n',
    },
    // Not offered: `;` or `||` would let the rest run elsewhere if cd failed; cd - goes back; unknown directories.
    { code: 'FROM debian\nWORKDIR /w\nRUN cd /src; make\n', errors: [{ line: 3 }] },
    { code: 'FROM debian\nWORKDIR /w\nRUN cd /src && make || true\n', errors: [{ line: 3 }] },
    { code: 'FROM debian\nWORKDIR /w\nRUN cd /src && make && cd - && ls\n', errors: [{ line: 3 }] },
    { code: 'FROM debian\nARG SRC=/usr/src/app\nWORKDIR /w\nRUN cd "$SRC" && ls\n', errors: [{ line: 4, message: /Use WORKDIR \$SRC to/ }] },
    { code: 'FROM alpine\nENV NODE_VERSION=22.1.0\nRUN tar -xf node.tgz && cd node-v$NODE_VERSION && make\n', errors: [{ line: 3, message: /Use WORKDIR node-v\$NODE_VERSION to/ }] },
    { code: 'FROM debian\nWORKDIR /w\nRUN make && cd /x && ls\n', errors: [{ line: 3 }] },
    { code: 'FROM golang:1.22\nRUN cd /src && go build\n', errors: [{ line: 2 }] },
    { code: 'FROM debian\nARG D\nWORKDIR $D\nRUN cd /src && make\n', errors: [{ line: 4 }] },
  ],
});

describe('run-cd-instead-of-workdir fixes', () => {
  before(() => initShellParser());
  const fixesOf = (code: string) => (findingsOf('run-cd-instead-of-workdir', code).diagnostics[0]?.data as RuleDiagnosticData | undefined)?.fixes ?? [];
  it('are safe when the directory before comes from a WORKDIR, unsafe when only from an image default', () => {
    assert.deepEqual(fixesOf('FROM golang:1.22\nWORKDIR /src\nRUN cd cmd && go build\n').map((f) => f.safe), [true]);
    assert.deepEqual(fixesOf('FROM scratch\nRUN cd /x && ls\n').map((f) => f.safe), [true]);
    assert.deepEqual(fixesOf('FROM debian:bookworm\nRUN cd /x && ls\n').map((f) => f.safe), [false]);
  });
  it('leave out the return when a WORKDIR follows', () => {
    assert.match(fixesOf('FROM debian\nWORKDIR /w\nRUN cd /src && make\nWORKDIR /out\n')[0]!.title, /^Use WORKDIR \/src for this RUN$/);
  });
});

ruleTable('run-cd-instead-of-workdir', {
  valid: [],
  invalid: [
    // `cd` into the directory the RUN starts in anyway: only the cd goes.
    { code: 'FROM ruby:3.3\nWORKDIR /var/www/app\nRUN cd /var/www/app && \\\n    bundle install\n', errors: [{ line: 3 }], output: 'FROM ruby:3.3\nWORKDIR /var/www/app\nRUN bundle install\n' },
    { code: 'FROM ruby:3.3\nWORKDIR /var/www/app\nRUN cd . && bundle install\n', errors: [{ line: 3 }], output: 'FROM ruby:3.3\nWORKDIR /var/www/app\nRUN bundle install\n' },
  ],
});
