import { exposedPorts, subRange } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'expose-proto-casing',
    severity: 'info',
    category: 'style',
    description: 'The protocol of an EXPOSE port should be lowercase (`tcp`, `udp`, `sctp`).',
    docs: {
      why:
        'BuildKit lowercases the protocol before it writes `80/tcp` to the image config, so `80/TCP` works; ' +
        'but the Dockerfile then differs from what `docker inspect` and every tool reading the config show, and BuildKit warns about it on every build.',
      bad: 'FROM alpine\nEXPOSE 80/TcP',
      good: 'FROM alpine\nEXPOSE 80/tcp',
    },
    fix: 'safe',
    aliases: { buildkit: 'ExposeProtoCasing' },
  },
  (ctx) => {
    for (const p of exposedPorts(ctx.model)) {
      if (!p.proto || p.proto === p.proto.toLowerCase()) continue;
      const lower = p.proto.toLowerCase();
      const exact = p.literal && p.value === p.raw;
      const range = exact ? subRange(ctx.model, p.range, p.protoStart, p.protoStart + p.proto.length) : p.range;
      ctx.report({
        range,
        message: `Protocol \`${p.proto}\` in \`EXPOSE ${p.value}\` should be lowercase: the image records \`${lower}\` anyway.`,
        fixes: exact && range !== p.range ? [{ title: `Write \`${lower}\``, safe: true, edits: [{ range, newText: lower }] }] : undefined,
      });
    }
  },
);
