import type { BaseImage, Model, Stage } from '../../model/model';
import { PLATFORM_ARGS, VarScope } from '../../model/variables';
import type { DaemonPlatform, LocalImageFacts, RuleContext } from '../rule';
import { parsePlatform } from './buildkit-checks';

/**
 * Facts from the local Docker daemon, as rules read them: which key names a base image in
 * `RuleContext.images`, its repository, and platforms compared the way BuildKit compares them.
 */

const DOCKER_HUB = /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//;

/** The key of `RuleContext.images`: `busybox` → `busybox:latest`, `docker.io/library/x:1` → `x:1` (the names `RepoTags` use). */
export function localImageKey(ref: string): string {
  let r = ref.trim();
  if (/^sha256:[0-9a-f]+$/.test(r)) return r;
  r = r.replace(DOCKER_HUB, '').replace(/^library\//, '');
  const at = r.indexOf('@');
  const name = at >= 0 ? r.slice(0, at) : r;
  if (at < 0 && name.lastIndexOf(':') <= name.lastIndexOf('/')) r += ':latest';
  return r;
}

/** The repository of a reference, tag and digest dropped: `docker.io/library/busybox:1@sha256:…` → `busybox`. */
export function repositoryOf(ref: string): string {
  let r = ref.trim().replace(DOCKER_HUB, '').replace(/^library\//, '');
  const at = r.indexOf('@');
  if (at >= 0) r = r.slice(0, at);
  const colon = r.lastIndexOf(':');
  if (colon > r.lastIndexOf('/')) r = r.slice(0, colon);
  return r;
}

export interface PulledBase {
  stage: Stage;
  base: BaseImage;
  /** The reference with ARGs expanded. */
  ref: string;
}

/** The stages whose FROM names an image to pull: not scratch, not an earlier stage, not an unknown ARG. */
export function pulledBases(model: Model): PulledBase[] {
  const out: PulledBase[] = [];
  for (const stage of model.stages) {
    const base = stage.base;
    if (!base || base.scratch || base.stage || !base.resolved || !base.ref) continue;
    out.push({ stage, base, ref: base.resolved });
  }
  return out;
}

/** What the daemon has for a reference: its facts, null when it has no such image, undefined when nobody asked. */
export function localImage(ctx: Pick<RuleContext, 'images'>, ref: string): LocalImageFacts | null | undefined {
  return ctx.images?.get(localImageKey(ref));
}

/** The `sha256:…` digests under which the daemon knows this image in the reference's own repository. */
export function localDigests(facts: LocalImageFacts, ref: string): string[] {
  const repo = repositoryOf(ref);
  const out: string[] = [];
  for (const d of facts.repoDigests) {
    const at = d.indexOf('@');
    if (at < 0 || repositoryOf(d) !== repo) continue;
    const digest = d.slice(at + 1);
    if (/^sha256:[0-9a-f]{64}$/.test(digest) && !out.includes(digest)) out.push(digest);
  }
  return out;
}

const ARCHES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386', i686: '386', x86: '386' };

/** containerd's platforms.Normalize: lower case, arch aliases, arm64 → v8 and arm → v7 when no variant is given. */
export function normalizePlatform(p: DaemonPlatform): Required<DaemonPlatform> {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = (p.variant ?? '').toLowerCase();
  architecture = ARCHES[architecture] ?? architecture;
  if (architecture === 'arm64' && (variant === '' || variant === '8')) variant = 'v8';
  if (architecture === 'arm' && variant === '') variant = 'v7';
  if (architecture === 'arm' && /^[5-8]$/.test(variant)) variant = `v${variant}`;
  if (architecture === 'amd64' && variant === 'v1') variant = '';
  return { os, architecture, variant };
}

export function formatPlatform(p: DaemonPlatform): string {
  const n = normalizePlatform(p);
  return [n.os, n.architecture, n.variant].filter(Boolean).join('/');
}

/** `os/arch[/variant]`, or a lone OS or architecture as containerd reads them; undefined when it is not a platform. */
export function parsePlatformValue(value: string): DaemonPlatform | undefined {
  const parts = value.trim().split('/');
  const known = parsePlatform(value.trim());
  if (!known) return undefined;
  return { os: known.os, architecture: known.arch, ...(parts.length === 3 && parts[2] ? { variant: parts[2] } : {}) };
}

/** BuildKit's test: the same OS and architecture; variants are not compared. */
export function samePlatform(a: DaemonPlatform, b: DaemonPlatform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture;
}

/**
 * The platform a stage is built for on the daemon: its `--platform` with ARGs expanded (the
 * platform ARGs being the daemon's own), else the daemon's platform. Undefined when not known.
 */
export function stagePlatform(model: Model, stage: Stage, daemon: DaemonPlatform | undefined): DaemonPlatform | undefined {
  const flag = stage.from?.flags.find((f) => f.name === 'platform');
  if (!flag?.value) return daemon;
  const scope = new VarScope(model.globalScope);
  if (daemon) {
    const n = normalizePlatform(daemon);
    const platform = formatPlatform(daemon);
    const values: Record<(typeof PLATFORM_ARGS)[number], string> = {
      TARGETPLATFORM: platform,
      TARGETOS: n.os,
      TARGETARCH: n.architecture,
      TARGETVARIANT: n.variant,
      BUILDPLATFORM: platform,
      BUILDOS: n.os,
      BUILDARCH: n.architecture,
      BUILDVARIANT: n.variant,
    };
    for (const name of PLATFORM_ARGS) {
      // A global ARG of the same name with a value of its own wins, as in BuildKit.
      const v = scope.get(name);
      if (!v || v.kind === 'predefined' || v.value === undefined) scope.set(name, { kind: 'predefined', value: values[name] });
    }
  }
  const expanded = scope.expand(flag.value, model.escape);
  if (!expanded.certain) return undefined;
  return parsePlatformValue(expanded.text.replace(/["']/g, ''));
}
