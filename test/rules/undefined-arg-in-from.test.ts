import { ruleTable } from './harness';

ruleTable('undefined-arg-in-from', {
  valid: [
    'ARG VARIANT="-alpine3.20"\nFROM node:22${VARIANT} AS jsbuilder\n',
    'FROM mcr.microsoft.com/devcontainers/dotnet:0-${templateOption:imageVariant}\n',
    'ARG base=scratch\nFROM $base\n',
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine:${TARGETARCH}\n',
    'ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\n',
    'FROM alpine\nARG X\nRUN echo $X\n',
    'ARG TAG\nFROM alpine:\\$TAG\n',
  ],
  invalid: [
    {
      code: 'FROM node:22${VARIANT} AS jsbuilder\n',
      errors: [{ line: 1, column: 13, endLine: 1, endColumn: 23, message: /`VARIANT` in the image name is not a global ARG: it expands to an empty string/ }],
    },
    {
      code: 'FROM --platform=$BULIDPLATFORM scratch\n',
      errors: [{ line: 1, column: 17, endColumn: 31, message: /`BULIDPLATFORM` in `--platform`.*did you mean `BUILDPLATFORM`/ }],
    },
    { code: 'ARG tag=latest\nFROM busybox:${tag}${version} AS b\n', errors: [{ line: 2, column: 20, endColumn: 30, message: /`version`/ }] },
    // Declared in a stage, not globally: FROM cannot see it.
    { code: 'FROM alpine AS a\nARG IMAGE=alpine\nFROM ${IMAGE:-debian}\n', errors: [{ line: 3, column: 6, endColumn: 22, message: /always takes the default/ }] },
    { code: 'ARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\n', errors: [{ line: 2, message: /did you mean `MY_ARCH`/ }] },
  ],
});
