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
    // Nested words and the pattern modifiers expand as BuildKit's lexer does.
    'ARG DIGEST\nFROM alpine${DIGEST:+@${DIGEST}}\n',
    'ARG IMAGE\nARG NAME=app\nARG VERSION=1.0\nFROM ${IMAGE:-ghcr.io/acme/${NAME}-main:${VERSION}}\n',
    'ARG V=3.20.1\nFROM alpine:${V%.*}\n',
    'ARG IMAGE=docker.io/library/alpine:3.20\nFROM ${IMAGE#docker.io/}\n',
    'ARG IMAGE=alpine_3.20\nFROM ${IMAGE/_/:}\n',
    'ARG V=v3.20\nFROM alpine:${V##v}\n',
    // BuildKit's own archutil Dockerfile: quotes inside a nested word are the lexer's, not the value's.
    'ARG BUILD_LOONG64=${TARGETPLATFORM#linux/amd64}\nARG BUILD_LOONG64=${BUILD_LOONG64:+"unsupported"}\nARG BUILD_LOONG64=${BUILD_LOONG64:-"supported"}\nFROM exit-loong64-${BUILD_LOONG64} AS exit-loong64\n',
    'ARG TAG="3.20" SUFFIX=\'\'\nFROM alpine:${TAG}${SUFFIX}\n',
    // BuildKit abandons the check when its lexer rejects a word; the syntax check reports it.
    'ARG V=3.20\nFROM alpine:${V:=x}\n',
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
    { code: 'ARG V=3.20\nFROM alpine:${V/./:}\n', errors: [{ line: 2, message: /`alpine:3:20`, which is not a valid image name/ }] },
    // Single quotes stop expansion: the image name is the text itself.
    { code: "ARG TAG=3.20\nFROM 'alpine:${TAG}'\n", errors: [{ line: 2, message: /`alpine:\$\{TAG\}`, which is not/ }] },
    { code: 'ARG NAME\nFROM ${IMAGE:-ghcr.io/acme/${NAME}-main:1}\n', errors: [{ line: 2, message: /`ghcr.io\/acme\/-main:1`.*`NAME` has no default/ }] },
  ],
});
