import { ruleTable } from './harness';

ruleTable('copy-ignored-file', {
  valid: [
    // No build context (unsaved file): nothing to compare with.
    'FROM alpine\nCOPY app.env /etc/\n',
    { code: 'FROM scratch\nCOPY ./forever/helloworld.txt /helloworld.txt\n', dockerignore: '*/tmp/*\n' },
    // `*/tmp/*` only matches tmp folders one level down.
    { code: 'FROM scratch\nCOPY ./tmp/helloworld.txt /helloworld.txt\n', dockerignore: '*/tmp/*\n' },
    { code: 'FROM alpine\nCOPY . /app\n', dockerignore: 'node_modules\n*.env\n' },
    { code: 'FROM alpine AS b\nRUN touch /x.env\nFROM alpine\nCOPY --from=b /x.env /x.env\n', dockerignore: '*.env\n' },
    // An exception may bring files back under an excluded folder.
    { code: 'FROM alpine\nCOPY docs /docs\n', dockerignore: 'docs\n!docs/README.md\n' },
    { code: 'FROM alpine\nARG F\nCOPY $F /etc/\n', dockerignore: '*.env\n' },
    { code: 'FROM alpine\nADD https://example.com/app.env /etc/\n', dockerignore: '*.env\n' },
    { code: 'FROM alpine\nCOPY <<app.env /etc/app.env\nA=1\napp.env\n', dockerignore: '*.env\n' },
    // ONBUILD triggers run against the context of a later build.
    { code: 'FROM alpine\nONBUILD COPY app.env /etc/\n', dockerignore: '*.env\n' },
  ],
  invalid: [
    {
      code: 'FROM alpine\nCOPY app.env /etc/app.env\n',
      dockerignore: '*.env\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 13, message: /`app.env` is excluded by \.dockerignore.*"not found"/ }],
    },
    {
      code: 'FROM alpine\nCOPY --chown=1:1 src/a.txt \\\n  # secrets\n  secrets/key.pem /app/\n',
      dockerignore: 'secrets\n',
      errors: [{ line: 4, column: 3, endLine: 4, endColumn: 18, message: /its folder `secrets`/ }],
    },
    {
      code: 'FROM alpine\nADD ["node_modules", "/app/node_modules"]\n',
      dockerignore: 'node_modules\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 20, message: /ADD fails/ }],
    },
    {
      code: 'FROM alpine\nARG DIR=build\nCOPY ./$DIR/*.js /app/\n',
      dockerignore: 'build\n',
      errors: [{ line: 3, column: 6, endLine: 3, endColumn: 17 }],
    },
    {
      code: 'FROM alpine\nCOPY /Dockerfile /x\n',
      dockerignore: '# the Dockerfile is sent anyway\nDockerfile\n',
      errors: [{ line: 2, column: 6 }],
    },
  ],
});
