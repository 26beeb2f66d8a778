import { ruleTable } from './harness';

const DIGEST = 'sha256:2ec5a4a5c3e919570f57675471f081d6299668d909feabd8d4803c6c61af666c';

ruleTable('base-image-digest', {
  valid: [
    `FROM python:3.12-slim@${DIGEST}\n`,
    `FROM python@${DIGEST}\n`,
    'FROM scratch\nCOPY app /\n',
    `FROM golang:1.22@${DIGEST} AS build\nFROM build AS test\n`,
    // An image named by an ARG without a value is not guessed at.
    'ARG BASE\nFROM $BASE\n',
    `ARG BASE=alpine:3.20@${DIGEST}\nFROM \${BASE}\n`,
    `FROM --platform=$BUILDPLATFORM golang:1.22@${DIGEST}\n`,
  ],
  invalid: [
    { code: 'FROM python:3.12-slim\n', errors: [{ line: 1, column: 6, endLine: 1, endColumn: 22, message: /`python:3\.12-slim` is pulled by tag.*`python:3\.12-slim@sha256:…`/ }] },
    { code: 'FROM ubuntu\n', errors: [{ line: 1, column: 6, endColumn: 12, message: /`ubuntu`/ }] },
    { code: 'FROM --platform=linux/amd64 ghcr.io/org/img:1.0 AS base\nFROM base\nFROM scratch\n', errors: [{ line: 1, column: 29, endColumn: 48 }] },
    { code: 'ARG TAG=3.20\nFROM alpine:${TAG}\n', errors: [{ line: 2, column: 6, endColumn: 19, message: /`alpine:3\.20`/ }] },
    { code: 'FROM node:20 AS a\nFROM nginx:1.27\n', errors: [{ line: 1 }, { line: 2 }] },
    { code: 'FROM alpine\n', buildArgs: {}, errors: [{ line: 1 }] },
  ],
});
