import type { ImageRef } from '../model/model';
import { finalUser, stageChain } from './lib/instruction-words';
import { defineRule } from './rule';

/** Base images documented to run as an unprivileged user by default. */
function knownNonRoot(ref: ImageRef): boolean {
  const tag = ref.tag ?? '';
  if (/(^|[-_.])(nonroot|non-root|rootless|unprivileged)([-_.]|$)/.test(tag)) return true;
  if (/(^|\/)nginx-unprivileged$/.test(ref.name)) return true;
  if (ref.name.startsWith('bitnami/')) return true;
  return ref.registry === 'cgr.dev' && ref.name.startsWith('chainguard/') && !/(^|-)dev$/.test(tag);
}

export default defineRule(
  {
    id: 'final-stage-no-user',
    severity: 'info',
    category: 'security',
    description: 'The final stage never sets USER, so the container runs as root unless its base image says otherwise.',
    docs: {
      why:
        'Without a USER instruction the container starts as the base image\'s user, which for almost every base image (debian, alpine, node, python, scratch) is root. ' +
        'A process running as root can rewrite every file of the image and is one kernel bug away from root on the host. ' +
        'Create an unprivileged user and end the final stage with `USER`. Bases known to run unprivileged (distroless `:nonroot`, Chainguard, Bitnami, ' +
        '`nginx-unprivileged`) are not reported. hadolint has no such check (its DL3002 only looks at USER instructions that exist).',
      bad: 'FROM python:3.12-slim\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]',
      good: 'FROM python:3.12-slim\nRUN useradd --system --uid 10001 app\nCOPY app.py /app/\nUSER 10001\nCMD ["python", "/app/app.py"]',
    },
    aliases: { checkov: 'CKV_DOCKER_3' },
  },
  (ctx) => {
    const stages = ctx.model.stages;
    const last = stages[stages.length - 1];
    if (!last?.from || finalUser(stages)) return;
    const root = stageChain(last).pop()!;
    const base = root.base;
    // Unknown base image (an ARG without a value): do not guess who it runs as.
    if (!base || (!base.scratch && !base.ref)) return;
    if (base.ref && knownNonRoot(base.ref)) return;
    // A scratch image with no CMD or ENTRYPOINT exports files (`--output`); it is not meant to run.
    const runnable = stageChain(last).some((s) => s.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'));
    if (base.scratch && !runnable) return;
    ctx.report({
      range: last.base!.range,
      message: `The final stage never sets USER, so the container runs as ${base.scratch ? 'root (uid 0)' : `the user of ${base.resolved}, root unless that image says otherwise`}. Create an unprivileged user and add USER before CMD.`,
    });
  },
);
