import { ruleTable } from './harness';

ruleTable('base-image-untagged', {
  valid: [
    'FROM ruby@sha256:f1dbca0f5dbc9\n',
    'FROM golang:1.9.3-alpine3.7 AS build\nRUN foo\nFROM build as unit-test\nRUN bar\nFROM alpine:3.7\nRUN baz\n',
    'FROM scratch\n',
    'ARG IMAGE\nFROM $IMAGE\n',
    'ARG TAG\nFROM debian:${TAG}\n',
    'FROM localhost:5000/app:1.0\n',
    'FROM debian:12 AS Build\nFROM build\n',
  ],
  invalid: [
    { code: 'FROM debian\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 12, message: /debian:latest/ }] },
    { code: 'FROM golang:1.9.3-alpine3.7 AS build\nRUN foo\nFROM node as unit-test\nRUN bar\n', errors: [{ line: 3, column: 6, endLine: 3, endColumn: 10 }] },
    { code: 'ARG IMG=debian\nFROM ${IMG} AS base\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 12, message: /"\$\{IMG\}" \(= "debian"\)/ }] },
    { code: 'FROM --platform=$BUILDPLATFORM localhost:5000/foo\n', errors: [{ line: 1, column: 32, endLine: 1, endColumn: 50 }] },
    { code: 'ARG IMG\nFROM $IMG\n', buildArgs: { IMG: 'alpine' }, errors: [{ line: 2 }] },
  ],
});
