import { exposedPorts } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'expose-invalid-format',
    severity: 'warning',
    category: 'maintainability',
    description: 'EXPOSE takes container ports only, not `host:container` mappings or IP addresses.',
    docs: {
      why:
        'EXPOSE only records, in the image config, which ports the container listens on; it never publishes anything. ' +
        'Publishing to the host is `docker run -p host:container` (or `ports:` in Compose). ' +
        'For `EXPOSE 8080:80` or `EXPOSE 127.0.0.1:80:80`, BuildKit silently drops the address and the host port and records only `80/tcp`, ' +
        'so the Dockerfile suggests a mapping that does not exist. Support for this form may be removed.',
      bad: 'FROM nginx:1.27\nEXPOSE 127.0.0.1:8080:80',
      good: 'FROM nginx:1.27\nEXPOSE 80',
    },
    fix: 'safe',
    aliases: { buildkit: 'ExposeInvalidFormat' },
  },
  (ctx) => {
    for (const p of exposedPorts(ctx.model)) {
      if (!p.ip && !p.hostPort) continue;
      const container = p.value.slice(p.hostPrefix);
      const what = p.ip ? `the address \`${p.ip}\` and the host port \`${p.hostPort}\`` : `the host port \`${p.hostPort}\``;
      ctx.report({
        range: p.range,
        message: `\`EXPOSE ${p.value}\`: EXPOSE cannot map ports, BuildKit drops ${what} and records only \`${container}\` in the image. Publish ports with \`docker run -p\` and write \`EXPOSE ${container}\`.`,
        fixes: p.literal && p.value === p.raw ? [{ title: `Write \`EXPOSE ${container}\``, safe: true, edits: [{ range: p.range, newText: container }] }] : undefined,
      });
    }
  },
);
