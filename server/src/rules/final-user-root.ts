import { finalUser } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'final-user-root',
    severity: 'warning',
    category: 'security',
    description: 'The last USER of the final stage is root, so the container runs as root.',
    docs: {
      why:
        'The USER in effect at the end of the final stage is the user the container starts as. As root (uid 0), a compromised process can change ' +
        'every file of the image, bind low ports, and is one kernel bug away from root on the host. Switching to root for installation steps is fine; ' +
        'switch back to an unprivileged user before the image is done. Builder stages whose files are only copied out are not affected: their USER never reaches the final image.',
      bad: 'FROM debian:bookworm\nRUN useradd -r app\nUSER root\nCMD ["bash"]',
      good: 'FROM debian:bookworm\nRUN useradd -r app\nUSER app\nCMD ["bash"]',
    },
    aliases: { hadolint: ['DL3002'], checkov: 'CKV_DOCKER_8' },
    differences: [
      {
        case: 'DL3002-2-bad.Dockerfile',
        reason:
          'hadolint reports the last USER of every stage. Here `USER root` is in a builder stage that the final stage (FROM scratch) does not build on, so it never reaches the image that runs; only the final stage and the stages it builds on are checked.',
      },
    ],
  },
  (ctx) => {
    const user = finalUser(ctx.model.stages);
    if (!user) return;
    const raw = user.argsText.text.trim();
    const expanded = user.scope.expand(raw, ctx.model.escape);
    const value = expanded.text.trim();
    if (!expanded.certain || !/^(root|0)(:.*)?$/.test(value)) return;
    const at = user.argsText.text.indexOf(raw);
    const [s, e] = user.argsText.docSpan(at, at + raw.length);
    ctx.report({
      range: ctx.model.range(s, e),
      message: `The final stage ends with USER ${raw}${value === raw ? '' : ` (= ${value})`}: the container runs as root, so a compromised process can rewrite the image's files and is one kernel bug away from the host. Switch to an unprivileged user (USER app or a numeric UID) after the steps that need root.`,
    });
  },
);
