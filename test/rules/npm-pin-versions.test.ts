import { ruleTable } from './harness';

ruleTable('npm-pin-versions', {
  valid: [
    'FROM node:20\nRUN npm install\n',
    'FROM node:20\nRUN npm ci --omit=dev\n',
    'FROM node:20\nRUN npm install --progress=false --no-audit\n',
    'FROM node:20\nRUN npm install -g typescript@5.4.5 @angular/cli@17.3.0\n',
    'FROM node:20\nRUN npm install express@^4.19.0 lodash@~4.17.21\n',
    'FROM node:20\nRUN npm install ./local-pkg ../shared /opt/pkg.tgz https://example.com/pkg-1.0.0.tgz\n',
    'FROM node:20\nRUN npm install git+https://github.com/org/repo.git#v1.2.3 github:org/repo#abc123 org/repo#v2\n',
    'FROM node:20\nRUN npm install --prefix /opt/app --registry https://registry.example.com\n',
    'FROM node:20\nARG TOOL\nRUN npm install -g "$TOOL"\n',
    'FROM node:20\nRUN npm run install && npm uninstall express\n',
    'FROM node:20\nRUN yarn global add typescript\n',
  ],
  invalid: [
    { code: 'FROM node:20\nRUN npm install -g typescript\n', errors: [{ line: 2, column: 20, endLine: 2, endColumn: 30, message: /`typescript@<version>`/ }] },
    {
      code: 'FROM node:20\nRUN npm i -g npm@latest @angular/cli \\\n    # pinned\n    pm2@5.3.1\n',
      errors: [
        { line: 2, column: 14, endLine: 2, endColumn: 24, message: /`npm@<version>`/ },
        { line: 2, column: 25, endLine: 2, endColumn: 37 },
      ],
    },
    { code: 'FROM node:20\nRUN ["npm", "install", "--global", "yarn"]\n', errors: [{ line: 2, column: 36, endLine: 2, endColumn: 42 }] },
    { code: 'FROM node:20\nONBUILD RUN sudo -E npm add express\n', errors: [{ line: 2, column: 29, endLine: 2, endColumn: 36 }] },
    { code: 'FROM node:20\nRUN <<EOF\nnpm --prefix /opt/tools install eslint\nEOF\n', errors: [{ line: 3, column: 33, endLine: 3, endColumn: 39 }] },
    { code: 'FROM node:20\nRUN npm install @myorg/privatepackage git+https://github.com/org/repo.git\n', errors: [{ line: 2, column: 17 }, { line: 2, column: 39 }] },
  ],
});
