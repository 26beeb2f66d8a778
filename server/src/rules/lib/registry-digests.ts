import { localImageKey } from './local-images';
import type { RuleContext } from '../rule';

/** A reference without its digest: `alpine:3.19@sha256:…` → `alpine:3.19`. */
export function withoutDigest(ref: string): string {
  const at = ref.indexOf('@');
  return at >= 0 ? ref.slice(0, at) : ref;
}

/** The digest the registry serves now for a reference's tag; undefined when no registry was asked or it did not answer. */
export function registryDigest(ctx: Pick<RuleContext, 'registryDigests'>, ref: string): string | undefined {
  return ctx.registryDigests?.get(localImageKey(withoutDigest(ref)));
}
