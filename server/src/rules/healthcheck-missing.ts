import { stageChain } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'healthcheck-missing',
    severity: 'off',
    category: 'maintainability',
    description: 'The final image has no HEALTHCHECK.',
    docs: {
      why:
        'HEALTHCHECK stores a command in the image config that Docker runs periodically inside the container; its result shows as `healthy`/`unhealthy` ' +
        'and lets Swarm and Compose (`depends_on: condition: service_healthy`) restart or wait for the container. Without one, a hung server looks "running". ' +
        'Orchestrators such as Kubernetes ignore it and use their own probes, which is why this rule is off by default. `HEALTHCHECK NONE` states the choice explicitly. ' +
        'The final stage inherits a HEALTHCHECK from the stages it builds on.',
      bad: 'FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/',
      good: 'FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\nHEALTHCHECK CMD curl -fsS http://localhost/ || exit 1',
    },
    aliases: { hadolint: ['DL3057'], trivy: 'DS026', checkov: 'CKV_DOCKER_2' },
  },
  (ctx) => {
    const last = ctx.model.stages[ctx.model.stages.length - 1];
    if (!last?.from) return;
    if (stageChain(last).some((s) => s.instructions.some((i) => i.keyword === 'HEALTHCHECK'))) return;
    ctx.report({
      range: last.from.keywordRange,
      message: 'The final image has no HEALTHCHECK: Docker cannot tell a hung container from a working one. Add HEALTHCHECK CMD … (or HEALTHCHECK NONE to say it is deliberate).',
    });
  },
);
