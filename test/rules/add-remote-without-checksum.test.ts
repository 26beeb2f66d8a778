import { ruleTable } from './harness';

const URL = 'https://github.com/krallin/tini/releases/download/v0.19.0/tini-static';

ruleTable('add-remote-without-checksum', {
  valid: [
    `FROM alpine\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d ${URL} /tini\n`,
    'FROM alpine\nADD app.tar.gz /opt/\n',
    'FROM alpine\nADD https://github.com/moby/buildkit.git#v0.14.1 /src\n',
    'FROM alpine\nADD git@github.com:moby/buildkit.git /src\n',
    'FROM alpine\nARG V=1.0\nADD https://github.com/go-delve/delve.git?ref=${V}&keep-git-dir=1 /src\n',
    'FROM debian\nADD https://example.com/gosu /usr/local/bin/gosu\nADD https://example.com/gosu.asc /usr/local/bin/gosu.asc\nRUN gpg --batch --verify /usr/local/bin/gosu.asc /usr/local/bin/gosu\n',
    'FROM debian\nADD https://example.com/t.tgz /tmp/\nRUN echo "abc  /tmp/t.tgz" | sha256sum -c -\n',
    'FROM alpine\nCOPY https-notes.txt /\n',
    'FROM alpine\nARG URL\nADD $URL /tmp/\n',
    'FROM alpine\nRUN curl -fsSLO https://example.com/x\n',
  ],
  invalid: [
    { code: `FROM alpine\nADD ${URL} /tini\n`, errors: [{ line: 2, column: 5, endLine: 2, endColumn: 5 + URL.length, message: /ADD downloads `https:\/\/github\.com\/krallin.*` without `--checksum`/ }] },
    { code: 'FROM alpine\nADD --chmod=755 http://example.com/a.sh http://example.com/b.sh /usr/local/bin/\n', errors: [{ line: 2, column: 17, endColumn: 40 }, { line: 2, column: 41, endColumn: 64 }] },
    { code: 'FROM alpine\nADD ["https://example.com/a.tgz", "/tmp/"]\n', errors: [{ line: 2, column: 6, endColumn: 33, message: /`https:\/\/example\.com\/a\.tgz`/ }] },
    { code: 'FROM alpine\nARG V=1.0\nADD \\\n  # the release\n  https://example.com/tool-${V}.tgz \\\n  /tmp/\n', errors: [{ line: 5, column: 3, endColumn: 36 }] },
    { code: 'FROM debian\nRUN echo "abc  /tmp/t.tgz" | sha256sum -c -\nADD https://example.com/t.tgz /tmp/\n', errors: [{ line: 3 }] },
    { code: 'FROM alpine\nONBUILD ADD https://example.com/a /a\n', errors: [{ line: 2, column: 13, endColumn: 34 }] },
  ],
});
