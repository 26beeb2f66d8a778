import { parseImageRef } from '../model/model';
import { flagNamed, fromTarget, target } from './lib/instruction-words';
import { defineRule } from './rule';

const DOCKER_HUB = ['docker.io', 'hub.docker.com', 'index.docker.io', 'registry-1.docker.io'];

function matches(pattern: string, registry: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === registry.toLowerCase();
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(registry);
}

export default defineRule(
  {
    id: 'base-image-untrusted-registry',
    severity: 'warning',
    category: 'security',
    description: 'Images must come from the registries listed in `trustedRegistries` (`.hadolint.yaml`).',
    docs: {
      why:
        'Every layer of a base image, and every file copied from an image with `COPY --from`, ends up in your image. Teams that mirror and scan approved images ' +
        'list their registries in `.hadolint.yaml` (`trustedRegistries:`); an image pulled from anywhere else bypasses that scanning. ' +
        'Images without a registry come from Docker Hub (`docker.io`). The rule says nothing until `trustedRegistries` lists at least one registry; `*` matches any part of a name.',
      bad: 'FROM quay.io/evil/base:1.0\nRUN true',
      good: 'FROM registry.example.com/base/debian:bookworm\nRUN true',
      options: { trustedRegistries: ['registry.example.com'] },
    },
    aliases: { hadolint: ['DL3026'] },
  },
  (ctx) => {
    const trusted = ctx.options.trustedRegistries;
    if (!trusted.length) return;
    const allowed = (registry: string | undefined): boolean =>
      registry ? trusted.some((p) => matches(p, registry)) : trusted.some((p) => DOCKER_HUB.includes(p.toLowerCase()) || matches(p, 'docker.io'));
    const message = (image: string, registry: string | undefined): string =>
      `${image} comes from ${registry ?? 'Docker Hub (docker.io)'}, which is not in trustedRegistries (${trusted.join(', ')}): its layers bypass your registry's scanning. Use a mirrored image.`;
    for (const stage of ctx.model.stages) {
      const base = stage.base;
      if (!base || base.stage || base.scratch || !base.ref || allowed(base.ref.registry)) continue;
      ctx.report({ range: base.range, message: message(base.resolved!, base.ref.registry) });
    }
    for (const inst of ctx.model.instructions) {
      const t = target(inst);
      const flag = t.keyword === 'COPY' && !t.inOnbuild ? flagNamed(t, 'from') : undefined;
      if (!flag?.value) continue;
      const from = fromTarget(ctx.model, t, flag.value);
      const ref = from.kind === 'image' ? parseImageRef(from.value) : undefined;
      if (!ref || allowed(ref.registry)) continue;
      ctx.report({ range: flag.valueRange ?? flag.range, message: message(from.value, ref.registry) });
    }
  },
);
