import { ruleTable } from './harness';

ruleTable('base-image-latest', {
  valid: [
    'FROM debian:jessie\n',
    'FROM hub.docker.io/debian@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb\n',
    'FROM debian:latest@sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb\n',
    'FROM debian\n',
    'ARG TAG\nFROM node:$TAG\n',
    'FROM debian:latest-slim\n',
  ],
  invalid: [
    { code: 'FROM debian:latest\n', errors: [{ line: 1, column: 13, endLine: 1, endColumn: 19, message: /latest tag/ }] },
    { code: 'FROM debian:latest AS builder\n', errors: [{ line: 1, column: 13, endLine: 1, endColumn: 19 }] },
    { code: 'FROM  localhost:5000/app:latest AS app\n', errors: [{ line: 1, column: 26, endLine: 1, endColumn: 32 }] },
    { code: 'ARG TAG=latest\nFROM node:$TAG\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 15, message: /"node:latest"/ }] },
  ],
});
