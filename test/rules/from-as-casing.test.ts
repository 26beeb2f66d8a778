import { ruleTable } from './harness';

ruleTable('from-as-casing', {
  valid: [
    'FROM debian:latest AS deb-builder\n',
    'from debian:latest as deb-builder\n',
    'FROM debian:latest\n',
    // Mixed-case FROM is consistent-instruction-casing's business.
    'From scratch as base\n',
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n',
  ],
  invalid: [
    {
      code: 'FROM debian:latest as builder\n',
      errors: [{ line: 1, column: 20, endLine: 1, endColumn: 22, message: /`as`.*`FROM`/ }],
      output: 'FROM debian:latest AS builder\n',
    },
    { code: 'from scratch AS base\n', errors: [{ line: 1, column: 14, endColumn: 16 }], output: 'from scratch as base\n' },
    { code: 'FROM scratch As base\nFROM scratch aS base2\n', errors: [{ line: 1 }, { line: 2 }] },
    { code: 'FROM --platform=$BUILDPLATFORM \\\n    golang:1.22 as build\n', errors: [{ line: 2, column: 17, endColumn: 19 }] },
  ],
});
