import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import type { CaseContext } from './harness';
import { findingsOf, ruleTable } from './harness';

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

describe('context-heavy-folders-copied: the fix excludes the folders found', () => {
  before(() => initShellParser());
  const fixOf = (code: string, c: CaseContext) => {
    const { diagnostics } = findingsOf('context-heavy-folders-copied', code, c);
    const fixes = (diagnostics[0]!.data as RuleDiagnosticData).fixes;
    assert.equal(fixes.length, 1);
    assert.equal(fixes[0]!.safe, false);
    assert.deepEqual(fixes[0]!.edits, []);
    return fixes[0]!;
  };
  it('creates .dockerignore with exactly the folders found', () => {
    const fix = fixOf('FROM python:3.12\nWORKDIR /app\nCOPY . .\n', { files });
    assert.equal(fix.title, 'Create .dockerignore excluding `.git`, `pkg/__pycache__`');
    assert.deepEqual(fix.files, [{ path: '/context/.dockerignore', create: true, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '.git\npkg/__pycache__\n' }] }]);
  });
  it('appends to the existing file (CRLF kept, an empty file too)', () => {
    const ignore = '**/__pycache__\r\n';
    const fix = fixOf('FROM python:3.12\nCOPY . .\n', { files: { ...files, '.dockerignore': ignore }, dockerignore: ignore });
    assert.deepEqual(fix.files![0]!.edits, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '.git\r\n' }]);
    const empty = fixOf('FROM python:3.12\nCOPY . .\n', { files: { ...files, '.dockerignore': '' }, dockerignore: '' });
    assert.deepEqual(empty.files![0]!.edits, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '.git\npkg/__pycache__\n' }]);
  });
  it('for a folder source: the heavy folders inside it', () => {
    const fix = fixOf('FROM rust:1\nCOPY --chown=1000 . /src/\n', { files: { 'Cargo.toml': '', 'src/main.rs': '', 'target/debug/app': '', 'web/node_modules/react/index.js': '', '.venv/bin/python': '' } });
    assert.equal(fix.files![0]!.edits[0]!.newText, '.venv\ntarget\nweb/node_modules\n');
  });
  it('leaves out .git when a RUN reads it, and a folder the Dockerfile copies by name', () => {
    const fix = fixOf('FROM python:3.12\nCOPY . .\nRUN git rev-parse HEAD > /REVISION\n', { files });
    assert.equal(fix.files![0]!.edits[0]!.newText, 'pkg/__pycache__\n');
    const { diagnostics } = findingsOf('context-heavy-folders-copied', 'FROM node:20\nCOPY . .\nCOPY node_modules /app/node_modules\n', { files: { 'a.js': '', 'node_modules/x/i.js': '' } });
    assert.equal((diagnostics[0]!.data as RuleDiagnosticData).fixes.length, 0);
  });
});
