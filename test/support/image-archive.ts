import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';

/**
 * Image exports made in memory, the way `docker save` / `GET /images/{name}/get` writes them:
 * docker-archive (old style `<id>/layer.tar` with symlinked duplicate layers, Docker 25+ style
 * `blobs/sha256/<hex>` named by manifest.json) and OCI layout (`index.json`, nested indexes,
 * several manifests). Layers plain, gzip (zlib) or zstd (the `zstd` command).
 */

export interface Entry {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  /** Bytes of a file (zeros unless `content`). */
  size?: number;
  content?: Buffer | string;
  linkname?: string;
}

export type Compression = 'none' | 'gzip' | 'zstd';

export interface HistorySpec {
  created_by: string;
  empty_layer?: boolean;
  comment?: string;
}

export interface ImageSpec {
  /** Filesystem layers, oldest first. */
  layers: Entry[][];
  /** Defaults to one `RUN layer N` entry per layer. */
  history?: HistorySpec[];
  compression?: Compression | Compression[];
  /** Extra config fields (e.g. architecture). */
  config?: Record<string, unknown>;
}

export const dir = (path: string): Entry => ({ path, type: 'directory' });
export const file = (path: string, size: number): Entry => ({ path, size });
export const whiteout = (path: string): Entry => {
  const slash = path.lastIndexOf('/');
  return { path: `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, size: 0 };
};
export const opaque = (dirPath: string): Entry => ({ path: `${dirPath}/.wh..wh..opq`, size: 0 });
export const symlink = (path: string, linkname: string): Entry => ({ path, type: 'symlink', linkname });

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

async function packAll(entries: { header: tar.Header | (Partial<tar.Header> & { name: string }); body?: Buffer }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ mtime: new Date(0), mode: e.header.type === 'directory' ? 0o755 : 0o644, ...e.header }, e.body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A layer tar (uncompressed), entries in the order given. */
export function layerTar(entries: Entry[]): Promise<Buffer> {
  return packAll(
    entries.map((e) => {
      const type = e.type ?? 'file';
      const body = type === 'file' ? (e.content !== undefined ? Buffer.from(e.content) : Buffer.alloc(e.size ?? 0)) : undefined;
      return { header: { name: e.path, type, size: body?.length ?? 0, linkname: e.linkname ?? '' }, body };
    }),
  );
}

export function compress(data: Buffer, how: Compression): Buffer {
  if (how === 'gzip') return zlib.gzipSync(data);
  if (how === 'zstd') {
    const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr.toString()}`);
    return r.stdout;
  }
  return data;
}

interface BuiltLayer {
  tar: Buffer;
  blob: Buffer;
  diffId: string;
  digest: string;
  mediaType: string;
}

async function buildLayers(spec: ImageSpec): Promise<BuiltLayer[]> {
  const out: BuiltLayer[] = [];
  for (let i = 0; i < spec.layers.length; i++) {
    const how = Array.isArray(spec.compression) ? spec.compression[i] ?? 'none' : spec.compression ?? 'none';
    const t = await layerTar(spec.layers[i]!);
    const blob = compress(t, how);
    const mediaType = `application/vnd.oci.image.layer.v1.tar${how === 'gzip' ? '+gzip' : how === 'zstd' ? '+zstd' : ''}`;
    out.push({ tar: t, blob, diffId: `sha256:${sha256(t)}`, digest: `sha256:${sha256(blob)}`, mediaType });
  }
  return out;
}

function configOf(spec: ImageSpec, layers: BuiltLayer[]): Buffer {
  const history = spec.history ?? spec.layers.map((_, i) => ({ created_by: `RUN layer ${i}` }));
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: history.map((h) => ({ created: '2024-01-02T03:04:05Z', ...h })),
      ...spec.config,
    }),
  );
}

export interface ArchiveOptions {
  tags?: string[];
  /** Blobs before the manifest (as `docker save` writes them) or after. */
  order?: 'blobs-first' | 'manifest-first';
}

type File = { name: string; body?: Buffer; type?: 'symlink' | 'link'; linkname?: string };

function ordered(blobs: File[], meta: File[], order: ArchiveOptions['order']): File[] {
  return order === 'manifest-first' ? [...meta, ...blobs] : [...blobs, ...meta];
}

function archive(files: File[]): Promise<Buffer> {
  const dirs = new Set<string>();
  const entries: { header: Partial<tar.Header> & { name: string }; body?: Buffer }[] = [];
  for (const f of files) {
    const parts = f.name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ header: { name: `${d}/`, type: 'directory' } });
      }
    }
    if (f.type) entries.push({ header: { name: f.name, type: f.type, linkname: f.linkname ?? '', size: 0 } });
    else entries.push({ header: { name: f.name, type: 'file', size: f.body!.length }, body: f.body! });
  }
  return packAll(entries);
}

/**
 * docker-archive, old style (Docker before 25): `<id>/layer.tar` per layer, `<config hex>.json`,
 * manifest.json, repositories. A layer identical to an earlier one is a symlink (or, with
 * `duplicates: 'hardlink'`, a hard link) to the first one's layer.tar, as `docker save` dedupes.
 */
