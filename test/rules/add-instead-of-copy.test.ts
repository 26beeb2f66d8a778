import { ruleTable } from './harness';

ruleTable('add-instead-of-copy', {
  valid: [
    'ADD file.tar /usr/src/app/\n',
    'ADD file.gz /usr/src/app/\n',
    'FROM debian\nADD https://example.com/app.bin /usr/local/bin/app\nADD git@github.com:moby/buildkit.git /src\n',
    'FROM debian\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://x/a /a\n',
    'FROM debian\nARG URL\nADD $URL /x\n',
    'FROM debian\nCOPY site/ /srv/\n',
  ],
  invalid: [
    { code: 'ADD file /usr/src/app/\n', errors: [{ line: 1, column: 1, endLine: 1, endColumn: 4, message: /ADD of local "file"/ }], output: 'COPY file /usr/src/app/\n' },
    { code: 'ADD file.zip /usr/src/app/\n', errors: [{ line: 1, column: 1 }], output: 'COPY file.zip /usr/src/app/\n' },
    { code: 'FROM debian\nadd --chown=app \\\n  ./site /srv/\n', errors: [{ line: 2, column: 1, endLine: 2, endColumn: 4 }], output: 'FROM debian\ncopy --chown=app \\\n  ./site /srv/\n' },
    { code: 'FROM debian\nADD ["a b", "/c/"]\n', errors: [{ line: 2, column: 1 }], output: 'FROM debian\nCOPY ["a b", "/c/"]\n' },
    // A mixed ADD keeps its archive: no fix.
    { code: 'FROM debian\nADD app.tar.gz config.yml /opt/\n', errors: [{ line: 2, message: /"config\.yml"/ }] },
    { code: 'FROM debian\nONBUILD ADD . /app\n', errors: [{ line: 2, column: 9, endLine: 2, endColumn: 12 }], output: 'FROM debian\nONBUILD COPY . /app\n' },
  ],
});
