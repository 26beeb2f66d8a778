import { ruleTable } from './harness';

ruleTable('invalid-definition-description', {
  valid: [
    '# a non-descriptive comment\n\nFROM scratch AS base\n\n# another non-descriptive comment\n\nARG VERSION=1\n',
    '# base is a stage for compiling source\nFROM scratch AS base\n# VERSION This is the version number.\nARG VERSION=1\n',
    // Only named stages have a description.
    '# the runtime image\nFROM alpine\n',
    '# syntax=docker/dockerfile:1\nARG VERSION=1\nFROM alpine\n',
    // An empty comment line ends the description block.
    '# some notes\n#\nFROM scratch AS base\n',
    '# hadolint ignore=DL3006\nFROM alpine AS base\n',
    '# B is one of them\nARG A=1 B=2\nFROM alpine\n',
  ],
  invalid: [
    {
      code: '# a non-descriptive comment\nFROM scratch AS base\n\n# another non-descriptive comment\nARG VERSION=1\n',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 28, message: /stage `base`.*`# base <description>`/ },
        { line: 4, column: 1, endLine: 4, endColumn: 34, message: /build argument `VERSION`/ },
      ],
      output: '# a non-descriptive comment\n\nFROM scratch AS base\n\n# another non-descriptive comment\nARG VERSION=1\n',
    },
    // Only the comment right above counts.
    { code: '# base builds things\n# more notes\nFROM scratch AS base\n', errors: [{ line: 2 }] },
    { code: 'FROM alpine\n  # tag of the tool\nARG TOOL_VERSION=1\n', errors: [{ line: 2, column: 3, endColumn: 20 }] },
    { code: '# the two versions\nARG A=1 B=2\nFROM alpine\n', errors: [{ line: 1, message: /`# <name> <description>`/ }] },
  ],
});
