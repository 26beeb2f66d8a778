import { apkSub, commandRange, subcommands } from './lib/os-packages';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'apk-upgrade',
    severity: 'info',
    category: 'layers',
    description: 'Avoid `apk upgrade` in a Dockerfile; rebuild on an updated base image instead.',
    docs: {
      why:
        'Layers only add: every package `apk upgrade` replaces is stored again in the new layer while the old copy stays in the base ' +
        'image layer. The layer is cached by its text, so it keeps the upgrades of the day it was built until the cache is lost, and a ' +
        'rebuild then upgrades something else. Pulling a newer base image (`docker build --pull`) gets the fixes without duplicate files. ' +
        'When the base image is not rebuilt often, an upgrade may be the lesser evil, so the rule is `info`.',
      bad: 'FROM alpine:3.20\nRUN apk upgrade --no-cache && apk add --no-cache curl',
      good: 'FROM alpine:3.20\nRUN apk add --no-cache curl',
    },
    aliases: { hadolint: ['DL3017'] },
  },
  (ctx) => {
    for (const { run, cmd, sub } of subcommands(ctx.model, apkSub)) {
      if (sub.name !== 'upgrade') continue;
      ctx.report({
        range: commandRange(ctx.model, run, cmd, sub.word),
        message: '`apk upgrade` stores a second copy of every upgraded package in this layer (the old one stays in the base image) and upgrades whatever is new on the day the cache is rebuilt. Prefer a fresh base image (`docker build --pull`).',
      });
    }
  },
);
