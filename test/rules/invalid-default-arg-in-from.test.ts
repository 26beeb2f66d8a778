import { ruleTable } from './harness';

ruleTable('invalid-default-arg-in-from', {
  valid: [
    'ARG TAG=latest\nFROM busybox:${TAG}\n',
    'ARG VARIANT\nFROM busybox:stable${VARIANT}\n',
    'ARG TAG\nFROM alpine:${TAG:-3.14}\n',
    'ARG BUSYBOX_VARIANT=""\nFROM busybox:stable${BUSYBOX_VARIANT}\n',
    'ARG REGISTRY=docker.io\nARG IMAGE=${REGISTRY}/library/alpine\nFROM $IMAGE\n',
    'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build\nFROM alpine-${TARGETARCH}\n',
    // Double quotes are removed by the builder.
    'ARG ALPINE_TAG=3.20\nFROM alpine:"${ALPINE_TAG}"\n',
    'FROM alpine\n',
    // `?` raises its own error; nothing to guess here.
    'ARG IMAGE\nFROM ${IMAGE:?set IMAGE}\n',
  ],
  invalid: [
    {
      code: 'ARG TAG\nFROM busybox:${TAG}\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 20, message: /becomes `busybox:`.*`TAG` has no default/ }],
    },
    { code: 'ARG IMAGE\nFROM $IMAGE\n', errors: [{ line: 2, column: 6, endColumn: 12, message: /empty image name/ }] },
    { code: 'ARG SFX="box:"\nFROM busy${SFX}\n', errors: [{ line: 2, message: /`busybox:`/ }] },
    { code: 'ARG VERSION=""\nFROM alpine:$VERSION AS base\nRUN true\n', errors: [{ line: 2, message: /`VERSION` has no default/ }] },
    // A build arg does not help: the check is about the defaults.
    { code: 'ARG VERSION\nFROM busybox:$VERSION\n', buildArgs: { VERSION: 'latest' }, errors: [{ line: 2 }] },
  ],
});
