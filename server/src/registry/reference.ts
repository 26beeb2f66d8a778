/**
 * Image references as the docker CLI normalizes them (distribution's `reference.ParseNormalizedNamed`):
 * `alpine` → `docker.io/library/alpine:latest`, `localhost:5000/app`, `ghcr.io/o/r:tag@sha256:…`.
 * Pure; no network.
 */

export interface ImageReference {
  /** The registry as written in references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string;
  /** The repository path on that registry: `library/alpine`, `o/r`. */
  repository: string;
  /** The tag, `latest` when neither a tag nor a digest was written. */
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's distribution API answers. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export type ParsedReference = { ok: true; ref: ImageReference } | { ok: false; error: string };

export function parseReference(text: string): ParsedReference {
  let rest = text.trim();
  if (!rest) return { ok: false, error: 'empty reference' };
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { ok: false, error: `invalid digest "${digest}"` };
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { ok: false, error: `invalid tag "${tag}"` };
  }
  const slash = rest.indexOf('/');
  let registry = DOCKER_HUB;
  let repository = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!repository || !repository.split('/').every((c) => COMPONENT.test(c))) return { ok: false, error: `invalid repository name "${repository}"` };
  if (!tag && !digest) tag = 'latest';
  return { ok: true, ref: { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) } };
}

/** The familiar form: `alpine:3.19`, `ghcr.io/o/r:1@sha256:…` (Docker Hub and `library/` left out). */
export function familiarName(ref: ImageReference, parts: { tag?: boolean; digest?: boolean } = { tag: true, digest: true }): string {
  let name = ref.registry === DOCKER_HUB ? ref.repository.replace(/^library\//, '') : `${ref.registry}/${ref.repository}`;
  if (parts.tag !== false && ref.tag) name += `:${ref.tag}`;
  if (parts.digest !== false && ref.digest) name += `@${ref.digest}`;
  return name;
}

/** The host part without a port, lower case: what loopback and exclusion checks compare. */
export function registryHostname(registry: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(registry);
  if (m) return m[1]!.toLowerCase();
  const colon = registry.lastIndexOf(':');
  return (colon >= 0 && registry.indexOf(':') === colon ? registry.slice(0, colon) : registry).toLowerCase();
}

/** 127.0.0.0/8, ::1 and localhost: the registries Docker speaks plain HTTP to without being told. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registryHostname(registry);
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Whether a reference matches an exclusion pattern: a registry (`ghcr.io`, `registry.corp:5000`),
 * a repository (`library/alpine`, `ghcr.io/org/app`, familiar `alpine`), or either with a trailing
 * `*` (`ghcr.io/org/*`, `*.corp`).
 */
export function isExcluded(ref: ImageReference, patterns: readonly string[]): boolean {
  const full = `${ref.registry}/${ref.repository}`;
  const familiar = familiarName(ref, { tag: false, digest: false });
  for (const raw of patterns) {
    const p = raw.trim().toLowerCase();
    if (!p) continue;
    if (p.includes('*')) {
      const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      if (re.test(ref.registry) || re.test(full) || re.test(familiar)) return true;
    } else if (p === ref.registry || p === full || p === familiar || full.startsWith(`${p}/`)) {
      return true;
    }
  }
  return false;
}
