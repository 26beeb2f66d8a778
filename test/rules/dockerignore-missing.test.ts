import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import type { CaseContext } from './harness';
import { findingsOf, ruleTable } from './harness';

const files = { 'app.js': 'console.log(1)\n', 'package.json': '{}\n', '.git/HEAD': 'ref: refs/heads/main\n', 'node_modules/x/index.js': '' };

ruleTable('dockerignore-missing', {
  valid: [
    // No build context (an unsaved file): nothing to say.
    'FROM node:20\nCOPY . .\n',
    { code: 'FROM node:20\nCOPY . .\n', files, dockerignore: '.git\nnode_modules\n' },
    { code: 'FROM node:20\nCOPY . .\n', files, dockerignore: '' },
    { code: 'FROM node:20\nCOPY src/ /app/src/\nCOPY package.json ./\n', files },
    { code: 'FROM node:20 AS build\nFROM node:20\nCOPY --from=build . .\n', files },
    { code: 'FROM node:20\nONBUILD COPY . /app/\n', files },
    { code: 'FROM alpine\nCOPY <<EOF /etc/motd\nhello\nEOF\n', files },
    { code: 'FROM alpine\nARG SRC\nCOPY $SRC /app/\n', files },
    { code: 'FROM alpine\nADD https://example.com/a.tar.gz /tmp/\n', files },
  ],
  invalid: [
    {
      code: 'FROM node:20\nCOPY . .\nRUN npm ci\n',
      files,
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 7, message: /no \.dockerignore.*`\.git`, `node_modules`/ }],
    },
    { code: 'FROM node:20\nCOPY ./ /app/\n', files: { 'app.js': '' }, errors: [{ line: 2, column: 6, endColumn: 8, message: /^There is no \.dockerignore, so `COPY \.\/` copies everything in the build context into this layer, and/ }] },
    { code: 'FROM node:20\nCOPY --chown=1000:1000 . .\n', files, errors: [{ line: 2, column: 24, endColumn: 25 }] },
    { code: 'FROM node:20\nADD . /src\n', files, errors: [{ line: 2, column: 5, endColumn: 6, message: /`ADD \.`/ }] },
    { code: 'FROM node:20\nCOPY package.json . /app/\n', files, errors: [{ line: 2, column: 19, endColumn: 20 }] },
    { code: 'FROM node:20\nCOPY [".", "/app/"]\n', files, errors: [{ line: 2, column: 7, endColumn: 10 }] },
    { code: 'FROM node:20\nCOPY * /app/\n', files, errors: [{ line: 2, column: 6, endColumn: 7 }] },
    { code: 'FROM node:20\nARG SRC=.\nCOPY $SRC /app/\n', files, errors: [{ line: 3, column: 6, endColumn: 10 }] },
    { code: 'FROM node:20\nCOPY \\\n  # sources\n  . \\\n  /app/\n', files, errors: [{ line: 4, column: 3, endLine: 4, endColumn: 4 }] },
    // One finding: a .dockerignore fixes every whole-context COPY at once.
    { code: 'FROM node:20 AS a\nCOPY . .\nFROM node:20\nCOPY . .\n', files, errors: [{ line: 2 }] },
  ],
});

describe('dockerignore-missing: the fix creates .dockerignore', () => {
  before(() => initShellParser());
  const changeOf = (code: string, c: CaseContext) => {
    const { diagnostics } = findingsOf('dockerignore-missing', code, c);
    const fixes = (diagnostics[0]!.data as RuleDiagnosticData).fixes;
    assert.equal(fixes.length, 1);
    assert.equal(fixes[0]!.safe, false);
    assert.deepEqual(fixes[0]!.edits, []);
    assert.equal(fixes[0]!.files!.length, 1);
    return { fix: fixes[0]!, change: fixes[0]!.files![0]! };
  };
  const created = (change: { edits: { newText: string }[] }) => change.edits.map((e) => e.newText).join('');
  it('with .git, the ecosystem starter and the heavy folders and secrets found', () => {
    const { fix, change } = changeOf('FROM node:20\nCOPY . .\nRUN npm ci\n', {
      files: { ...files, 'web/node_modules/y/index.js': '', '.env': 'A=1\n', 'deploy/id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n' },
    });
    assert.equal(change.path, '/context/.dockerignore');
    assert.equal(change.create, true);
    assert.deepEqual(change.edits[0]!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.equal(created(change), '# Kept out of the build context (created by Layerwise)\n.git\nnode_modules\nnpm-debug.log*\nyarn-error.log*\nweb/node_modules\n.env\ndeploy/id_rsa\n');
    assert.match(fix.title, /^Create \.dockerignore excluding `\.git`, `node_modules`, `npm-debug\.log\*` and 4 more$/);
  });
  it('for Python, Rust and Gradle projects; CRLF from the Dockerfile', () => {
    const py = changeOf('FROM python:3.12\r\nCOPY . /app\r\n', { files: { 'requirements-dev.txt': '', 'app.py': '', '.venv/pyvenv.cfg': '', '.venv/bin/python': '' } });
    assert.equal(created(py.change), '# Kept out of the build context (created by Layerwise)\r\n.git\r\n**/__pycache__\r\n**/*.py[cod]\r\n.venv\r\n.pytest_cache\r\n.mypy_cache\r\n');
    assert.match(created(changeOf('FROM rust:1\nCOPY . .\n', { files: { 'Cargo.toml': '', 'src/main.rs': '' } }).change), /\n\.git\ntarget\n$/);
    assert.match(created(changeOf('FROM gradle:8\nCOPY . .\n', { files: { 'build.gradle.kts': '', 'src/A.java': '' } }).change), /\n\.git\n\.gradle\n$/);
  });
  it('leaves out what the Dockerfile copies by name, and .git when a RUN uses git', () => {
    const { change } = changeOf('FROM node:20\nCOPY node_modules /app/node_modules\nCOPY . /app\nRUN git describe --tags > /version\n', { files });
    assert.equal(created(change), '# Kept out of the build context (created by Layerwise)\nnpm-debug.log*\nyarn-error.log*\n');
  });
  it('escapes special characters of the paths found', () => {
    const { change } = changeOf('FROM node:20\nCOPY . .\n', { files: { 'a.js': '', '#cfg/.env': 'A=1\n', '[x]/node_modules/a/b.js': '' } });
    assert.equal(created(change), '# Kept out of the build context (created by Layerwise)\n.git\n\\[x\\]/node_modules\n\\#cfg/.env\n');
  });
});
