import type { ArchiveContents } from './archive';
import type { LayerFiles } from './layer-tar';

/**
 * Which image of an export to analyze and its layers in history order: docker-archive
 * (`manifest.json`, old style `<id>/layer.tar` or Docker 25+ `blobs/sha256/<hex>`) or OCI layout
 * (`index.json`, possibly nested indexes, several manifests).
 */

export interface HistoryItem {
  createdBy: string;
  /** Seconds since the epoch (0 when unknown). */
  created: number;
  comment: string;
  empty: boolean;
  /** For a non-empty entry: its layer. */
  layer?: ResolvedLayer;
}

export interface ResolvedLayer {
  path: string;
  diffId: string | undefined;
  files: LayerFiles;
  archiveSize: number;
}

export interface ResolvedImage {
  format: 'docker-archive' | 'oci-layout';
  /** The config digest (`sha256:…`). */
  id: string;
  history: HistoryItem[];
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

interface ImageConfig {
  rootfs?: { diff_ids?: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDescriptor = (v: unknown): v is Descriptor => isObject(v);

/** `repo:tag` in its fully qualified form (`docker.io/library/repo:latest`), for comparing names. */
export function qualifyRef(ref: string): string {
  let r = ref.trim();
  const at = r.indexOf('@');
  const digest = at >= 0 ? r.slice(at) : '';
  if (at >= 0) r = r.slice(0, at);
  const slash = r.lastIndexOf('/');
  if (!digest && r.indexOf(':', slash + 1) < 0) r += ':latest';
  const first = r.split('/')[0]!;
  if (!r.includes('/') || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) r = r.includes('/') ? `docker.io/${r}` : `docker.io/library/${r}`;
  return r + digest;
}

function sameImage(image: string, name: string | undefined): boolean {
  if (!name) return false;
  return name === image || qualifyRef(name) === qualifyRef(image);
}

function digestPath(digest: string | undefined): string | undefined {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest ?? '');
  return m ? `blobs/${m[1]}/${m[2]}` : undefined;
}

function digestOf(archivePath: string): string {
  const blob = /^blobs\/([^/]+)\/([^/]+)$/.exec(archivePath);
  if (blob) return `${blob[1]}:${blob[2]}`;
  const legacy = /^([a-f0-9]{64})\.json$/.exec(archivePath);
  return legacy ? `sha256:${legacy[1]}` : archivePath;
}

export class LayoutError extends Error {}

class Resolver {
  constructor(
    private readonly c: ArchiveContents,
    private readonly image: string,
  ) {}

  resolve(p: string): string {
    let out = p;
    for (let i = 0; i < 16 && this.c.links.has(out); i++) out = this.c.links.get(out)!;
    return out;
  }

  json(p: string | undefined): unknown {
    return p === undefined ? undefined : this.c.json.get(this.resolve(p));
  }

  present(p: string | undefined): boolean {
    if (p === undefined) return false;
    const r = this.resolve(p);
    return this.c.layers.has(r) || this.c.json.has(r) || this.c.failed.has(r) || this.c.sizes.has(r);
  }

  layer(p: string, index: number): ResolvedLayer['files'] {
    const r = this.resolve(p);
    const files = this.c.layers.get(r);
    if (files) return files;
    const why = this.c.failed.get(r);
    if (why) throw new LayoutError(`Layer ${index + 1} (${p}) could not be read: ${why}`);
    if (this.c.sizes.has(r)) throw new LayoutError(`Layer ${index + 1} (${p}) is not a tar archive (plain, gzip or zstd)`);
    throw new LayoutError(`Layer ${index + 1} (${p}) is missing from the export: the export is incomplete`);
  }

  build(format: ResolvedImage['format'], configPath: string, layerPaths: string[]): ResolvedImage {
    const config = this.json(configPath);
    if (!isObject(config)) throw new LayoutError(`The image configuration ${configPath} is missing from the export: the export is incomplete`);
    const cfg = config as ImageConfig;
    const diffIds = Array.isArray(cfg.rootfs?.diff_ids) ? cfg.rootfs.diff_ids : [];
    const layers: ResolvedLayer[] = layerPaths.map((p, i) => ({
      path: p,
      diffId: diffIds[i],
      files: this.layer(p, i),
      archiveSize: this.c.sizes.get(this.resolve(p)) ?? 0,
    }));
    const history: HistoryItem[] = [];
    let next = 0;
    for (const h of Array.isArray(cfg.history) ? cfg.history : []) {
      const item: HistoryItem = {
        createdBy: typeof h.created_by === 'string' ? h.created_by : '',
        created: h.created ? Math.floor(Date.parse(h.created) / 1000) || 0 : 0,
        comment: typeof h.comment === 'string' ? h.comment : '',
        empty: h.empty_layer === true || next >= layers.length,
      };
      if (!item.empty) item.layer = layers[next++];
      history.push(item);
    }
    // A config without (enough) history: the remaining layers still count.
    while (next < layers.length) history.push({ createdBy: '', created: 0, comment: '', empty: false, layer: layers[next++] });
    return { format, id: digestOf(this.resolve(configPath)), history };
  }

