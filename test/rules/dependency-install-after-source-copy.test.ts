import { ruleTable } from './harness';

ruleTable('dependency-install-after-source-copy', {
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
  ],
  invalid: [
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
  ],
});
