import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import type { BuildContext } from '../../server/src/model/build-context';
import { ParsedDocument } from '../../server/src/engine/document';
import { lintDocument } from '../../server/src/engine/lint';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import type { Fix } from '../../server/src/rules/rule';
import { readReal, realFiles } from '../support/corpus';
import { findingsOf, ruleTable, type RuleTable } from './harness';

const ID = 'dependency-install-after-source-copy';

const table: RuleTable = {
  valid: [
    'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n',
    'FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n',
    // Named tools are not a manifest install.
    'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install -g serve@14.2.1\n',
    // Dependencies first, then the project itself: the recommended pattern.
    'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install --no-deps .\n',
    'FROM python:3.12 AS deps\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nFROM deps\nCOPY . .\nRUN poetry install --only-root\n',
    'FROM python:3.12\nWORKDIR /app\nCOPY requirements/ requirements/\nRUN pip install -r requirements/base.txt\n',
    'FROM python:3.12\nWORKDIR /app\nCOPY app.py requirements.txt ./\nRUN pip install -r requirements.txt\n',
    // The build itself must follow the source.
    'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
    'FROM rust:1.77\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n',
    'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\n',
    // A folder copied outside the working folder is configuration, not the source.
    'FROM python:3.12\nWORKDIR /app\nCOPY rootfs/ /\nCOPY docker/scripts/ /scripts/\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
    'FROM node:20\nWORKDIR /app\nCOPY --from=builder /app/dist ./dist\nCOPY package.json yarn.lock ./\nRUN yarn install --production\n',
    // ONBUILD triggers run in the child build, plain instructions in this one.
    'FROM node:20\nWORKDIR /app\nONBUILD COPY . .\nRUN npm ci\n',
    'FROM node:20\nARG SRC\nWORKDIR /app\nCOPY ${SRC} .\nRUN npm ci\n',
    'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm run build && yarn build && echo npm ci\n',
    'FROM node:20\nWORKDIR /app\nRUN npm ci\nCOPY . .\n',
    // A second install after the source, once the manifests were installed on their own (here in a deps stage).
    'FROM node:20 AS deps\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nFROM deps\nCOPY . .\nRUN npm ci --omit=dev\n',
    // The dependency folder comes from another stage (or image), installed there from the manifests alone.
    'FROM python:3.12 AS deps\nCOPY requirements.txt .\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=deps /opt/venv /opt/venv\nWORKDIR /app\nCOPY . .\nRUN /opt/venv/bin/pip install .\n',
    'FROM node:20 AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nFROM node:20-slim\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nRUN npm install --offline\n',
    'FROM ruby:3.3\nCOPY --from=ghcr.io/acme/gems:1 /usr/local/bundle /usr/local/bundle\nWORKDIR /app\nCOPY . .\nRUN bundle install\n',
    // Only the project itself, without its dependencies.
    'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-deps -e .\n',
    // A local `replace` in go.mod needs its folder before the download; an unreadable go.mod may have one.
    {
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY lib/ ./lib/\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
      files: { 'go.mod': 'module example.com/app\n\nreplace example.com/lib => ./lib\n', 'go.sum': '', 'lib/go.mod': 'module example.com/lib\n' },
    },
    'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY lib/ ./lib/\nRUN go mod download\n',
  ],
  invalid: [
    // go.mod has no local replace: the folder copied before the download only busts its cache.
    {
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY cmd/ ./cmd/\nRUN go mod download\n',
      files: { 'go.mod': 'module example.com/app\n', 'go.sum': '', 'cmd/main.go': '' },
      errors: [{ line: 5, message: /`COPY cmd\/ \.\/cmd\/` \(line 4\)/ }],
    },
    // What comes from the other stage is the build output, not the dependencies; the project with its dependencies.
    { code: 'FROM node:20\nWORKDIR /app\nCOPY --from=builder /app/dist ./dist\nCOPY . .\nRUN npm ci --omit=dev\n', errors: [{ line: 5 }] },
    { code: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -e .\n', errors: [{ line: 4 }] },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      errors: [{ line: 4, column: 5, endLine: 4, endColumn: 11, message: /^`npm ci` re-runs on every source change because `COPY \. \.` \(line 3\) comes before it; copy package\.json and package-lock\.json first/ }],
    },
    {
      code: 'FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN apt-get update \\\n # deps\n && pip install --no-cache-dir -r requirements.txt\n',
      errors: [{ line: 6, column: 5, endLine: 6, endColumn: 16, message: /^`pip install -r requirements\.txt`.*`COPY \. \/app` \(line 2\).*copy requirements\.txt first/ }],
    },
    { code: 'FROM node:20\nWORKDIR /app\nCOPY [".", "."]\nRUN ["yarn", "install"]\n', errors: [{ line: 4, column: 6, endLine: 4, endColumn: 23, message: /yarn\.lock/ }] },
    {
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN <<EOF\nset -e\ngo mod download\ngo build -o /app .\nEOF\n',
      errors: [{ line: 6, column: 1, endLine: 6, endColumn: 16, message: /go\.mod and go\.sum first and download the modules/ }],
    },
    { code: 'FROM ruby:3.3\nONBUILD COPY . /app\nONBUILD RUN bundle install\n', errors: [{ line: 3, column: 13, endLine: 3, endColumn: 27, message: /Gemfile/ }] },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY src/ ./src/\nCOPY package.json package-lock.json ./\nRUN npm install\n',
      errors: [{ line: 5, column: 5, endLine: 5, endColumn: 16, message: /`COPY src\/ \.\/src\/` \(line 3\)/ }],
    },
    // One finding per ecosystem and stage.
    { code: 'FROM php:8.3\nWORKDIR /var/www\nCOPY --chown=www-data . .\nRUN sudo -E composer install --no-dev\nRUN composer install\n', errors: [{ line: 4, column: 13, endLine: 4, endColumn: 29, message: /--no-autoloader/ }] },
    { code: 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B dependency:go-offline && mvn -B package\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 33, message: /pom\.xml/ }] },
    { code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet restore && dotnet publish -c Release -o /out\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 19 }] },
    { code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install --only main\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 19, message: /--no-root/ }] },
    { code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 16, message: /^`pip install \.`/ }] },
    { code: 'FROM rust:1.77\nWORKDIR /app\nCOPY . .\nRUN cargo fetch && cargo build --release\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 16 }] },
    { code: 'FROM node:20\nWORKDIR /app\nADD . /app/\nRUN pnpm install --frozen-lockfile\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 17 }] },
    // The source copied in a stage this one is built FROM.
    { code: 'FROM node:20 AS src\nWORKDIR /app\nCOPY . .\nFROM src\nRUN npm ci\n', errors: [{ line: 5, column: 5, message: /\(line 3\)/ }] },
    { code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn && yarn build\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 9 }] },

    // ---------- The fix: the manifests that exist in the build context first, the install, then the source ----------
    {
      code: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n',
      files: { 'package.json': '{"name":"app"}', 'package-lock.json': '{}', 'server.js': '' },
      errors: [{ line: 4, column: 5, endColumn: 11 }],
      output: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "server.js"]\n',
    },
    {
      // A needed file missing from the context is reported, not guessed.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{}', 'server.js': '' },
      errors: [{ line: 4, message: /No automatic fix: package-lock\.json \(or npm-shrinkwrap\.json\) is not in the build context; npm ci needs it\.$/ }],
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      dockerignore: 'package-lock.json\n',
      errors: [{ line: 4, message: /package-lock\.json \(or npm-shrinkwrap\.json\) is excluded by \.dockerignore; npm ci needs it\.$/ }],
    },
    {
      // Workspaces: every workspace manifest at its path. --chown kept, the ENV stays above the install, comments stay
      // with their instructions, and the RUN that goes on to build is split after the install.
      code: [
        'FROM node:20',
        'WORKDIR /app',
        '# the app',
        'COPY --chown=node:node . .',
        'ENV PORT=3000',
        '# dependencies, then the build',
        'RUN npm ci && npm run build \\',
        '    && npm prune --omit=dev',
        'CMD ["node", "server.js"]',
        '',
      ].join('\n'),
      files: {
        'package.json': '{"name":"mono","workspaces":["packages/*"]}',
        'package-lock.json': '{}',
        '.npmrc': 'fund=false\n',
        'packages/api/package.json': '{}',
        'packages/api/index.js': '',
        'packages/web/package.json': '{}',
        'packages/README.md': '',
      },
      errors: [{ line: 7, column: 5, endColumn: 11 }],
      output: [
        'FROM node:20',
        'WORKDIR /app',
        'ENV PORT=3000',
        'COPY --chown=node:node package.json package-lock.json .npmrc ./',
        'COPY --chown=node:node packages/api/package.json ./packages/api/',
        'COPY --chown=node:node packages/web/package.json ./packages/web/',
        '# dependencies, then the build',
        'RUN npm ci',
        '# the app',
        'COPY --chown=node:node . .',
        'RUN npm run build \\',
        '    && npm prune --omit=dev',
        'CMD ["node", "server.js"]',
        '',
      ].join('\n'),
    },
    {
      // `COPY src/ ./src/` as the source COPY, the manifests already copied on their own: only the source moves.
      code: 'FROM node:20\nWORKDIR /app\nCOPY src/ ./src/\nCOPY package.json package-lock.json ./\nRUN npm ci\nCMD ["node", "src/index.js"]\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', 'src/index.js': '' },
      errors: [{ line: 5, message: /`COPY src\/ \.\/src\/` \(line 3\)/ }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/\nCMD ["node", "src/index.js"]\n',
    },
    {
      // Several source folders before the install: they all move below it, in their order.
      code: 'FROM node:20\nWORKDIR /app\nCOPY src/ ./src/\nCOPY public/ ./public/\nCOPY package.json package-lock.json ./\nRUN npm ci\nRUN npm run build\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', 'src/index.js': '', 'public/index.html': '' },
      errors: [{ line: 6 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY src/ ./src/\nCOPY public/ ./public/\nRUN npm run build\n',
    },
    {
      // A second source COPY that brings a workspace the install reads: not moved apart.
      code: 'FROM node:20\nWORKDIR /app\nCOPY src/ ./src/\nCOPY packages/ ./packages/\nCOPY package.json package-lock.json ./\nRUN npm ci\n',
      files: { 'package.json': '{"workspaces":["packages/*"]}', 'package-lock.json': '{}', 'src/index.js': '', 'packages/a/package.json': '{}' },
      errors: [{ line: 6, message: /No automatic fix: the COPY on line 4 also brings \/app\/packages\/a\/package\.json, which the install reads\.$/ }],
    },
    {
      // Python over continuation lines: the apt prerequisites in the same RUN go along; requirement includes are followed.
      code: [
        'FROM python:3.12-slim',
        'WORKDIR /srv',
        'COPY . .',
        'RUN apt-get update && apt-get install -y --no-install-recommends gcc \\',
        '    # the dependencies',
        '    && pip install --no-cache-dir -r requirements.txt \\',
        '    && rm -rf /var/lib/apt/lists/*',
        'CMD ["python", "app.py"]',
      ].join('\n'),
      files: { 'requirements.txt': '-r requirements/base.txt\ngunicorn==22.0.0\n', 'requirements/base.txt': 'flask==3.0.3\n', 'app.py': '' },
      errors: [{ line: 6, column: 8, endColumn: 19 }],
      output: [
        'FROM python:3.12-slim',
        'WORKDIR /srv',
        'COPY requirements.txt ./',
        'COPY requirements/base.txt ./requirements/',
        'RUN apt-get update && apt-get install -y --no-install-recommends gcc \\',
        '    # the dependencies',
        '    && pip install --no-cache-dir -r requirements.txt \\',
        '    && rm -rf /var/lib/apt/lists/*',
        'COPY . .',
        'CMD ["python", "app.py"]',
      ].join('\n'),
    },
    {
      // node_modules in the context would overwrite the install: no fix until .dockerignore leaves it out.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', 'node_modules/x/index.js': '' },
      errors: [{ line: 4, message: /No automatic fix: node_modules is in the build context \(not in \.dockerignore\), so `COPY \. \.` after the install would overwrite the installed packages: add it to \.dockerignore\.$/ }],
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', 'node_modules/x/index.js': '' },
      dockerignore: 'node_modules\n',
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{"scripts":{"postinstall":"node scripts/patch.js"}}', 'package-lock.json': '{}' },
      errors: [{ line: 4, message: /No automatic fix: package\.json runs a `postinstall` script \(`node scripts\/patch\.js`\) on install, which may need the source\.$/ }],
    },
    {
      // With --ignore-scripts the scripts do not run; an .npmrc that only names a token variable is copied.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --ignore-scripts\n',
      files: { 'package.json': '{"scripts":{"prepare":"husky"}}', 'package-lock.json': '{}', '.npmrc': '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' },
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json .npmrc ./\nRUN npm ci --ignore-scripts\nCOPY . .\n',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', '.npmrc': '//registry.npmjs.org/:_authToken=npm_abc123\n' },
      errors: [{ line: 4, message: /No automatic fix: \.npmrc holds a registry token: mount it as a build secret instead of copying it\.$/ }],
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{"dependencies":{"shared":"file:../shared"}}', 'package-lock.json': '{}' },
      errors: [{ line: 4, message: /package\.json takes `shared` from a local path/ }],
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', '.npmrc': '@corp:registry=https://npm.corp:4873/\n//npm.corp:4873/:_authToken="s3cr3t"\n' },
      errors: [{ line: 4, message: /\.npmrc holds a registry token/ }],
    },
    {
      code: 'FROM php:8.3\nWORKDIR /app\nCOPY . .\nRUN composer install --no-scripts --no-autoloader\n',
      files: { 'composer.json': '{"repositories":[{"type":"path","url":"../shared"}]}', 'composer.lock': '{}' },
      errors: [{ line: 4, message: /composer\.json has a path repository in the source/ }],
    },
    {
      // A wheel from a URL is not a local path.
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n',
      files: { 'requirements.txt': 'https://example.com/wheels/tool-1.0-py3-none-any.whl\nflask==3.0.3 ; python_version >= "3.9"\n' },
      errors: [{ line: 4 }],
      output: 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n',
    },
    {
      // npm install may rewrite the lock file, which the source COPY then replaces: offered, but unsafe.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install\nCOPY . .',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN corepack enable && pnpm install --frozen-lockfile\n',
      files: {
        'package.json': '{}',
        'pnpm-lock.yaml': '',
        'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - \"libs/**\"\n  - '!**/test/**'\n",
        'apps/web/package.json': '{}',
        'libs/ui/button/package.json': '{}',
        'libs/ui/button/test/package.json': '{}',
        'docs/package.json': '{}',
      },
      errors: [{ line: 4, column: 24, endColumn: 36 }],
      output: [
        'FROM node:20',
        'WORKDIR /app',
        'COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./',
        'COPY apps/web/package.json ./apps/web/',
        'COPY libs/ui/button/package.json ./libs/ui/button/',
        'RUN corepack enable && pnpm install --frozen-lockfile',
        'COPY . .',
        '',
      ].join('\n'),
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --immutable\n',
      files: { 'package.json': '{"workspaces":{"packages":["tools/cli"]}}', 'yarn.lock': '', '.yarnrc.yml': 'yarnPath: .yarn/releases/yarn-4.5.0.cjs\n', '.yarn/releases/yarn-4.5.0.cjs': '', 'tools/cli/package.json': '{}' },
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock .yarnrc.yml ./\nCOPY tools/cli/package.json ./tools/cli/\nCOPY .yarn ./.yarn/\nRUN yarn install --immutable\nCOPY . .\n',
    },
    {
      // poetry: only where the original already skips the project itself; the readme poetry checks is copied.
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install --no-root --only main\n',
      files: { 'pyproject.toml': '[tool.poetry]\nname = "app"\nreadme = "README.md"\n', 'poetry.lock': '', 'README.md': '' },
      errors: [{ line: 4 }],
      output: 'FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock README.md ./\nRUN poetry install --no-root --only main\nCOPY . .\n',
    },
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install --only main\n',
      files: { 'pyproject.toml': '[tool.poetry]\nname = "app"\n', 'poetry.lock': '' },
      errors: [{ line: 4, message: /No automatic fix: poetry install also installs the project itself, which needs the source \(the fix moves it only where it has --no-root\)\.$/ }],
    },
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n',
      files: { 'pyproject.toml': '[project]\nname = "app"\n' },
      errors: [{ line: 4, message: /No automatic fix: `pip install \.` builds the project from its source; install its dependencies from a requirements file first\.$/ }],
    },
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n',
      files: { 'requirements.txt': 'flask\n-e .\n' },
      errors: [{ line: 4, message: /requirements\.txt installs an editable local package \(`-e \.`\), which needs the source/ }],
    },
    {
      // Installs chained after the reported one go along while they can; `pip install .` needs the source and stays.
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && pip install --no-deps .\n',
      files: { 'requirements.txt': 'flask\n', 'pyproject.toml': '' },
      errors: [{ line: 4 }],
      output: 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install --no-deps .\n',
    },
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN uv sync --locked\n',
      files: { 'pyproject.toml': '[project]\nname = "app"\n', 'uv.lock': '', '.python-version': '3.12\n' },
      errors: [{ line: 4 }],
      output: 'FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml uv.lock .python-version ./\nRUN uv sync --locked\nCOPY . .\n',
    },
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN uv sync --locked\n',
      files: { 'pyproject.toml': '[project]\nname = "app"\n[build-system]\nrequires = ["hatchling"]\n', 'uv.lock': '' },
      errors: [{ line: 4, message: /uv sync also installs the project itself/ }],
    },
    {
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app .\n',
      files: { 'go.mod': 'module example.com/app\n', 'go.sum': '', 'main.go': '' },
      errors: [{ line: 4 }],
      output: 'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n',
    },
    {
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\n',
      files: { 'go.mod': 'module example.com/app\nreplace example.com/lib => ./lib\n', 'go.sum': '' },
      errors: [{ line: 4, message: /go\.mod replaces a module with a local folder/ }],
    },
    {
      code: 'FROM php:8.3-fpm\nWORKDIR /var/www\nCOPY --chown=www-data:www-data . .\nRUN composer install --no-dev --no-scripts --no-autoloader\n',
      files: { 'composer.json': '{"autoload":{"psr-4":{"App\\\\":"src/"}}}', 'composer.lock': '{}' },
      errors: [{ line: 4 }],
      output: 'FROM php:8.3-fpm\nWORKDIR /var/www\nCOPY --chown=www-data:www-data composer.json composer.lock ./\nRUN composer install --no-dev --no-scripts --no-autoloader\nCOPY --chown=www-data:www-data . .\n',
    },
    {
      code: 'FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN bundle config set --local without development && bundle install\n',
      files: { Gemfile: "source 'https://rubygems.org'\ngem 'rails'\n", 'Gemfile.lock': '' },
      errors: [{ line: 4, message: /`bundle` runs before the install in the same RUN \(line 4\) and may need the source/ }],
    },
    {
      code: 'FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN bundle install --frozen\n',
      files: { Gemfile: "source 'https://rubygems.org'\nruby file: '.ruby-version'\ngem 'rails'\n", 'Gemfile.lock': '', '.ruby-version': '3.3.5\n' },
      errors: [{ line: 4 }],
      output: 'FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock .ruby-version ./\nRUN bundle install --frozen\nCOPY . .\n',
    },
    {
      code: 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B dependency:go-offline && mvn -B package\n',
      files: { 'pom.xml': '<project><modules><module>core</module><module>web</module></modules></project>', 'core/pom.xml': '<project/>', 'web/pom.xml': '<project/>', '.mvn/maven.config': '-B\n' },
      errors: [{ line: 4 }],
      output: 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY pom.xml ./\nCOPY core/pom.xml ./core/\nCOPY web/pom.xml ./web/\nCOPY .mvn ./.mvn/\nRUN mvn -B dependency:go-offline\nCOPY . .\nRUN mvn -B package\n',
    },
    {
      code: 'FROM gradle:8-jdk21\nWORKDIR /app\nCOPY . .\nRUN gradle dependencies --no-daemon && gradle build --no-daemon\n',
      files: { 'settings.gradle.kts': 'include("app", ":lib")\n', 'build.gradle.kts': '', 'app/build.gradle.kts': '', 'lib/build.gradle.kts': '', 'gradle/libs.versions.toml': '' },
      errors: [{ line: 4 }],
      output: 'FROM gradle:8-jdk21\nWORKDIR /app\nCOPY settings.gradle.kts build.gradle.kts ./\nCOPY app/build.gradle.kts ./app/\nCOPY lib/build.gradle.kts ./lib/\nCOPY gradle ./gradle/\nRUN gradle dependencies --no-daemon\nCOPY . .\nRUN gradle build --no-daemon\n',
    },
    {
      code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet restore && dotnet publish -c Release -o /out\n',
      files: { 'App.sln': '', 'Directory.Packages.props': '<Project/>', 'src/Api/Api.csproj': '<Project/>', 'src/Api/Program.cs': '', 'src/Lib/Lib.csproj': '<Project/>' },
      errors: [{ line: 4 }],
      output: 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY App.sln Directory.Packages.props ./\nCOPY src/Api/Api.csproj ./src/Api/\nCOPY src/Lib/Lib.csproj ./src/Lib/\nRUN dotnet restore\nCOPY . .\nRUN dotnet publish -c Release -o /out\n',
    },
    {
      code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet restore\n',
      files: { 'Api.csproj': '<Project/>', 'obj/project.assets.json': '{}' },
      errors: [{ line: 4, message: /obj is in the build context \(not in \.dockerignore\)/ }],
    },
    {
      code: 'FROM elixir:1.17\nWORKDIR /app\nCOPY . .\nRUN mix deps.get\n',
      files: { 'mix.exs': 'defmodule App.MixProject do end\n', 'mix.lock': '', 'config/config.exs': '' },
      errors: [{ line: 4 }],
      output: 'FROM elixir:1.17\nWORKDIR /app\nCOPY mix.exs mix.lock ./\nRUN mix deps.get\nCOPY . .\n',
    },
    {
      code: 'FROM rust:1.77\nWORKDIR /app\nCOPY . .\nRUN cargo fetch && cargo build --release\n',
      files: { 'Cargo.toml': '', 'Cargo.lock': '', 'src/main.rs': '' },
      errors: [{ line: 4, message: /No automatic fix: cargo fetch needs the crate targets/ }],
    },
    {
      // The backtick escape, kept where the RUN is split.
      code: '# escape=`\nFROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci `\n    && npm run build\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 5 }],
      output: '# escape=`\nFROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n',
    },
    {
      // Several stages: the build stage is fixed, the runtime stage is left alone.
      code: 'FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 4 }],
      output: 'FROM node:20 AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY [".", "."]\nRUN ["yarn", "install", "--frozen-lockfile"]\n',
      files: { 'package.json': '{}', 'yarn.lock': '' },
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY ["package.json", "yarn.lock", "./"]\nRUN ["yarn", "install", "--frozen-lockfile"]\nCOPY [".", "."]\n',
    },
    {
      // Lower-case keywords, and no newline at the end.
      code: 'from node:20\nworkdir /app\ncopy . .\nrun npm ci',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 4 }],
      output: 'from node:20\nworkdir /app\ncopy package.json package-lock.json ./\nrun npm ci\ncopy . .',
    },
    {
      // A RUN in between that only installs OS packages stays before the install; the source COPY moves below both.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y python3 make g++ && rm -rf /var/lib/apt/lists/*\nUSER node\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 6 }],
      output: 'FROM node:20\nWORKDIR /app\nRUN apt-get update && apt-get install -y python3 make g++ && rm -rf /var/lib/apt/lists/*\nUSER node\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN chmod +x ./scripts/setup.sh && ./scripts/setup.sh\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 5, message: /No automatic fix: `chmod` on line 4 may read or write the source; it runs between the COPY \(line 3\) and the install\.$/ }],
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nCOPY --from=tools /usr/bin/tini /usr/bin/tini\nCOPY config.prod.js config.js\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 6, message: /COPY on line 5 writes into the folder the source COPY fills, so their order matters/ }],
    },
    {
      // `cd` before the install: the manifests of that folder, and the rest of the RUN runs there again.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd frontend && npm ci && npm run build\n',
      files: { 'frontend/package.json': '{}', 'frontend/package-lock.json': '{}', 'frontend/src/main.ts': '' },
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY frontend/package.json frontend/package-lock.json ./frontend/\nRUN cd frontend && npm ci\nCOPY . .\nRUN cd frontend && npm run build\n',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n    && npm run build || true\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 4, message: /splitting the RUN could change what happens when the install fails/ }],
    },
    {
      // RUN flags go to both halves; a comment inside the continuation stays with the rest.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/root/.npm npm ci \\\n    # now the build\n    && npm run build\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\nCOPY . .\n# now the build\nRUN --mount=type=cache,target=/root/.npm npm run build\n',
    },
    {
      code: 'FROM python:3.12\nENV APP_HOME=/srv/app\nWORKDIR $APP_HOME\nCOPY . $APP_HOME\nARG APP_HOME=/other\nRUN pip install -r requirements.txt\n',
      files: { 'requirements.txt': 'flask\n' },
      errors: [{ line: 6, message: /ARG on line 5 changes `APP_HOME`, which the COPY on line 4 uses/ }],
    },
    {
      code: 'FROM python:3.12\nENV APP_HOME=/srv/app\nWORKDIR $APP_HOME\nCOPY . $APP_HOME\nRUN pip install -r requirements.txt\n',
      files: { 'requirements.txt': 'flask\n' },
      errors: [{ line: 5 }],
      output: 'FROM python:3.12\nENV APP_HOME=/srv/app\nWORKDIR $APP_HOME\nCOPY requirements.txt $APP_HOME/\nRUN pip install -r requirements.txt\nCOPY . $APP_HOME\n',
    },
    {
      // ADD of the source, a USER in between (it stays before the install), nested requirement files.
      code: 'FROM python:3.12\nWORKDIR /app\nADD . /app/\nUSER app\nRUN pip install --user -r requirements/prod.txt\n',
      files: { 'requirements/prod.txt': '-r base.txt\n-c ../constraints.txt\ngunicorn\n', 'requirements/base.txt': 'flask\n', 'constraints.txt': 'flask<4\n' },
      errors: [{ line: 5 }],
      output: 'FROM python:3.12\nWORKDIR /app\nUSER app\nCOPY constraints.txt /app/\nCOPY requirements/prod.txt requirements/base.txt /app/requirements/\nRUN pip install --user -r requirements/prod.txt\nADD . /app/\n',
    },
    {
      // The common `COPY . /app` + `WORKDIR /app`: the destination is absolute, so the COPY can move below the WORKDIR.
      code: 'FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
      files: { 'requirements.txt': 'flask\n', 'app.py': '' },
      errors: [{ line: 4 }],
      output: 'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt /app/\nRUN pip install -r requirements.txt\nCOPY . /app\nCMD ["python", "app.py"]\n',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nWORKDIR /app/web\nRUN npm ci\n',
      files: { 'web/package.json': '{}', 'web/package-lock.json': '{}' },
      errors: [{ line: 5, message: /WORKDIR on line 4 would change where the relative destination of the COPY on line 3 points/ }],
    },
    {
      // The cache cleanup right after the install goes along with it.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm cache clean --force && npm run build\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 4 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci && npm cache clean --force\nCOPY . .\nRUN npm run build\n',
    },
    {
      // Two ecosystems in one RUN: both findings offer the same fix.
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && pip install -r requirements.txt && npm run build\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', 'requirements.txt': 'mkdocs\n' },
      errors: [{ line: 4, column: 5 }, { line: 4, column: 15 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json requirements.txt ./\nRUN npm ci && pip install -r requirements.txt\nCOPY . .\nRUN npm run build\n',
    },
    {
      // The first finding's fix: the later RUN stays after the source (its own finding moves it next).
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pip install -r docs/requirements.txt\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}', 'docs/requirements.txt': 'mkdocs\n' },
      errors: [{ line: 4 }, { line: 5 }],
      output: 'FROM node:20\nWORKDIR /app\nCOPY docs/requirements.txt ./docs/\nRUN pip install -r docs/requirements.txt\nCOPY . .\nRUN npm ci\n',
    },
    {
      // A quoted destination, an ENV in between that the COPY does not use.
      code: 'FROM python:3.12\nCOPY . "/srv/app"\nENV PYTHONDONTWRITEBYTECODE=1\nWORKDIR /srv/app\nRUN pip install -r requirements.txt\n',
      files: { 'requirements.txt': 'flask\n' },
      errors: [{ line: 5 }],
      output: 'FROM python:3.12\nENV PYTHONDONTWRITEBYTECODE=1\nWORKDIR /srv/app\nCOPY requirements.txt /srv/app/\nRUN pip install -r requirements.txt\nCOPY . "/srv/app"\n',
    },
    {
      code: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN <<EOF\nset -e\npip install -r requirements.txt\nEOF\n',
      files: { 'requirements.txt': 'flask\n' },
      errors: [{ line: 6, message: /No automatic fix: the RUN on line 4 has a heredoc, which the fix does not split\.$/ }],
    },
    {
      code: 'FROM node:20 AS src\nWORKDIR /app\nCOPY . .\nFROM src\nRUN npm ci\n',
      files: { 'package.json': '{}', 'package-lock.json': '{}' },
      errors: [{ line: 5, message: /No automatic fix: the source is copied in the stage this one is built FROM \(line 3\)\.$/ }],
    },
    {
      code: 'FROM ruby:3.3\nONBUILD COPY . /app\nONBUILD RUN bundle install\n',
      files: { Gemfile: '', 'Gemfile.lock': '' },
      errors: [{ line: 3, message: /No automatic fix: ONBUILD instructions run in the build context of the image built FROM this one\.$/ }],
    },
  ],
};

ruleTable(ID, table);

function fixesOf(code: string, c: { files?: Record<string, string>; dockerignore?: string } = {}): { labels: string[]; fixes: Fix[]; doc: ReturnType<typeof findingsOf>['doc'] } {
  const { doc, diagnostics } = findingsOf(ID, code, c);
  return {
    doc,
    labels: diagnostics.map((d) => /^`([^`]+)`/.exec(d.message)![1]!),
    fixes: diagnostics.flatMap((d) => (d.data as RuleDiagnosticData | undefined)?.fixes ?? []),
  };
}

describe(`${ID}: the lockfile fix`, () => {
  before(() => initShellParser());

  it('is safe only where the result is certainly the same, and says why where it is not', () => {
    const npm = { 'package.json': '{}', 'package-lock.json': '{}' };
    const ci = fixesOf('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n', { files: npm }).fixes[0]!;
    assert.equal(ci.safe, true);
    assert.equal(ci.title, 'Copy package.json and package-lock.json first and run `npm ci` before `COPY . .`');
    const install = fixesOf('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\n', { files: npm }).fixes[0]!;
    assert.equal(install.safe, false);
    assert.match(install.title, /: npm install may rewrite package-lock\.json, and `COPY \. \.` then puts back the build context's copy$/);
    // Without a lock file in the context there is nothing for the COPY to put back.
    assert.equal(fixesOf('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\n', { files: { 'package.json': '{}' } }).fixes[0]!.safe, true);
    const gradle = fixesOf('FROM gradle:8\nWORKDIR /app\nCOPY . .\nRUN gradle dependencies\n', { files: { 'build.gradle': '' } }).fixes[0]!;
    assert.equal(gradle.safe, false);
    assert.match(gradle.title, /Gradle build scripts are programs/);
    const root = fixesOf('FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n', { files: { 'requirements.txt': 'flask\n' } }).fixes[0]!;
    assert.equal(root.safe, false);
    // WORKDIR may now create the folder, owned by the USER in effect.
    const user = fixesOf('FROM python:3.12\nUSER app\nCOPY . /app\nWORKDIR /app\nRUN pip install --user -r requirements.txt\n', { files: { 'requirements.txt': 'flask\n' } }).fixes[0]!;
    assert.equal(user.safe, false);
    assert.match(user.title, /WORKDIR on line 4 now creates \/app before the COPY, so its owner may differ/);
    const composer = fixesOf('FROM php:8.3\nWORKDIR /app\nCOPY . .\nRUN composer install --no-scripts\n', { files: { 'composer.json': '{"autoload":{"psr-4":{"App\\\\":"src/"}}}' } }).fixes[0]!;
    assert.equal(composer.safe, false);
  });

  it('takes an install in a RUN between the COPY and the reported install along, copying what both read first', () => {
    const code = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN pip install -r docs/requirements.txt\nRUN npm ci\n';
    const { doc, fixes } = fixesOf(code, { files: { 'package.json': '{}', 'package-lock.json': '{}', 'docs/requirements.txt': 'mkdocs\n' } });
    assert.equal(fixes.length, 2);
    assert.equal(
      TextDocument.applyEdits(doc.textDocument, fixes[1]!.edits),
      'FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY docs/requirements.txt ./docs/\nRUN pip install -r docs/requirements.txt\nRUN npm ci\nCOPY . .\n',
    );
  });

  it('is not offered without a build context (an unsaved file)', () => {
    const { fixes } = fixesOf('FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n');
    assert.deepEqual(fixes, []);
  });

  it('leaves nothing to report: the fixed file is clean for the installs it moved', () => {
    for (const c of table.invalid) {
      if (c.output === undefined) continue;
      const before = fixesOf(c.code, c);
      const after = fixesOf(c.output, c);
      const moved = before.fixes[0]!.title;
      for (const label of after.labels) assert.ok(!moved.includes(`\`${label}\``), `${label} is still reported after "${moved}":\n${c.output}`);
    }
  });

  it('every offered fix on the real corpus applies, parses, adds no error and keeps the lines it is not about', { timeout: 300_000 }, () => {
    // The corpus has no build contexts: one where every manifest the installs name exists, and nothing else.
    const MANIFEST = /(^|\/)(package\.json|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|requirements[\w.-]*\.txt|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile(\.lock)?|go\.(mod|sum)|Gemfile(\.lock)?|composer\.(json|lock)|pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|mix\.(exs|lock)|\w+\.csproj)$/;
    const context: BuildContext = {
      root: '/context',
      ignoreFile: undefined,
      isIgnored: () => false,
      exists: (p) => MANIFEST.test(p),
      list: () => [],
      read: (p) => (MANIFEST.test(p) ? (p.endsWith('.json') ? '{}' : '') : undefined),
    };
    const lint = (uri: string, text: string) => lintDocument(new ParsedDocument(uri, 1, text), DEFAULT_SETTINGS, { buildContext: context, ruleConfig: { rules: { shellcheck: 'off' }, enableAll: true } });
    const problems: string[] = [];
    let offered = 0;
    let reported = 0;
    for (const f of realFiles()) {
      const text = readReal(f);
      const diagnostics = lint(`file:///corpus/${f}`, text);
      const mine = diagnostics.filter((d) => d.code === ID);
      if (!mine.length) continue;
      reported += mine.length;
      const errorsBefore = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
      const original = TextDocument.create('file:///x', 'dockerfile', 1, text);
      for (const d of mine) {
        for (const fix of (d.data as RuleDiagnosticData | undefined)?.fixes ?? []) {
          offered++;
          const fixed = TextDocument.applyEdits(original, fix.edits);
          const after = lint(`file:///corpus/${f}.fixed`, fixed);
          const errorsAfter = after.filter((x) => x.severity === DiagnosticSeverity.Error).length;
          if (errorsAfter > errorsBefore) problems.push(`${f}: "${fix.title}" adds an error`);
          const label = /^`([^`]+)`/.exec(d.message)![1]!;
          if (after.some((x) => x.code === ID && x.message.startsWith(`\`${label}\``))) problems.push(`${f}: \`${label}\` is still reported after "${fix.title}"`);
          // Every original line the edits do not touch is still there, in order.
          const touched = new Set<number>();
          for (const e of fix.edits) for (let l = e.range.start.line; l <= e.range.end.line; l++) touched.add(l);
          const out = fixed.split(/\r?\n/);
          let j = 0;
          text.split(/\r?\n/).forEach((line, i) => {
            if (touched.has(i)) return;
            const at = out.indexOf(line, j);
            if (at < 0) problems.push(`${f}: line ${i + 1} ${JSON.stringify(line)} is gone or out of order`);
            else j = at + 1;
          });
        }
      }
    }
    assert.ok(reported >= 5, `only ${reported} findings on the corpus`);
    assert.ok(offered >= 2, `only ${offered} fixes offered on the corpus`);
    assert.deepEqual(problems, []);
  });
});
