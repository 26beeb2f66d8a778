import { knownNonRoot, nonRootUserLines, userInsertion } from './lib/fix-helpers';
import { finalUser, stageChain } from './lib/instruction-words';
import { defineRule, type Fix } from './rule';

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
        '`nginx-unprivileged`) are not reported. hadolint has no such check (its DL3002 only looks at USER instructions that exist).\n\n' +
        'The quick fix adds a USER after the last RUN of the final stage (before CMD/ENTRYPOINT, or at its end), so every step that needs root ' +
        'still runs as root. When the image already creates a user (`useradd`/`adduser`), it switches to that one. Otherwise it picks by the ' +
        'image the stage is built on (FROM stages and ARG values resolved): on Debian, Ubuntu and the official images built on them, ' +
        '`groupadd`/`useradd` create `app` with uid and gid 10001; on Alpine and BusyBox, `addgroup`/`adduser`; the node images already have ' +
        '`node` (uid 1000); distroless and Chainguard images have `nonroot` (uid 65532) and no shell; scratch gets `nobody` (65534). The USER ' +
        'is numeric so that Kubernetes\' `runAsNonRoot` can check it. On any other image it offers nothing rather than guess which tools it has. ' +
        'The fix is never applied by fix-all: files the image created as root may not be writable by the new user, and ports below 1024 need root.',
      bad: 'FROM python:3.12-slim\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]',
      good: 'FROM python:3.12-slim\nRUN useradd --system --uid 10001 app\nCOPY app.py /app/\nUSER 10001\nCMD ["python", "/app/app.py"]',
    },
    fix: 'unsafe',
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
    const edit = userInsertion(ctx.model, last, (indent) => nonRootUserLines(ctx.model, last, indent)?.lines);
    const plan = nonRootUserLines(ctx.model, last, '');
    const fixes: Fix[] = edit && plan ? [{ title: plan.title, safe: false, edits: [edit] }] : [];
    ctx.report({
      range: last.base!.range,
      message: `The final stage never sets USER, so the container runs as ${base.scratch ? 'root (uid 0)' : `the user of ${base.resolved}, root unless that image says otherwise`}. Create an unprivileged user and add USER before CMD.`,
      ...(fixes.length ? { fixes } : {}),
    });
  },
);
