import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { fsBuildContext } from '../../server/src/model/build-context';
import { ParsedDocument } from '../../server/src/engine/document';
import { lintDocument } from '../../server/src/engine/lint';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import type { CaseContext } from './harness';
import { findingsOf, ruleTable } from './harness';

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files = { 'app.js': '', '.env': 'DB_PASSWORD=hunter2\n', 'src/index.js': '' };

ruleTable('context-secrets-copied', {
  valid: [
    'FROM node:20\nCOPY . .\n',
    { code: 'FROM node:20\nCOPY . .\n', files, dockerignore: '.env\n' },
    { code: 'FROM node:20\nCOPY . .\n', files, dockerignore: '**/.env*\n' },
    { code: 'FROM node:20\nCOPY src/ /app/src/\n', files },
    { code: 'FROM node:20\nCOPY . .\n', files: { 'app.js': '', '.env.example': 'DB_PASSWORD=\n', '.env.sample': '' } },
    { code: 'FROM node:20\nCOPY . .\n', files: { 'certs/ca.pem': CERT, '.npmrc': 'registry=https://npm.example.com/\n//npm.example.com/:_authToken=${NPM_TOKEN}\n' } },
    // Named on purpose: a decision, not an accident.
    { code: 'FROM nginx\nCOPY server.key /etc/nginx/\n', files: { 'server.key': KEY } },
    { code: 'FROM nginx\nCOPY *.key /etc/nginx/\n', files: { 'server.key': KEY } },
    // A builder stage the final image only copies files from.
    { code: 'FROM node:20 AS build\nCOPY . .\nRUN npm ci && npm run build\nFROM nginx\nCOPY --from=build /dist /usr/share/nginx/html\n', files },
    { code: 'FROM node:20\nONBUILD COPY . /app/\n', files },
    { code: 'FROM node:20\nCOPY --from=other . .\n', files },
    { code: 'FROM node:20\nARG SRC\nCOPY $SRC .\n', files },
    // A virtualenv called .env is a folder, not a dotenv file.
    { code: 'FROM python:3.12\nCOPY . .\n', files: { 'app.py': '', '.env/pyvenv.cfg': '', '.env/bin/python': '' } },
  ],
  invalid: [
    { code: 'FROM node:20\nCOPY . .\n', files, errors: [{ line: 2, column: 6, endColumn: 7, message: /`COPY \.` copies `\.env` into the image.*--mount=type=secret/ }] },
    {
      code: 'FROM node:20\nCOPY --chown=node . /app/\n',
      files: { 'a.js': '', 'deploy/id_rsa': KEY, 'deploy/id_rsa.pub': 'ssh-rsa AAAA', '.aws/credentials': '[default]\n', 'certs/tls.pem': KEY, '.npmrc': '//registry.npmjs.org/:_authToken=npm_abc123\n' },
      errors: [{ line: 2, column: 19, endColumn: 20, message: /`\.aws\/credentials`, `\.npmrc`, `certs\/tls\.pem` and 1 more/ }],
    },
    { code: 'FROM node:20\nCOPY src/ /app/src/\n', files: { 'src/index.js': '', 'src/.env.production': 'SECRET=1\n' }, errors: [{ line: 2, column: 6, endColumn: 10, message: /`src\/\.env\.production`/ }] },
    { code: 'FROM node:20\nADD ./ /app\n', files, dockerignore: '.git\n', errors: [{ line: 2, column: 5, endColumn: 7 }] },
    { code: 'FROM node:20\nCOPY * /app/\n', files, errors: [{ line: 2, column: 6, endColumn: 7 }] },
    { code: 'FROM node:20\nCOPY ["src", "/app/src"]\n', files: { 'src/credentials.json': '{"type":"service_account","private_key":"x"}' }, errors: [{ line: 2, column: 7, endColumn: 12 }] },
    // `!` exceptions re-include a file inside an ignored folder.
    { code: 'FROM node:20\nCOPY . .\n', files: { 'config/.env': 'A=1\n', 'config/app.yml': '' }, dockerignore: 'config\n!config/.env\n', errors: [{ line: 2, message: /`config\/\.env`/ }] },
    // The final stage, and a stage it builds on, ship their layers.
    { code: 'FROM node:20 AS base\nCOPY . .\nFROM base\nRUN npm test\n', files, errors: [{ line: 2 }] },
    { code: 'FROM python:3.12\nARG APP=.\nCOPY \\\n  $APP \\\n  /app/\n', files: { 'main.py': '', 'settings/prod.pypirc': '', '.pypirc': '[pypi]\npassword = pypi-AgEIcHlwaS5vcmc\n' }, errors: [{ line: 4, column: 3, endColumn: 7, message: /`\.pypirc`/ }] },
  ],
});

