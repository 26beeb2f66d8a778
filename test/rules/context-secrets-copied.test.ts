import { ruleTable } from './harness';

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