export async function legacyArchive(spec: ImageSpec, options: ArchiveOptions & { duplicates?: 'symlink' | 'hardlink' } = {}): Promise<Buffer> {
  const layers = await buildLayers({ ...spec, compression: 'none' });
  const config = configOf(spec, layers);
  const configHex = sha256(config);
  const blobs: File[] = [];
  const paths: string[] = [];
  const firstByDiff = new Map<string, string>();
  let parent = '';
  for (const l of layers) {
    const id = sha256(`${parent}\n${l.diffId}`);
    parent = id;
    const p = `${id}/layer.tar`;
    paths.push(p);
    blobs.push({ name: `${id}/VERSION`, body: Buffer.from('1.0') });
    blobs.push({ name: `${id}/json`, body: Buffer.from(JSON.stringify({ id, parent: parent || undefined })) });
    const first = firstByDiff.get(l.diffId);
    if (first) blobs.push(options.duplicates === 'hardlink' ? { name: p, type: 'link', linkname: first } : { name: p, type: 'symlink', linkname: `../${first}` });
    else {
      firstByDiff.set(l.diffId, p);
      blobs.push({ name: p, body: l.tar });
    }
  }
  blobs.push({ name: `${configHex}.json`, body: config });
  const tags = options.tags ?? ['test/image:latest'];
  const meta: File[] = [{ name: 'manifest.json', body: Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: tags, Layers: paths }])) }];
  meta.push({ name: 'repositories', body: Buffer.from(JSON.stringify({})) });
  return archive(ordered(blobs, meta, options.order));
}

/** docker-archive as Docker 25+ writes it: OCI blobs named by manifest.json, plus index.json and oci-layout. */
export async function blobsArchive(spec: ImageSpec, options: ArchiveOptions = {}): Promise<Buffer> {
  const layers = await buildLayers({ ...spec, compression: 'none' });
  const config = configOf(spec, layers);
  const configDigest = `sha256:${sha256(config)}`;
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha256(l.tar)}`, size: l.tar.length })) }));
  const blobs: File[] = [
    ...layers.map((l) => ({ name: `blobs/sha256/${sha256(l.tar)}`, body: l.tar })),
    { name: `blobs/sha256/${configDigest.slice(7)}`, body: config },
    { name: `blobs/sha256/${sha256(manifest)}`, body: manifest },
  ];
  const tags = options.tags ?? ['test/image:latest'];
  const meta: File[] = [
    { name: 'oci-layout', body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', body: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha256(manifest)}`, size: manifest.length, annotations: { 'io.containerd.image.name': tags[0] } }] })) },
    { name: 'manifest.json', body: Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${configDigest.slice(7)}`, RepoTags: tags, Layers: layers.map((l) => `blobs/sha256/${sha256(l.tar)}`) }])) },
  ];
  return archive(ordered(blobs, meta, options.order));
}

export interface OciImage {
  spec: ImageSpec;
  name?: string;
  platform?: { os: string; architecture: string };
  /** Leave the layer blobs out of the archive (a platform that was not pulled). */
  withoutBlobs?: boolean;
}

/**
 * OCI layout (what the containerd image store exports): oci-layout, index.json and blobs. With
 * `nested`, index.json points to an image index that lists the manifests (a multi-platform image).
 */
export async function ociArchive(images: OciImage[], options: ArchiveOptions & { nested?: boolean } = {}): Promise<Buffer> {
  const blobs: File[] = [];
  const descriptors: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const addBlob = (body: Buffer): string => {
    const hex = sha256(body);
    if (!seen.has(hex)) {
      seen.add(hex);
      blobs.push({ name: `blobs/sha256/${hex}`, body });
    }
    return `sha256:${hex}`;
  };
  for (const img of images) {
    const layers = await buildLayers(img.spec);
    const config = configOf(img.spec, layers);
    for (const l of layers) if (!img.withoutBlobs) addBlob(l.blob);
    const configDigest = addBlob(config);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })) }));
    const digest = addBlob(manifest);
    descriptors.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: manifest.length,
      ...(img.platform ? { platform: img.platform } : {}),
      ...(img.name && !options.nested ? { annotations: { 'io.containerd.image.name': img.name, 'org.opencontainers.image.ref.name': img.name.replace(/^.*:/, '') } } : {}),
    });
  }
  let top = descriptors;
  if (options.nested) {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descriptors }));
    const name = images.find((i) => i.name)?.name;
    top = [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: addBlob(index), size: index.length, ...(name ? { annotations: { 'io.containerd.image.name': name } } : {}) }];
  }
  const meta: File[] = [
    { name: 'oci-layout', body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: top })) },
  ];
  return archive(ordered(blobs, meta, options.order));
}

/** A stream of `data` in chunks of `chunkSize` bytes (small chunks split every header). */
export function streamOf(data: Buffer, chunkSize = 64 * 1024): Readable {
  let off = 0;
  return new Readable({
    read() {
      if (off >= data.length) {
        this.push(null);
        return;
      }
      this.push(data.subarray(off, off + chunkSize));
      off += chunkSize;
    },
  });
}
