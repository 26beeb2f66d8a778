import { formatPlatform, normalizePlatform, parsePlatformValue } from '../rules/lib/local-images';
import type { DaemonPlatform } from '../rules/rule';
import { RegistryError, type FetchedManifest, type RegistryClient } from './client';
import { familiarName, type ImageReference } from './reference';
import { mayChangeBehaviour, newerTags, variantTags } from './tags';

/**
 * What the registry says about a base image, with no pull: per platform the manifest digest, the
 * compressed size (config plus layers, as the manifest lists them) and the layer count; the
 * digest behind the tag now; newer tags of the line and smaller variants of the version, measured
 * for the target platform. Transport-free: everything goes through a RegistryClient.
 */

export interface PlatformInfo {
  platform: string;
  digest: string;
  compressedSize: number;
  layers: number;
}

export interface TagSize {
  tag: string;
  /** For the target platform; absent when the tag does not have it. */
  compressedSize?: number;
  digest?: string;
  /** Why this tag may change what the image does (another libc, no shell). */
  mayChangeBehaviour?: string;
}

export interface ImageInfo {
  /** The reference as asked, in its familiar form. */
  reference: string;
  /** The digest the tag (or the digest asked for) resolves to now: the index's when there is one. */
  digest: string;
  platforms: PlatformInfo[];
  /** Every platform the tag has, measured or not (`allPlatforms: false` measures only the target). */
  tagPlatforms: string[];
  /** The platform measured for, and its entry when the image has it. */
  targetPlatform: string;
  target?: PlatformInfo;
  newerTags: TagSize[];
  variants: TagSize[];
}

export interface ImageInfoOptions {
  /** The platform builds target (default: this machine's, as Linux). */
  platform?: DaemonPlatform;
  /** Measure every platform of an index (the command line) or only the target (the editor). Default true. */
  allPlatforms?: boolean;
  /** Look for newer tags and variants (a tag list and two requests per candidate). Default true. */
  candidates?: boolean;
  /** At most this many newer tags and variants are measured each (default 3 and 8). */
  maxNewer?: number;
  maxVariants?: number;
}

const ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** What `docker build` targets on this machine with a Linux daemon here. */
export function machinePlatform(): DaemonPlatform {
  return { os: 'linux', architecture: ARCH[process.arch] ?? process.arch };
}

interface Descriptor {
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

function descriptors(m: FetchedManifest): Descriptor[] | undefined {
  if (!Array.isArray(m.json.manifests)) return undefined;
  const out: Descriptor[] = [];
  for (const d of m.json.manifests as unknown[]) {
    const x = d as Descriptor;
    if (!x || typeof x.digest !== 'string') throw new RegistryError('garbage', 'an index entry without a digest');
    // Attestation manifests (BuildKit's provenance) sit in the index as platform unknown/unknown.
    if (x.platform?.os === 'unknown' || !x.platform?.os || !x.platform.architecture) continue;
    out.push(x);
  }
  return out;
}

function platformOf(d: Descriptor['platform'] | { os?: unknown; architecture?: unknown; variant?: unknown }): string {
  return formatPlatform({ os: String(d?.os ?? ''), architecture: String(d?.architecture ?? ''), ...(d?.variant ? { variant: String(d.variant) } : {}) });
}

/** The index entry a build for `target` pulls: the same os/arch/variant, else the same os/arch. */
function pick(entries: Descriptor[], target: DaemonPlatform): Descriptor | undefined {
  const t = normalizePlatform(target);
  const norm = entries.map((e) => ({ e, p: normalizePlatform({ os: e.platform!.os!, architecture: e.platform!.architecture!, ...(e.platform!.variant ? { variant: e.platform!.variant } : {}) }) }));
  const same = norm.filter(({ p }) => p.os === t.os && p.architecture === t.architecture);
  return (same.find(({ p }) => p.variant === t.variant) ?? same[0])?.e;
}

function measure(m: FetchedManifest): { compressedSize: number; layers: number; config: Descriptor } {
  const layers = m.json.layers;
  const config = m.json.config as Descriptor | undefined;
  if (!Array.isArray(layers) || !config || typeof config.digest !== 'string' || typeof config.size !== 'number') throw new RegistryError('garbage', `manifest ${m.digest}: no layers or config`);
  let size = config.size;
  for (const l of layers as Descriptor[]) {
    if (typeof l?.size !== 'number' || l.size < 0) throw new RegistryError('garbage', `manifest ${m.digest}: a layer without a size`);
    size += l.size;
  }
  return { compressedSize: size, layers: layers.length, config };
}

async function pool<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}

/** Manifests by digest never change: kept for the life of the client's cache owner. */
export type ManifestCache = Map<string, Promise<FetchedManifest>>;

