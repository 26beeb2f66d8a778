import type { Inst, Model } from '../model/model';
import { createdUser, nonRootUserLines, shippedUser, stageChain, userInsertion } from './lib/fix-helpers';
import { finalUser } from './lib/instruction-words';
import { defineRule, type Fix } from './rule';

const ROOT = /^(root|0)(:.*)?$/;

/** A non-root USER set earlier in the image (its value as written), which the image switched away from. */
function earlierUser(model: Model, user: Inst): string | undefined {
  let found: string | undefined;
  for (const s of stageChain(user.stage).reverse()) {
    for (const i of s.instructions) {
      if (s === user.stage && i.index >= user.index) break;
      if (i.keyword !== 'USER') continue;
      const e = i.scope.expand(i.argsText.text.trim(), model.escape);
      found = e.certain && !ROOT.test(e.text.trim()) ? i.argsText.text.trim() : undefined;
    }
  }
  return found;
}

/**
 * Back to an unprivileged user. When nothing after `USER root` needs root (no RUN follows it in the final stage) and the
 * image already has a user, its value is replaced; otherwise a USER (and the user, where none exists) is added after the
 * last RUN of the final stage, so the steps that switched to root still run as root.
 */
function fixFor(model: Model, user: Inst, valueRange: Fix['edits'][number]['range']): Fix | undefined {
  const last = model.stages[model.stages.length - 1]!;
  const inFinal = user.stage === last;
  const runAfter = last.instructions.some((i) => i.keyword === 'RUN' && (!inFinal || i.index > user.index));
  const known = earlierUser(model, user);
  if (inFinal && !runAfter) {
    const created = createdUser(model, last, user.index);
    const name = known ?? (created === 'unknown' ? undefined : created) ?? shippedUser(last);
    if (name) return { title: `Switch back to USER ${name}`, safe: false, edits: [{ range: valueRange, newText: name }] };
  }
  const lines = (indent: string): string[] | undefined => (known ? [`${indent}USER ${known}`] : nonRootUserLines(model, last, indent)?.lines);
  const edit = userInsertion(model, last, lines, inFinal ? user : undefined);
  if (!edit) return undefined;
  const title = known ? `Switch back to USER ${known} after the last RUN` : nonRootUserLines(model, last, '')!.title;
  return { title, safe: false, edits: [edit] };
}

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
        'switch back to an unprivileged user before the image is done. Builder stages whose files are only copied out are not affected: their USER never reaches the final image.\n\n' +
        'The quick fix switches back to the unprivileged user the image used before (an earlier `USER app`), or to the one a `useradd`/`adduser` ' +
        'created. When no RUN follows `USER root` in the final stage it replaces its value; otherwise it adds a USER after the last RUN ' +
        '(before CMD/ENTRYPOINT), so the steps that needed root still run as root. When the image has no such user, it creates one the way ' +
        '[final-stage-no-user](final-stage-no-user.md) does (by the base image: useradd, Alpine adduser, the node, distroless or nobody user). ' +
        'It is never applied by fix-all: files created as root may not be writable by the new user, and ports below 1024 need root.',
      bad: 'FROM debian:bookworm\nRUN useradd -r app\nUSER root\nCMD ["bash"]',
      good: 'FROM debian:bookworm\nRUN useradd -r app\nUSER app\nCMD ["bash"]',
    },
    fix: 'unsafe',
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
    if (!expanded.certain || !ROOT.test(value)) return;
    const at = user.argsText.text.indexOf(raw);
    const [s, e] = user.argsText.docSpan(at, at + raw.length);
    // `USER $UID` is a knob the build sets on purpose (root by default): not replaced by a constant.
    const fix = user.inOnbuild || raw.includes('$') ? undefined : fixFor(ctx.model, user, ctx.model.range(s, e));
    ctx.report({
      ...(fix ? { fixes: [fix] } : {}),
      range: ctx.model.range(s, e),
      message: `The final stage ends with USER ${raw}${value === raw ? '' : ` (= ${value})`}: the container runs as root, so a compromised process can rewrite the image's files and is one kernel bug away from the host. Switch to an unprivileged user (USER app or a numeric UID) after the steps that need root.`,
    });
  },
);
