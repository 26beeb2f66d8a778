import { ruleTable } from './harness';

ruleTable('copied-archive-extracted', {
  valid: [
    'COPY packaged-app.tar /usr/src/app\nFROM debian:11 as newstage\n',
    'COPY package.json /usr/src/app\n',
    'FROM debian\nCOPY app.tar.gz /tmp/\nFROM debian\nRUN tar -xzf /tmp/app.tar.gz\n',
    'FROM debian\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz --strip-components=1 -C /opt\n',
    'FROM debian\nCOPY x.tar /tmp/\nRUN tar -cf /tmp/x.tar /etc\n',
    'FROM debian\nCOPY --from=build /out/y.tar /tmp/\nRUN tar -xf /tmp/y.tar\n',
    'FROM debian\nRUN --mount=type=bind,source=app.tar.gz,target=/tmp/app.tar.gz tar -xzf /tmp/app.tar.gz -C /opt\n',
  ],
  invalid: [
    { code: 'COPY packaged-app.tar /usr/src/app\nRUN tar -xf /usr/src/app/packaged-app.tar\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 22, message: /RUN on line 2/ }] },
    {
      code: 'COPY packaged-app.tar /usr/src/app\nWORKDIR /usr/src/app\nRUN foo bar && echo something && tar -xf packaged-app.tar\n',
      errors: [{ line: 1, column: 6, endLine: 1, endColumn: 22 }],
    },
    {
      code: 'FROM debian\nCOPY app.tar.gz build/lib.tgz /tmp/\nCOPY out.tar /tmp/renamed.tar\nRUN tar xzf /tmp/app.tar.gz \\\n  # unpack\n  && tar -C /opt -xf /tmp/renamed.tar\n',
      errors: [
        { line: 2, column: 6, endLine: 2, endColumn: 16 },
        { line: 3, column: 14, endLine: 3, endColumn: 30, message: /renamed\.tar/ },
      ],
    },
    { code: 'FROM debian\nCOPY ["lib.tgz", "/tmp/"]\nRUN <<EOF\ntar --extract -f /tmp/lib.tgz -C /opt\nEOF\n', errors: [{ line: 2, column: 7, endLine: 2, endColumn: 16 }] },
  ],
});
