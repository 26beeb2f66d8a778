import { ruleTable } from './harness';

ruleTable('reserved-stage-name', {
  valid: ['FROM alpine AS builder\n', 'FROM scratch\nFROM scratch AS a\n'],
  invalid: [
    {
      code: 'FROM alpine AS scratch\nFROM alpine AS context\n',
      errors: [
        { line: 1, column: 16, endLine: 1, endColumn: 23, message: /`scratch` is a reserved name.*empty image/ },
        { line: 2, column: 16, endColumn: 23, message: /`context`/ },
      ],
    },
    { code: 'FROM foo:bar AS Scratch\n', errors: [{ line: 1, message: /`scratch`/ }] },
  ],
});
