import type { DaemonPlatform, LocalImageFacts } from '../../server/src/rules/rule';
import { ruleTable, type DaemonFacts } from './harness';

const image = (architecture: string, variant?: string, os = 'linux'): LocalImageFacts => ({
  id: `sha256:${architecture.padEnd(64, '0')}`,
  os,
  architecture,
  ...(variant ? { variant } : {}),
  repoDigests: [],
});
const AMD64: DaemonPlatform = { os: 'linux', architecture: 'amd64' };
const ARM64: DaemonPlatform = { os: 'linux', architecture: 'arm64' };

const onAmd64 = (images: Record<string, LocalImageFacts | null>): DaemonFacts => ({ images, daemonPlatform: AMD64 });

ruleTable('invalid-base-image-platform', {
  valid: [
    // Without facts from a daemon nothing is known, so nothing is said.
    'FROM busybox:1.36\nRUN true\n',
    { code: 'FROM busybox:1.36\n', images: { 'busybox:1.36': image('arm64', 'v8') } },
    { code: 'FROM busybox:1.36\n', daemonPlatform: AMD64 },
    // Same platform; the variant is not compared (BuildKit compares OS and architecture).
    { code: 'FROM busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('amd64') }) },
    { code: 'FROM busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('amd64', 'v3') }) },
    { code: 'FROM arm32v7/busybox\n', images: { 'arm32v7/busybox:latest': image('arm', 'v6') }, daemonPlatform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { code: 'FROM busybox:1.36\n', images: { 'busybox:1.36': image('aarch64') }, daemonPlatform: ARM64 },
    // Not on the daemon: the build pulls it for the right platform.
    { code: 'FROM busybox:1.36\n', ...onAmd64({ 'busybox:1.36': null }) },
    // Not asked about (a reference missing from the map).
    { code: 'FROM busybox:1.37\n', ...onAmd64({ 'busybox:1.36': image('arm64') }) },
    // --platform says what the stage is for.
    { code: 'FROM --platform=linux/arm64 busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('arm64', 'v8') }) },
    { code: 'ARG P=linux/arm64\nFROM --platform=$P busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('arm64') }) },
    { code: 'FROM --platform=$BUILDPLATFORM busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('amd64') }) },
    // A --platform whose value cannot be known is not guessed at.
    { code: 'ARG P\nFROM --platform=$P busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('arm64') }) },
    // Earlier stages and scratch are not images on the daemon.
    { code: 'FROM scratch AS base\nFROM base\n', ...onAmd64({ 'scratch:latest': image('arm64'), 'base:latest': image('arm64') }) },
    // An image named by an ARG without a value.
    { code: 'ARG IMG\nFROM $IMG\n', ...onAmd64({ '$IMG:latest': image('arm64') }) },
  ],
  invalid: [
    {
      code: 'FROM busybox:1.36\nRUN true\n',
      ...onAmd64({ 'busybox:1.36': image('arm64') }),
      errors: [
        {
          line: 1,
          column: 6,
          endLine: 1,
          endColumn: 18,
          message:
            /^Base image busybox:1\.36 was pulled with platform "linux\/arm64\/v8", expected "linux\/amd64" for current build: .*`docker pull --platform linux\/amd64 busybox:1\.36`\.$/,
        },
      ],
    },
    // `busybox` is `busybox:latest`; Docker Hub prefixes name the same image.
    { code: 'FROM busybox\n', ...onAmd64({ 'busybox:latest': image('arm64') }), errors: [{ line: 1, column: 6, endColumn: 13, message: /Base image busybox was pulled/ }] },
    { code: 'FROM docker.io/library/busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('s390x') }), errors: [{ line: 1, message: /"linux\/s390x", expected "linux\/amd64"/ }] },
    // ARGs expanded, as the daemon is asked.
    { code: 'ARG TAG=1.36\nFROM busybox:${TAG} AS build\n', ...onAmd64({ 'busybox:1.36': image('arm64') }), errors: [{ line: 2, column: 6, endColumn: 20, message: /Base image busybox:1\.36 / }] },
    // An explicit --platform that the local image does not match.
    {
      code: 'FROM --platform=linux/arm64 busybox:1.36\n',
      ...onAmd64({ 'busybox:1.36': image('amd64') }),
      errors: [{ line: 1, column: 29, message: /pulled with platform "linux\/amd64", expected "linux\/arm64\/v8"/ }],
    },
    // $TARGETPLATFORM and $BUILDPLATFORM are the daemon's platform on a local build.
    { code: 'FROM --platform=$TARGETPLATFORM busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('arm64') }), errors: [{ line: 1, message: /expected "linux\/amd64"/ }] },
    { code: 'FROM --platform=${BUILDOS}/${BUILDARCH} busybox:1.36\n', ...onAmd64({ 'busybox:1.36': image('arm64') }), errors: [{ line: 1, message: /expected "linux\/amd64"/ }] },
    // A Windows image on a Linux daemon.
    { code: 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n', ...onAmd64({ 'mcr.microsoft.com/windows/nanoserver:ltsc2022': image('amd64', undefined, 'windows') }), errors: [{ line: 1, message: /"windows\/amd64", expected "linux\/amd64"/ }] },
    // Every stage on its own.
    {
      code: 'FROM busybox:1.36 AS a\nFROM alpine:3.20 AS b\nFROM a\n',
      ...onAmd64({ 'busybox:1.36': image('arm64'), 'alpine:3.20': image('arm', 'v7') }),
      errors: [{ line: 1, message: /busybox:1\.36/ }, { line: 2, message: /"linux\/arm\/v7"/ }],
    },
    // Quotes are removed as BuildKit's lexer does.
    { code: 'FROM "busybox:1.36"\n', ...onAmd64({ 'busybox:1.36': image('arm64') }), errors: [{ line: 1 }] },
  ],
});
