import { parsePlatform } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'from-platform-flag-const-disallowed',
    severity: 'info',
    category: 'maintainability',
    description: '`FROM --platform` should use a build ARG such as `$BUILDPLATFORM`, not a fixed platform.',
    docs: {
      why:
        'A fixed `--platform=linux/amd64` pins the stage to one platform whatever you build for: ' +
        '`docker build --platform linux/arm64` still pulls the amd64 base and runs its RUN steps under emulation (slow), ' +
        'and if it is the final stage, the "arm64" image contains amd64 binaries that fail with `exec format error`. ' +
        'Use `--platform=$BUILDPLATFORM` for stages that cross-compile, or leave the flag out. ' +
        'Stages whose name contains the OS or architecture (`build_amd64`) are per-platform on purpose and are left alone.',
      bad: 'FROM --platform=linux/amd64 alpine AS base\nRUN apk add --no-cache git',
      good: 'FROM --platform=$BUILDPLATFORM alpine AS base\nRUN apk add --no-cache git',
    },
    aliases: { hadolint: ['DL3029'], buildkit: 'FromPlatformFlagConstDisallowed' },
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      const flag = stage.from?.flags.find((f) => f.name === 'platform');
      if (!flag?.value || flag.value.includes('$')) continue;
      const value = flag.value.replace(/^(["'])(.*)\1$/, '$2');
      const platform = parsePlatform(value);
      if (!platform) continue;
      const name = (stage.name ?? '').toLowerCase();
      if (name.includes(platform.os) || name.includes(platform.arch)) continue;
      ctx.report({
        range: flag.valueRange ?? flag.range,
        message: `\`--platform=${value}\` pins this stage to ${value} whatever platform you build for: other platforms pull this base and run its steps under emulation, and a final stage ships ${value} binaries to them. Use \`--platform=$BUILDPLATFORM\` in a stage that cross-compiles, or drop the flag.`,
      });
    }
  },
);
