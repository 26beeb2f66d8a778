import { ruleTable } from './harness';

ruleTable('onbuild-trigger-disallowed', {
  valid: ['ONBUILD ADD anything anywhere\n', 'ONBUILD USER anything\n', 'FROM node:20\nONBUILD RUN npm ci\n'],
  invalid: [
    { code: 'ONBUILD ONBUILD RUN anything\n', errors: [{ line: 1, column: 9, endLine: 1, endColumn: 16, message: /ONBUILD ONBUILD/ }] },
    { code: 'ONBUILD FROM debian:buster\n', errors: [{ line: 1, column: 9, endLine: 1, endColumn: 13, message: /FROM is not allowed/ }] },
    { code: 'FROM node:20\nonbuild maintainer someone\n', errors: [{ line: 2, column: 9, endLine: 2, endColumn: 19, message: /MAINTAINER/ }] },
  ],
});
