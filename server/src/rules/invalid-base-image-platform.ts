import { formatPlatform, localImage, pulledBases, samePlatform, stagePlatform } from './lib/local-images';
import { defineRule, type LocalImageFacts } from './rule';

const NODE_20_ARM64: LocalImageFacts = {
  id: 'sha256:5f3c0ce0b5e4b7d3a3f4a8e7c52a0f1e19c1b34bbd8e0d4c1f8a3f0b2d6e7a91',
  os: 'linux',
  architecture: 'arm64',
  variant: 'v8',
  repoDigests: [],
};
const NODE_22_AMD64: LocalImageFacts = {
  id: 'sha256:0c2b9a3e4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
  os: 'linux',
  architecture: 'amd64',
  repoDigests: [],
};

export default defineRule(
  {
    id: 'invalid-base-image-platform',
    severity: 'warning',
    category: 'maintainability',
    description: 'The local base image is built for another platform than the build targets.',
    docs: {
      why:
        'A build starts from the base image the daemon already has when its tag is local. If that image was pulled for another platform ' +
        '(`docker pull --platform`, a `docker load` of an image saved on an Apple Silicon Mac, a multi-platform build that left one variant behind), ' +
        'the stage gets binaries for the wrong CPU: its RUN steps need emulation (slow) or fail with `exec format error`, and the image does not run natively ' +
        'where it was built. The target platform is `FROM --platform` when the flag is given, else the platform of the daemon. ' +
        'Layerwise reads both from the local Docker daemon (`GET /images/{name}/json`, `GET /version`); without a daemon this rule says nothing. ' +
        'BuildKit compares OS and architecture, not the variant, and so does this rule. ' +
        'In the examples the daemon is linux/amd64 and has `node:20` for linux/arm64 and `node:22` for linux/amd64. ' +
        'Fix it by pulling the right variant (`docker pull --platform linux/amd64 node:20`), or say in `FROM --platform` which platform the stage is for.',
      bad: 'FROM node:20\nRUN npm --version',
      good: 'FROM node:22\nRUN npm --version',
      options: {
        images: { 'node:20': NODE_20_ARM64, 'node:22': NODE_22_AMD64 },
        daemonPlatform: { os: 'linux', architecture: 'amd64' },
      },
    },
    aliases: { buildkit: 'InvalidBaseImagePlatform' },
  },
  (ctx) => {
    for (const { stage, base, ref } of pulledBases(ctx.model)) {
      const facts = localImage(ctx, ref);
      // Unknown (no daemon asked) or not local (the build will pull the right platform): nothing to say.
      if (!facts || !facts.os || !facts.architecture) continue;
      const expected = stagePlatform(ctx.model, stage, ctx.daemonPlatform);
      if (!expected) continue;
      if (samePlatform(facts, expected)) continue;
      const actual = formatPlatform(facts);
      const wanted = formatPlatform(expected);
      ctx.report({
        range: base.range,
        message:
          `Base image ${ref} was pulled with platform "${actual}", expected "${wanted}" for current build: the stage starts from ${actual} binaries ` +
          `(RUN steps under emulation or failing with "exec format error", an image that does not run natively on ${wanted}). ` +
          `Pull the right one: \`docker pull --platform ${wanted} ${ref}\`.`,
      });
    }
  },
);