class Reader {
  constructor(
    readonly client: RegistryClient,
    readonly cache: ManifestCache,
  ) {}

  manifest(ref: ImageReference, reference: string): Promise<FetchedManifest> {
    if (!reference.startsWith('sha256:')) return this.client.manifest(ref, reference);
    const key = `${ref.registry}/${ref.repository}@${reference}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.client.manifest(ref, reference);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
      if (this.cache.size > 2000) this.cache.delete(this.cache.keys().next().value as string);
    }
    return p;
  }

  async platformInfo(ref: ImageReference, d: Descriptor): Promise<PlatformInfo> {
    const m = await this.manifest(ref, d.digest);
    return { platform: platformOf(d.platform), digest: m.digest, ...pickSize(measure(m)) };
  }

  /** The size for the target platform of a tag (undefined when the tag lacks that platform). */
  async sizeFor(ref: ImageReference, tag: string, target: DaemonPlatform): Promise<{ digest: string; compressedSize: number } | undefined> {
    const top = await this.manifest(ref, tag);
    const entries = descriptors(top);
    if (!entries) {
      const m = measure(top);
      const config = await this.client.blobJson(ref, m.config.digest);
      const p = parsePlatformValue(platformOf(config as Descriptor['platform']));
      if (!p || formatPlatform(p) !== formatPlatform(target)) return undefined;
      return { digest: top.digest, compressedSize: m.compressedSize };
    }
    const d = pick(entries, target);
    if (!d) return undefined;
    const m = await this.manifest(ref, d.digest);
    return { digest: top.digest, compressedSize: measure(m).compressedSize };
  }
}

function pickSize(m: { compressedSize: number; layers: number }): { compressedSize: number; layers: number } {
  return { compressedSize: m.compressedSize, layers: m.layers };
}

export async function imageInfo(client: RegistryClient, ref: ImageReference, o: ImageInfoOptions = {}, cache: ManifestCache = new Map()): Promise<ImageInfo> {
  const reader = new Reader(client, cache);
  const target = o.platform ?? machinePlatform();
  const targetPlatform = formatPlatform(target);
  // With both a tag and a digest the tag is asked: what it points to now is the question.
  const top = await reader.manifest(ref, ref.tag ?? ref.digest!);
  const entries = descriptors(top);
  let platforms: PlatformInfo[];
  let targetInfo: PlatformInfo | undefined;
  if (entries) {
    const chosen = pick(entries, target);
    const wanted = o.allPlatforms === false ? (chosen ? [chosen] : []) : entries;
    platforms = await pool(wanted, 4, (d) => reader.platformInfo(ref, d));
    targetInfo = chosen ? platforms.find((p) => p.digest === chosen.digest) : undefined;
  } else {
    const m = measure(top);
    const config = await client.blobJson(ref, m.config.digest);
    const platform = platformOf(config as Descriptor['platform']);
    platforms = [{ platform, digest: top.digest, compressedSize: m.compressedSize, layers: m.layers }];
    const p = parsePlatformValue(platform);
    targetInfo = p && normalizePlatform(p).os === normalizePlatform(target).os && normalizePlatform(p).architecture === normalizePlatform(target).architecture ? platforms[0] : undefined;
  }
  const tagPlatforms = entries ? entries.map((d) => platformOf(d.platform)) : platforms.map((p) => p.platform);
  const info: ImageInfo = { reference: familiarName(ref), digest: top.digest, platforms, tagPlatforms, targetPlatform, ...(targetInfo ? { target: targetInfo } : {}), newerTags: [], variants: [] };
  if (o.candidates === false || !ref.tag) return info;
  const tags = await client.tags(ref);
  const measureTags = (list: string[]): Promise<TagSize[]> =>
    pool(list, 4, async (tag) => {
      const s = await reader.sizeFor(ref, tag, target).catch((e: unknown) => {
        if (e instanceof RegistryError && e.kind === 'not-found') return undefined;
        throw e;
      });
      const why = mayChangeBehaviour(ref.tag!, tag);
      return { tag, ...(s ? { compressedSize: s.compressedSize, digest: s.digest } : {}), ...(why ? { mayChangeBehaviour: why } : {}) };
    });
  info.newerTags = await measureTags(newerTags(ref.tag, tags).slice(0, o.maxNewer ?? 3));
  const own = targetInfo?.compressedSize;
  // Short suffixes first: `-slim` and `-alpine` before `-slim-bookworm` and `-alpine3.20`.
  const candidates = variantTags(ref.tag, tags).sort((a, b) => a.length - b.length);
  const variants = await measureTags(candidates.slice(0, o.maxVariants ?? 8));
  info.variants = variants
    .filter((v) => v.compressedSize !== undefined && (own === undefined || v.compressedSize < own))
    .sort((a, b) => a.compressedSize! - b.compressedSize!);
  return info;
}
