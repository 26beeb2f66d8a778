import { ruleTable } from './harness';

ruleTable('duplicate-stage-name', {
  valid: [
    'FROM debian:latest AS deb-builder\nRUN apt-get update\n\nFROM golang:latest AS go-builder\n',
    'FROM scratch AS b1\nFROM scratch AS b2\nFROM b1\n',
    'FROM alpine\nFROM alpine\n',
  ],
  invalid: [
    {
      code: 'FROM debian:latest AS builder\nRUN apt-get update; apt-get install -y curl\n\nFROM golang:latest AS builder\n',
      errors: [{ line: 4, column: 23, endLine: 4, endColumn: 30, message: /already used by the stage on line 1/ }],
    },
    // Stage names are case-insensitive.
    { code: 'FROM node as foo\nRUN something\nFROM scratch as FOO\nRUN something\n', errors: [{ line: 3, column: 17, endColumn: 20 }] },
    {
      code: 'FROM scratch AS b\nFROM scratch AS a\nFROM scratch AS b\nFROM scratch AS b\n',
      errors: [{ line: 3, message: /line 1/ }, { line: 4, message: /line 1/ }],
    },
  ],
});
