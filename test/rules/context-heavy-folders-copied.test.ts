import { ruleTable } from './harness';

const files = { 'app.py': '', 'requirements.txt': '', '.git/HEAD': 'ref: refs/heads/main\n', '.git/objects/ab/cd': '', 'pkg/__pycache__/m.cpython-312.pyc': '', 'pkg/m.py': '' };

ruleTable('context-heavy-folders-copied', {
  valid: [
    'FROM python:3.12\nCOPY . .\n',
    { code: 'FROM python:3.12\nCOPY . .\n', files, dockerignore: '.git\n**/__pycache__\n' },
    { code: 'FROM python:3.12\nCOPY . .\n', files, dockerignore: '.git/\n__pycache__\n*/__pycache__/*\n' },
    { code: 'FROM python:3.12\nCOPY requirements.txt app.py ./\n', files },
    // Named on purpose.
    { code: 'FROM node:20\nCOPY node_modules /app/node_modules\n', files: { 'node_modules/x/index.js': '' } },
    // `dist` and `build` are often what the image is for; `target` only counts beside Cargo.toml or pom.xml; `env` only as a virtualenv.
    { code: 'FROM nginx\nCOPY . /usr/share/nginx/html/\n', files: { 'index.html': '', 'dist/app.js': '', 'target/x': '', 'env/prod.yml': '' } },
    { code: 'FROM node:20 AS b\nFROM node:20\nCOPY --from=b . .\n', files },
    { code: 'FROM node:20\nONBUILD COPY . /app/\n', files },
    // An empty folder adds nothing.
    { code: 'FROM python:3.12\nCOPY pkg/ /app/pkg/\n', files: { 'pkg/m.py': '', 'pkg/__pycache__/x.pyc': '' }, dockerignore: '**/*.pyc\n' },
  ],
  invalid: [
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\n',
      files,
      errors: [{ line: 3, column: 6, endColumn: 7, message: /`COPY \.` copies `\.git`, `pkg\/__pycache__` \(Git history, tool cache\)/ }],
    },
    { code: 'FROM python:3.12\nCOPY pkg/ /app/pkg/\n', files, errors: [{ line: 2, column: 6, endColumn: 10, message: /`pkg\/__pycache__`/ }] },
    { code: 'FROM python:3.12\nCOPY . .\n', files, dockerignore: '**/__pycache__\n', errors: [{ line: 2, message: /`\.git` \(Git history\)/ }] },
    {
      code: 'FROM rust:1\nCOPY --chown=1000 . /src/\n',
      files: { 'Cargo.toml': '', 'src/main.rs': '', 'target/debug/app': '', 'web/node_modules/react/index.js': '', '.venv/bin/python': '' },
      errors: [{ line: 2, column: 19, endColumn: 20, message: /`\.venv`, `target`, `web\/node_modules`/ }],
    },
    { code: 'FROM python:3.12\nADD \\\n  . \\\n  /app/\n', files: { 'venv/pyvenv.cfg': '', 'venv/bin/python': '' }, errors: [{ line: 3, column: 3, endColumn: 4, message: /`venv` \(virtualenv\)/ }] },
    { code: 'FROM python:3.12\nCOPY * /app/\n', files, errors: [{ line: 2, column: 6, endColumn: 7 }] },
    { code: 'FROM python:3.12\nCOPY . .\n', files: { 'app.py': '', '.env/pyvenv.cfg': '', '.env/bin/python': '' }, errors: [{ line: 2, message: /`\.env` \(virtualenv\)/ }] },
  ],
});
