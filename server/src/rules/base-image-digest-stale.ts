import { registryDigest } from './lib/registry-digests';
import { defineRule } from './rule';

const OLD = 'sha256:2ec5a4a5c3e919570f57675471f081d6299668d909feabd8d4803c6c61af666c';
const NOW = 'sha256:a1a8cee46b8b4f9a8a6a3e04d5f0e7f9c1ab7e85d3ea3d1b3c0e1e6b7d2f4c5e';

export default defineRule(
  {
    id: 'base-image-digest-stale',
    severity: 'info',
    category: 'security',
    description: "A FROM pinned by digest whose tag the registry now points to another image (known only when registry queries are allowed).",
    docs: {
      why:
        'A FROM written `image:tag@sha256:…` builds from the digest; the tag is there for readers. When upstream rebuilds the tag ' +
        '(security fixes, a new point release) the pin keeps the old image, which is the point of pinning, but the tag beside it ' +
        'then tells readers something that is no longer true, and the fixes upstream shipped do not reach your image. This hint ' +
        'appears only when `layerwise.registry.enabled` lets Layerwise ask the registry, and says which digest the tag points to ' +
        'now; the fix moves the pin there (a new base image: rebuild and test).',
      bad: `FROM python:3.12-slim@${OLD}\nCMD ["python"]`,
      good: `FROM python:3.12-slim@${NOW}\nCMD ["python"]`,
      options: { registryDigests: { 'python:3.12-slim': NOW } },
    },
    fix: 'unsafe',
    aliases: {},
  },
  (ctx) => {
    for (const stage of ctx.model.stages) {
      const base = stage.base;
      if (!base || base.stage || !base.resolved || !base.ref?.digest || !base.ref.tag) continue;
      const now = registryDigest(ctx, base.resolved);
      if (!now || now === base.ref.digest) continue;
      const at = base.resolved.indexOf('@');
      const tagged = base.resolved.slice(0, at);
      const start = ctx.model.offsetAt(base.range.start);
      const end = ctx.model.offsetAt(base.range.end);
      // Only where the reference is written out: an ARG's default would need the edit.
      const literal = ctx.model.text.slice(start, end) === base.resolved;
      ctx.report({
        range: base.range,
        message: `\`${tagged}\` now points to ${now.slice(0, 19)}…, not to the pinned ${base.ref.digest.slice(0, 19)}…: the image upstream ships under this tag has changed since the pin.`,
        fixes: literal ? [{ title: `Update the pin to ${now.slice(0, 19)}…, what ${tagged} points to now`, safe: false, edits: [{ range: ctx.model.range(start + at + 1, end), newText: now }] }] : [],
      });
    }
  },
);
