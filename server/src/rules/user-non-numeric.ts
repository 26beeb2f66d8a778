import { target } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'user-non-numeric',
    severity: 'off',
    category: 'security',
    description: 'USER with a name instead of a numeric UID cannot be checked by the runtime.',
    docs: {
      why:
        'A user name is resolved through `/etc/passwd` inside the container when it starts. Kubernetes\' `runAsNonRoot` cannot verify a name and refuses to start ' +
        'the pod ("image has non-numeric user"), and host-side tools (volume ownership, `--userns-remap`) see only numbers. `USER 10001` (or `10001:10001`) says ' +
        'exactly who runs. Off by default: with plain Docker a name works fine.',
      bad: 'FROM node:20-slim\nUSER node',
      good: 'FROM node:20-slim\nUSER 1000:1000',
    },
    aliases: { hadolint: ['DL3066'] },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const t = target(inst);
      if (t.keyword !== 'USER') continue;
      const raw = t.argsText.text.trim();
      if (!raw) continue;
      const expanded = t.scope.expand(raw, ctx.model.escape);
      if (!expanded.certain) continue;
      const user = expanded.text.split(':')[0]!;
      // Windows containers have no /etc/passwd and no numeric UIDs.
      if (!user || /^\d+$/.test(user) || /^Container(User|Administrator)$/i.test(user)) continue;
      const at = t.argsText.text.indexOf(raw);
      const [s, e] = t.argsText.docSpan(at, at + raw.length);
      ctx.report({
        range: ctx.model.range(s, e),
        message: `USER ${user} is a name: the runtime resolves it from /etc/passwd at start, and Kubernetes' runAsNonRoot cannot verify it is not root. Use the numeric UID (e.g. USER 10001).`,
      });
    }
  },
);