describe('context-secrets-copied: the fix excludes the files found', () => {
  before(() => initShellParser());
  const fixOf = (code: string, c: CaseContext, k = 0) => {
    const { diagnostics } = findingsOf('context-secrets-copied', code, c);
    const fixes = (diagnostics[k]!.data as RuleDiagnosticData).fixes;
    assert.equal(fixes.length, 1);
    assert.equal(fixes[0]!.safe, false);
    assert.deepEqual(fixes[0]!.edits, []);
    return fixes[0]!;
  };
  it('appends to the end of the .dockerignore in effect, keeping its line endings', () => {
    const ignore = '# deps\r\nnode_modules\r\n';
    const fix = fixOf('FROM node:20\nCOPY . .\n', { files: { ...files, '.dockerignore': ignore }, dockerignore: ignore });
    assert.equal(fix.title, 'Exclude `.env` in .dockerignore');
    assert.deepEqual(fix.files, [{ path: '/context/.dockerignore', create: false, edits: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: '.env\r\n' }] }]);
  });
  it('starts a new line when the file does not end with one', () => {
    const ignore = '.git\n*.log';
    const fix = fixOf('FROM node:20\nCOPY --chown=node . /app/\n', { files: { 'a.js': '', 'deploy/id_rsa': KEY, 'certs/tls.pem': KEY, '.dockerignore': ignore }, dockerignore: ignore });
    assert.deepEqual(fix.files![0]!.edits, [{ range: { start: { line: 1, character: 5 }, end: { line: 1, character: 5 } }, newText: '\ncerts/tls.pem\ndeploy/id_rsa\n' }]);
  });
  it('re-excludes a file an exception re-included', () => {
    const ignore = 'config\n!config/.env\n';
    const fix = fixOf('FROM node:20\nCOPY . .\n', { files: { 'config/.env': 'A=1\n', 'config/app.yml': '', '.dockerignore': ignore }, dockerignore: ignore });
    assert.equal(fix.files![0]!.edits[0]!.newText, 'config/.env\n');
  });
  it('creates .dockerignore when there is none (several stages: the one that ships)', () => {
    const fix = fixOf('FROM node:20 AS base\nCOPY src/ /app/src/\nFROM base\nCMD ["node", "/app/src"]\n', { files: { 'src/index.js': '', 'src/.env.production': 'SECRET=1\n' } });
    assert.equal(fix.title, 'Create .dockerignore excluding `src/.env.production`');
    assert.deepEqual(fix.files, [{ path: '/context/.dockerignore', create: true, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: 'src/.env.production\n' }] }]);
  });
  it('is not offered for a file the Dockerfile also copies by name', () => {
    const { diagnostics } = findingsOf('context-secrets-copied', 'FROM node:20\nCOPY . .\nCOPY .env /app/.env\n', { files });
    assert.equal((diagnostics[0]!.data as RuleDiagnosticData).fixes.length, 0);
  });
  it('edits <Dockerfile>.dockerignore when that is the file in effect', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-ignore-'));
    try {
      fs.writeFileSync(path.join(dir, 'app.js'), '');
      fs.writeFileSync(path.join(dir, '.env'), 'A=1\n');
      fs.writeFileSync(path.join(dir, '.dockerignore'), 'node_modules\n');
      fs.writeFileSync(path.join(dir, 'Dockerfile.dockerignore'), '.git\n');
      const dockerfile = path.join(dir, 'Dockerfile');
      const doc = new ParsedDocument(pathToFileURL(dockerfile).href, 1, 'FROM node:20\nCOPY . .\n');
      const diagnostics = lintDocument(doc, DEFAULT_SETTINGS, { buildContext: fsBuildContext(dir, dockerfile), ruleConfig: { rules: { 'context-secrets-copied': 'warning' } } }).filter((d) => d.code === 'context-secrets-copied');
      const fix = (diagnostics[0]!.data as RuleDiagnosticData).fixes[0]!;
      assert.equal(fix.title, 'Exclude `.env` in Dockerfile.dockerignore');
      assert.deepEqual(fix.files, [{ path: path.join(dir, 'Dockerfile.dockerignore'), create: false, edits: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '.env\n' }] }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
