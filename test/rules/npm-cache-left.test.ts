import { cacheMountCases, ruleTable } from './harness';

ruleTable('npm-cache-left', {
  valid: [
    'FROM node:20\nRUN npm ci && npm cache clean --force\n',
    'FROM node:20\nRUN npm install --omit=dev \\\n && npm cache clean --force\n',
    'FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\n',
    'FROM node:20\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,uid=1000 npm ci\n',
    'FROM node:20\nRUN --mount=type=cache,target=/npm npm ci --cache /npm\n',
    'FROM node:20\nENV npm_config_cache=/npm\nRUN --mount=type=cache,target=/npm npm ci\n',
    'FROM node:20\nRUN npm ci && rm -rf ~/.npm\n',
    'FROM node:20\nRUN npm ci --cache /tmp/npm && rm -rf /tmp/npm\n',
    'FROM node:20\nRUN npm run build && npm test && npm prune --omit=dev\n',
    'FROM node:20 AS build\nRUN npm ci && npm run build\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
    'FROM node:20\nRUN echo npm ci\n',
  ],
  invalid: [
    {
      code: 'FROM node:20\nRUN npm ci\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 11, message: /^`npm ci` leaves npm's download cache \(~\/\.npm\)/ }],
      output: 'FROM node:20\nRUN npm ci && npm cache clean --force\n',
    },
    {
      code: 'FROM node:20\nRUN npm ci --omit=dev \\\n  # then build\n  && npm run build\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 11 }],
      output: 'FROM node:20\nRUN npm ci --omit=dev && npm cache clean --force \\\n  # then build\n  && npm run build\n',
    },
    { code: 'FROM node:20\nRUN ["npm", "install"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 22 }] },
    { code: 'FROM node:20\nONBUILD RUN sudo npm install -g serve@14.2.1\n', errors: [{ line: 2, column: 18, endLine: 2, endColumn: 29 }] },
    { code: 'FROM node:20\nRUN npm install > /tmp/log\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16 }] },
    { code: 'FROM node:20\nRUN <<EOF\nnpm ci\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 7 }], output: 'FROM node:20\nRUN <<EOF\nnpm ci && npm cache clean --force\nEOF\n' },
    { code: 'FROM node:20\nRUN --mount=type=cache,target=/tmp/x npm ci --cache /root/.npm\n', errors: [{ line: 2, column: 38, endLine: 2, endColumn: 44, message: /\(\/root\/\.npm\)/ }] },
    { code: 'FROM node:20\nRUN npm ci\nRUN npm cache clean --force\n', errors: [{ line: 2 }] },
  ],
});


cacheMountCases('npm-cache-left', [
  { code: 'FROM node:20\nRUN npm ci\n', output: 'FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\n' },
  {
    code: 'FROM node:20 AS deps\nWORKDIR /app\nRUN --mount=type=bind,source=package.json,target=package.json \\\n    # install\n    npm ci --omit=dev\nFROM deps\nCMD ["node", "."]\n',
    output: 'FROM node:20 AS deps\nWORKDIR /app\nRUN --mount=type=cache,target=/root/.npm \\\n    --mount=type=bind,source=package.json,target=package.json \\\n    # install\n    npm ci --omit=dev\nFROM deps\nCMD ["node", "."]\n',
  },
  { code: 'FROM node:20\nRUN ["npm", "install"]\n', output: 'FROM node:20\nRUN --mount=type=cache,target=/root/.npm ["npm", "install"]\n' },
  { code: '# escape=`\nFROM node:20\nRUN npm ci `\n    && npm run build\n', output: '# escape=`\nFROM node:20\nRUN --mount=type=cache,target=/root/.npm `\n       npm ci `\n    && npm run build\n' },
  { code: 'FROM node:20\nENV npm_config_cache=/npm-cache\nRUN npm ci\n', output: 'FROM node:20\nENV npm_config_cache=/npm-cache\nRUN --mount=type=cache,target=/npm-cache npm ci\n' },
  { code: 'FROM node:20\nUSER node\nRUN npm ci\n' },
  { code: 'FROM node:20\nONBUILD RUN npm ci\n' },
  { code: 'FROM node:20\nRUN sudo npm install -g serve\n' },
]);
