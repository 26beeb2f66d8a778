import { keyValues, target } from './lib/instruction-words';
import { defineRule } from './rule';

const RESERVED = ['com.docker.', 'io.docker.', 'org.dockerproject.'];

/** Why a label key breaks Docker's key format, or undefined when it is fine. */
function problem(key: string): string | undefined {
  if (RESERVED.some((r) => key.startsWith(r))) return `the ${RESERVED.find((r) => key.startsWith(r))!.slice(0, -1)} namespace is reserved for Docker`;
  if (!/^[a-z]/.test(key)) return 'it must start with a lower-case letter';
  if (!/[a-z0-9]$/.test(key)) return 'it must end with a lower-case letter or digit';
  if (/[^a-z0-9.-]/.test(key)) return 'only lower-case letters, digits, dots and hyphens are allowed';
  if (key.includes('..') || key.includes('--')) return 'it has consecutive separators';
  return undefined;
}

export default defineRule(
  {
    id: 'label-key-invalid',
    severity: 'info',
    category: 'style',
    description: 'LABEL keys should be lower-case reverse-DNS names (`org.opencontainers.image.source`).',
    docs: {
      why:
        'Labels end up in the image config, where registries, scanners and `docker inspect --format` look them up by exact key. Docker\'s key format ' +
        '(lower-case letters, digits, `.` and `-`, starting with a letter) and the OCI annotation names (`org.opencontainers.image.*`) let tools find them; ' +
        '`Version`, `MAINTAINER` or `my_label` are read by nothing. The `com.docker.*`, `io.docker.*` and `org.dockerproject.*` namespaces are reserved for Docker itself.',
      bad: 'FROM alpine:3.20\nLABEL Version="1.0" com.docker.owner="team"',
      good: 'FROM alpine:3.20\nLABEL org.opencontainers.image.version="1.0" com.example.owner="team"',
    },
    aliases: { hadolint: ['DL3048'] },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const t = target(inst);
      if (t.keyword !== 'LABEL') continue;
      for (const p of keyValues(t, ctx.model.escape)) {
        if (!p.key || p.key.includes('$')) continue;
        const why = problem(p.key);
        if (!why) continue;
        const [s, e] = t.argsText.docSpan(p.keyStart, p.keyEnd);
        ctx.report({ range: ctx.model.range(s, e), message: `Label key "${p.key}": ${why}. Tools that read labels by their conventional names will not find it.` });
      }
    }
  },
);