  dockerArchive(manifest: unknown[]): ResolvedImage {
    const entries = manifest.filter(isObject) as { Config?: unknown; RepoTags?: unknown; Layers?: unknown }[];
    const tagged = entries.find((e) => Array.isArray(e.RepoTags) && e.RepoTags.some((t) => typeof t === 'string' && sameImage(this.image, t)));
    const byId = entries.find((e) => typeof e.Config === 'string' && this.image.replace(/^sha256:/, '').length >= 12 && digestOf(e.Config).replace(/^sha256:/, '').startsWith(this.image.replace(/^sha256:/, '')));
    const entry = tagged ?? byId ?? entries[0];
    if (!entry || typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw new LayoutError('manifest.json names no image');
    return this.build('docker-archive', entry.Config, entry.Layers.filter((l): l is string => typeof l === 'string').map((l) => l.replace(/^\.\//, '')));
  }

  oci(index: unknown): ResolvedImage {
    const candidates: { manifest: Descriptor; names: string[] }[] = [];
    const walk = (idx: unknown, names: string[], depth: number): void => {
      if (!isObject(idx) || !Array.isArray(idx.manifests) || depth > 4) return;
      for (const d of idx.manifests as unknown[]) {
        if (!isDescriptor(d)) continue;
        const here = [...names, d.annotations?.['io.containerd.image.name'], d.annotations?.['org.opencontainers.image.ref.name']].filter((n): n is string => !!n);
        const doc = this.json(digestPath(d.digest));
        const isIndex = /image\.index|manifest\.list/.test(d.mediaType ?? '') || (isObject(doc) && Array.isArray(doc.manifests));
        if (isIndex) walk(doc, here, depth + 1);
        else if (d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && d.platform?.os !== 'unknown') candidates.push({ manifest: d, names: here });
      }
    };
    walk(index, [], 0);
    if (!candidates.length) throw new LayoutError('index.json names no image manifest');
    const tag = /:([\w][\w.-]*)$/.exec(this.image.replace(/@.*$/, ''))?.[1] ?? 'latest';
    const named = candidates.find((c) => c.names.some((n) => sameImage(this.image, n) || (!n.includes('/') && !n.includes(':') && n === tag)));
    const complete = candidates.filter((c) => {
      const m = this.json(digestPath(c.manifest.digest));
      if (!isObject(m) || !isObject(m.config) || !Array.isArray(m.layers)) return false;
      const paths = [digestPath((m.config as Descriptor).digest), ...(m.layers as Descriptor[]).map((l) => digestPath(l.digest))];
      return paths.every((p) => this.present(p));
    });
    const amd64 = (c: { manifest: Descriptor }): boolean => c.manifest.platform?.os === 'linux' && c.manifest.platform.architecture === 'amd64';
    const chosen = named ?? complete.find(amd64) ?? complete[0] ?? candidates.find(amd64) ?? candidates[0]!;
    const mpath = digestPath(chosen.manifest.digest);
    const m = this.json(mpath);
    if (!isObject(m) || !isObject(m.config) || !Array.isArray(m.layers)) throw new LayoutError(`The image manifest ${chosen.manifest.digest ?? ''} is missing from the export: the export is incomplete`);
    const configPath = digestPath((m.config as Descriptor).digest);
    if (!configPath) throw new LayoutError('The image manifest names no configuration');
    const layerPaths = (m.layers as Descriptor[]).map((l, i) => {
      const p = digestPath(l.digest);
      if (!p) throw new LayoutError(`Layer ${i + 1} of the manifest has no digest`);
      return p;
    });
    return this.build('oci-layout', configPath, layerPaths);
  }
}

/** The image to analyze in an export. Throws a LayoutError with a message fit for the user. */
export function resolveImage(contents: ArchiveContents, image: string): ResolvedImage {
  const r = new Resolver(contents, image);
  const manifest = contents.json.get('manifest.json');
  if (Array.isArray(manifest) && manifest.length) {
    try {
      return r.dockerArchive(manifest);
    } catch (e) {
      // Docker 25+ writes both; the OCI index may still describe the image.
      if (!contents.json.has('index.json')) throw e;
    }
  }
  const index = contents.json.get('index.json');
  if (index !== undefined) return r.oci(index);
  if (contents.bytesRead === 0) throw new LayoutError('The image export is empty');
  throw new LayoutError(`Not an image export: neither manifest.json nor index.json is in the ${contents.bytesRead} bytes read`);
}
