import { localDigests, localImage } from './lib/local-images';
import { registryDigest } from './lib/registry-digests';
import type { BaseImage } from '../model/model';
import { defineRule, type Fix, type RuleContext } from './rule';

export default defineRule(
  {
    id: 'base-image-digest',
    severity: 'off',
    category: 'security',
    description: 'FROM should pin the base image by digest (`image:tag@sha256:…`).',
    docs: {
      why:
        'A tag is a movable name: `python:3.12-slim` points to a new image whenever upstream rebuilds it (security fixes, a new ' +
        'Debian point release). Two builds of the same Dockerfile can then start from different base layers, so a build that worked ' +
        'yesterday may break today, and a compromised or mistaken push reaches you on the next pull. A digest names exactly one image: ' +
        'builds are reproducible, and the cache stays valid until you change the digest on purpose (tools such as Renovate or ' +
        'Dependabot can update it). The cost is that you no longer get base-image fixes without a change to the Dockerfile, which is ' +
        'why this rule is off by default. Keep the tag beside the digest so readers still see the version; `docker buildx imagetools inspect python:3.12-slim` prints the digest to use (the one in the example below is illustrative). ' +
        'When `layerwise.registry.enabled` allows asking the registry, the quick fix pins FROM to the digest the registry serves for the tag now. ' +
        'When the local Docker daemon has the image and knows its registry digest (`RepoDigests`, set by a pull or a push), a quick fix pins FROM to that digest, which is the image your local builds already use.',
      bad: 'FROM python:3.12-slim\nCMD ["python"]',
      good: 'FROM python:3.12-slim@sha256:2ec5a4a5c3e919570f57675471f081d6299668d909feabd8d4803c6c61af666c\nCMD ["python"]',
    },
    fix: 'safe',
    aliases: {},
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      const base = stage.base;
      // scratch and earlier stages are not pulled; an image named by an unknown ARG is not guessed at.
      if (!base || base.scratch || base.stage || !base.ref || base.ref.digest) continue;
      ctx.report({
        range: base.range,
        message: `\`${base.resolved}\` is pulled by tag, which upstream moves to new images: rebuilds may start from a different base. Pin it by digest (\`${base.resolved}@sha256:…\`).`,
        fixes: pins(ctx, base),
      });
    }
  },
);

/**
 * Pins to the digest the registry serves for the tag now, and to the digest the local daemon has
 * for it (the image local builds use now, so the build does not change). Only where the reference
 * is written out (an ARG would need its default edited).
 */
function pins(ctx: RuleContext, base: BaseImage): Fix[] {
  if (!base.resolved) return [];
  const start = ctx.model.offsetAt(base.range.start);
  const end = ctx.model.offsetAt(base.range.end);
  if (ctx.model.text.slice(start, end) !== base.resolved) return [];
  const pin = (digest: string, title: string): Fix => ({ title, safe: true, edits: [{ range: ctx.model.range(end, end), newText: `@${digest}` }] });
  const out: Fix[] = [];
  const served = registryDigest(ctx, base.resolved);
  if (served) out.push(pin(served, `Pin to ${served.slice(0, 19)}…, the digest the registry serves for ${base.resolved} now`));
  const facts = localImage(ctx, base.resolved);
  for (const digest of facts ? localDigests(facts, base.resolved) : []) {
    if (digest !== served) out.push(pin(digest, `Pin to ${digest.slice(0, 19)}…, the digest of the local ${base.resolved}`));
  }
  return out;
}
