import { cacheMountCases, ruleTable } from './harness';

ruleTable('yarn-cache-left', {
  valid: [
    'FROM node:20\nRUN yarn install --frozen-lockfile && yarn cache clean\n',
    'FROM node:20\nRUN yarn cache clean; yarn install\n',
    'FROM node:20\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n',
    'FROM node:20\nUSER node\nRUN --mount=type=cache,target=/home/node/.cache/yarn,uid=1000 yarn\n',
    'FROM node:20\nRUN --mount=type=cache,target=/yarn yarn install --cache-folder /yarn\n',
    'FROM node:20\nENV YARN_CACHE_FOLDER=/yarn\nRUN --mount=type=cache,target=/yarn yarn install\n',
    'FROM node:20\nRUN yarn install --cache-folder /tmp/yc && rm -rf /tmp/yc\n',
    'FROM node:20\nRUN yarn install && rm -rf /usr/local/share/.cache/yarn/*\n',
    'FROM node:20\nRUN yarn install && rm -rf "$(yarn cache dir)"\n',
    'FROM node:20\nRUN yarn build && yarn test && yarn --version\n',
    'FROM node:20\nRUN echo yarn install\n',
    // A builder whose node_modules is copied out: its cache never reaches an image.
    'FROM node:20 AS deps\nRUN yarn install\nFROM node:20-slim\nCOPY --from=deps /app/node_modules /app/node_modules\n',
    'FROM node:lts-alpine as foo\nRUN yarn install && yarn cache clean\nFROM foo\nRUN hey!\n',
  ],
  invalid: [
    {
      code: 'FROM node:20\nRUN yarn install --frozen-lockfile\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 17, message: /^`yarn install` leaves Yarn's download cache in this layer/ }],
      output: 'FROM node:20\nRUN yarn install --frozen-lockfile && yarn cache clean\n',
    },
    { code: 'FROM node:20\nRUN yarn\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 9 }], output: 'FROM node:20\nRUN yarn && yarn cache clean\n' },
    {
      code: 'FROM node:20\nRUN yarn --frozen-lockfile \\\n  # then build\n  && yarn build\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 9 }],
      output: 'FROM node:20\nRUN yarn --frozen-lockfile && yarn cache clean \\\n  # then build\n  && yarn build\n',
    },
    { code: 'FROM node:20\nRUN ["yarn", "install"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 23 }] },
    // No fix: `yarn cache clean` would run as root and miss node's cache.
    { code: 'FROM node:20\nONBUILD RUN sudo -u node yarn global add serve\n', errors: [{ line: 2, column: 26, endLine: 2, endColumn: 41, message: /^`yarn global add`/ }] },
    { code: 'FROM node:20\nRUN yarn install | tee /tmp/log\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 17 }] },
    {
      code: 'FROM node:20\nRUN <<EOF\nyarn install\nyarn build\nEOF\n',
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 13 }],
      output: 'FROM node:20\nRUN <<EOF\nyarn install && yarn cache clean\nyarn build\nEOF\n',
    },
    { code: 'FROM node:20\nRUN yarn install; yarn build\n', errors: [{ line: 2 }], output: 'FROM node:20\nRUN yarn install && yarn cache clean; yarn build\n' },
    // Cleaning in a later RUN leaves the cache in the install's layer.
    { code: 'FROM node:20\nRUN yarn install\nRUN yarn cache clean\n', errors: [{ line: 2, column: 5 }] },
    { code: 'FROM node:20\nRUN --mount=type=cache,target=/tmp/other yarn install --cache-folder /yc\n', errors: [{ line: 2, message: /cache \(\/yc\)/ }] },
    { code: 'FROM node:lts-alpine as foo\nRUN hey!\nFROM scratch\nRUN yarn install\n', errors: [{ line: 4, column: 5 }] },
  ],
});


cacheMountCases('yarn-cache-left', [
  { code: 'FROM node:20\nRUN yarn install --frozen-lockfile\n', output: 'FROM node:20\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile\n' },
  { code: 'FROM node:20\nRUN <<EOF\nyarn install\nyarn build\nEOF\n', output: 'FROM node:20\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn <<EOF\nyarn install\nyarn build\nEOF\n' },
  { code: 'FROM node:20\nENV YARN_CACHE_FOLDER=/yarn\nRUN yarn\n', output: 'FROM node:20\nENV YARN_CACHE_FOLDER=/yarn\nRUN --mount=type=cache,target=/yarn yarn\n' },
  // Yarn 2+ keeps its cache elsewhere; another user cannot write a root-owned mount.
  { code: 'FROM node:20\nRUN yarn install\n', files: { 'package.json': '{"packageManager": "yarn@4.1.0"}' } },
  { code: 'FROM node:20\nRUN yarn install\n', files: { '.yarnrc.yml': 'nodeLinker: node-modules\n', 'package.json': '{}' } },
  { code: 'FROM node:20\nUSER node\nRUN yarn install\n' },
  { code: 'FROM node:20\nENV XDG_CACHE_HOME=/cache\nRUN yarn install\n' },
]);
