import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { compress, type Compression } from './image-archive';

/**
 * Image exports that a user does not control, written as streams so that none of them is ever
 * held in memory or on disk: layer tars with path traversal, absolute names, link loops, links to
 * missing files, whiteouts of missing paths, a header claiming a 1 TB (sparse) file, 1,000,000 small
 * files; and exports that are truncated or carry corrupted gzip or zstd layers. The outer archive
 * is a docker-archive (`manifest.json`, as `docker save` of Engine 20.10 writes it) made with
 * tar-stream; the layer tars are written header by header here, because tar-stream refuses the
 * headers a hostile image carries (GNU sparse, sizes that lie).
 */

export type HostileEntry =
  | { name: string; type: 'file'; size: number; /** Bytes really written (defaults to size): fewer makes the header lie. */ written?: number }
  | { name: string; type: 'dir' }
  | { name: string; type: 'symlink' | 'link'; linkname: string }
  /** An old GNU sparse file ('S'): `data` bytes stored, `realSize` claimed in the header. */
  | { name: string; type: 'sparse'; data: number; realSize: number };

/** A layer: its entries, produced again for each pass (the million-file layer is never stored). */
export interface HostileLayer {
  entries: () => Iterable<HostileEntry>;
  compression?: Compression;
  /** Flip bytes in the middle of the compressed blob. */
  corrupt?: boolean;
}

export interface HostileImage {
  layers: HostileLayer[];
  tag: string;
}

const BLOCK = 512;

function octal(buf: Buffer, value: number, off: number, width: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, off, width, 'latin1');
}

function writeSize(buf: Buffer, size: number, off: number): void {
  if (size < 8 ** 11) return octal(buf, size, off, 12);
  // GNU base-256, as Go's archive/tar writes sizes of 8 GiB and more.
  buf[off] = 0x80;
  let n = size;
  for (let i = 11; i > 0; i--) {
    buf[off + i] = n % 256;
    n = Math.floor(n / 256);
  }
}

/** Writes one header block at `off` of `b` (zeroed first). */
function headerAt(b: Buffer, off: number, name: string, typeflag: string, size: number, linkname = '', extra?: (b: Buffer, off: number) => void): void {
  b.fill(0, off, off + BLOCK);
  b.write(name, off, 100, 'utf8');
  b.write(typeflag === '5' ? '0000755\0' : '0000644\0', off + 100, 8, 'latin1');
  b.write('0000000\0', off + 108, 8, 'latin1');
  b.write('0000000\0', off + 116, 8, 'latin1');
  writeSize(b, size, off + 124);
  b.write('00000000000\0', off + 136, 12, 'latin1');
  b.write(typeflag, off + 156, 1, 'latin1');
  if (linkname) b.write(linkname, off + 157, 100, 'utf8');
  b.write('ustar\u000000', off + 257, 8, 'latin1');
  extra?.(b, off);
  b.fill(0x20, off + 148, off + 156);
  let sum = 0;
  for (let i = off; i < off + BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, off + 148, 8, 'latin1');
}

