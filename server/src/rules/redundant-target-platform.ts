import { defineRule } from './rule';

export default defineRule(
  {
    id: 'redundant-target-platform',
    severity: 'info',
    category: 'maintainability',
    description: '`FROM --platform=$TARGETPLATFORM` is the default and can be left out.',
    docs: {
      why:
        'Every stage is built for the target platform unless `--platform` says otherwise, so `--platform=$TARGETPLATFORM` changes nothing ' +
        'in the image or the cache. It only adds noise, and it hides the stages where `--platform` matters (`$BUILDPLATFORM` for cross-compiling).',
      bad: 'FROM --platform=$TARGETPLATFORM alpine AS builder\nRUN apk add --no-cache git',
      good: 'FROM alpine AS builder\nRUN apk add --no-cache git',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3065'], buildkit: 'RedundantTargetPlatform' },
  },
  (ctx) => {
    const text = ctx.model.text;
    for (const stage of ctx.model.stages) {
      const flag = stage.from?.flags.find((f) => f.name === 'platform');
      if (!flag?.value) continue;
      const value = flag.value.replace(/^(["'])(.*)\1$/, '$2');
      if (value !== '$TARGETPLATFORM' && value !== '${TARGETPLATFORM}') continue;
      const start = ctx.model.offsetAt(flag.range.start);
      let end = ctx.model.offsetAt(flag.range.end);
      while (text[end] === ' ' || text[end] === '\t') end++;
      ctx.report({
        range: flag.range,
        message: `\`--platform=${value}\` is what FROM does without the flag: every stage is built for the target platform by default. Remove it.`,
        fixes: [{ title: 'Remove the --platform flag', safe: true, edits: [{ range: ctx.model.range(start, end), newText: '' }] }],
      });
    }
  },
);