function paxRecord(name: string): Buffer {
  const body = ` path=${name}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

const padding = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;
const CHUNK = 64 << 10;

/** The bytes of one layer tar, in chunks of 256 KiB written in place (the million-file layer is made twice). */
export function* layerChunks(entries: Iterable<HostileEntry>): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(CHUNK);
  let fill = 0;
  /** Room for `n` more bytes, yielding the filled chunk first when needed. */
  const room = function* (n: number): Generator<Buffer> {
    if (fill + n <= buf.length) return;
    if (fill) yield buf.subarray(0, fill);
    buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    fill = 0;
  };
  const block = function* (name: string, typeflag: string, size: number, linkname?: string, extra?: (b: Buffer, off: number) => void): Generator<Buffer> {
    yield* room(BLOCK);
    headerAt(buf, fill, name, typeflag, size, linkname, extra);
    fill += BLOCK;
  };
  const body = function* (n: number, byte: number): Generator<Buffer> {
    let left = n;
    while (left > 0) {
      yield* room(Math.min(left, CHUNK));
      const k = Math.min(left, buf.length - fill);
      buf.fill(byte, fill, fill + k);
      fill += k;
      left -= k;
    }
  };
  for (const e of entries) {
    if (Buffer.byteLength(e.name) > 100) {
      const record = paxRecord(e.name);
      yield* block('PaxHeader', 'x', record.length);
      yield* room(record.length + padding(record.length));
      record.copy(buf, fill);
      buf.fill(0, fill + record.length, fill + record.length + padding(record.length));
      fill += record.length + padding(record.length);
    }
    const name = e.name.slice(0, 100);
    if (e.type === 'dir') yield* block(name, '5', 0);
    else if (e.type === 'symlink' || e.type === 'link') yield* block(name, e.type === 'symlink' ? '2' : '1', 0, e.linkname);
    else if (e.type === 'sparse') {
      // One sparse region at the very end: offset realSize - data, `data` bytes stored.
      yield* block(name, 'S', e.data, '', (b, off) => {
        writeSize(b, e.realSize - e.data, off + 386);
        writeSize(b, e.data, off + 398);
        writeSize(b, e.realSize, off + 483);
      });
      yield* body(e.data + padding(e.data), 0x61);
    } else {
      const f = e as Extract<HostileEntry, { type: 'file' }>;
      yield* block(name, '0', f.size);
      const written = f.written ?? f.size;
      yield* body(written === f.size ? written + padding(written) : written, 0x78);
    }
  }
  yield* body(0, 0);
  yield* room(2 * BLOCK);
  buf.fill(0, fill, fill + 2 * BLOCK);
  fill += 2 * BLOCK;
  yield buf.subarray(0, fill);
}

interface Blob {
  name: string;
  size: number;
  diffId: string;
  chunks: () => Iterable<Buffer>;
}

function blobOf(layer: HostileLayer, i: number): Blob {
  const hash = createHash('sha256');
  let size = 0;
  const how = layer.compression ?? 'none';
  if (how === 'none' && !layer.corrupt) {
    // Two passes (the digest and size first): the layer is produced twice, never stored.
    for (const c of layerChunks(layer.entries())) {
      hash.update(c);
      size += c.length;
    }
    return { name: `layers/${i}/layer.tar`, size, diffId: `sha256:${hash.digest('hex')}`, chunks: () => layerChunks(layer.entries()) };
  }
  const plain = Buffer.concat([...layerChunks(layer.entries())]);
  const blob = Buffer.from(compress(plain, how));
  if (layer.corrupt) for (let k = Math.floor(blob.length / 2); k < Math.floor(blob.length / 2) + 16 && k < blob.length - 8; k++) blob[k] = blob[k]! ^ 0x5a;
  return { name: `layers/${i}/layer.tar`, size: blob.length, diffId: `sha256:${createHash('sha256').update(plain).digest('hex')}`, chunks: () => [blob] };
}

/** A docker-archive of the image, as a stream: layers first, then the config and manifest.json. */
export function hostileExport(image: HostileImage): Readable {
  const pack = tar.pack();
  const write = async (): Promise<void> => {
    const blobs = image.layers.map(blobOf);
    for (const b of blobs) {
      const sink = pack.entry({ name: b.name, size: b.size, mtime: new Date(0) });
      for (const c of b.chunks()) if (!sink.write(c)) await once(sink, 'drain');
      (sink as unknown as NodeJS.WritableStream).end();
      await once(sink, 'finish');
    }
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: blobs.map((b) => b.diffId) },
      history: blobs.map((_, i) => ({ created: '2024-01-02T03:04:05Z', created_by: `RUN hostile layer ${i}` })),
    });
    const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
    pack.entry({ name: configName, mtime: new Date(0) }, config);
    pack.entry({ name: 'manifest.json', mtime: new Date(0) }, JSON.stringify([{ Config: configName, RepoTags: [image.tag], Layers: blobs.map((b) => b.name) }]));
    pack.finalize();
  };
  write().catch((e: unknown) => pack.destroy(e as Error));
  return pack as unknown as Readable;
}

/** The stream cut after `bytes` bytes (a daemon or proxy that stops in the middle). */
export function truncated(stream: Readable, bytes: number): Readable {
  return Readable.from(
    (async function* () {
      let seen = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const rest = bytes - seen;
        seen += chunk.length;
        yield rest >= chunk.length ? chunk : chunk.subarray(0, rest);
        if (seen >= bytes) break;
      }
      stream.destroy();
    })(),
    { objectMode: false },
  );
}

/** `count` small files (1 to 64 bytes) in directories of 1,000: the million-file image. */
export function manySmallFiles(count: number): HostileLayer {
  return {
    entries: function* () {
      yield { name: 'data/', type: 'dir' };
      for (let i = 0; i < count; i++) {
        if (i % 1000 === 0) yield { name: `data/d${i / 1000}/`, type: 'dir' };
        yield { name: `data/d${Math.floor(i / 1000)}/f${i}`, type: 'file', size: (i % 64) + 1 };
      }
    },
  };
}

/** The sum of the sizes manySmallFiles(count) writes. */
export function manySmallFilesBytes(count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) n += (i % 64) + 1;
  return n;
}

export const layerOf = (entries: HostileEntry[], more: Omit<HostileLayer, 'entries'> = {}): HostileLayer => ({ entries: () => entries, ...more });

/**
 * `POST /images/load` of the stream into a daemon: ok, or the daemon's own error (an HTTP error,
 * or an error message in the JSON progress stream).
 */
export function loadIntoDaemon(host: string, body: Readable): Promise<{ ok: true } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: host.replace(/^unix:\/\//, ''), path: '/images/load?quiet=1', method: 'POST', headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve({ ok: false, error: `HTTP ${res.statusCode}: ${text.trim()}` });
        const error = text
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            try {
              return (JSON.parse(l) as { error?: string }).error;
            } catch {
              return undefined;
            }
          })
          .find((e) => e);
        resolve(error ? { ok: false, error } : { ok: true });
      });
    });
    req.on('error', (e) => resolve({ ok: false, error: e.message }));
    body.on('error', (e) => req.destroy(e));
    body.pipe(req);
  });
}
