/**
 * The entries of one layer tar, read as it streams by. Synchronous and allocation-light on
 * purpose: file bodies are skipped by counting (no stream per entry), and the decompressors can
 * hand over any amount of output without it being buffered, so memory stays proportional to the
 * number of entries however large or compressible the files are.
 */
import { PathTable } from './paths';

export const FILE = 0;
export const DIR = 1;
export const SYMLINK = 2;
export const HARDLINK = 3;
export const OTHER = 4;
/** `dir/.wh.name`: removes `dir/name` from the layers below (recorded under `dir/name`). */
export const WHITEOUT = 5;
/** `dir/.wh..wh..opq`: hides everything the layers below have under `dir` (recorded under `dir`). */
export const OPAQUE = 6;

/** One layer's entries as parallel typed arrays: a path id (PathTable), a kind and a size each (13 bytes). */
export class LayerFiles {
  ids = new Int32Array(64);
  kinds = new Uint8Array(64);
  sizes = new Float64Array(64);
  length = 0;
  /** Bytes of regular files. */
  fileBytes = 0;
  /** Bytes of symlink targets: the daemon's layer size (a `du` of the layer's files) counts them. */
  linkBytes = 0;

  /** Paths are interned in `table`, shared by every layer of an export. */
  constructor(readonly table: PathTable = new PathTable()) {}

  push(id: number, kind: number, size: number): void {
    if (this.length === this.ids.length) {
      const n = Math.ceil(this.length * 1.5);
      const ids = new Int32Array(n);
      ids.set(this.ids);
      const kinds = new Uint8Array(n);
      kinds.set(this.kinds);
      const sizes = new Float64Array(n);
      sizes.set(this.sizes);
      this.ids = ids;
      this.kinds = kinds;
      this.sizes = sizes;
    }
    this.ids[this.length] = id;
    this.kinds[this.length] = kind;
    this.sizes[this.length] = size;
    this.length++;
  }

  /** Drops the entries (their counts stay): the stack has applied them. */
  release(): void {
    this.ids = new Int32Array(0);
    this.kinds = new Uint8Array(0);
    this.sizes = new Float64Array(0);
    this.length = 0;
  }

  /** The entries' paths as strings (for tests and messages; the stack works on ids). */
  get paths(): string[] {
    return Array.from(this.ids.subarray(0, this.length), (id) => this.table.path(id));
  }
}

const MAX_LONG_HEADER = 1 << 20;
const BLOCK = 512;

/** Strips `./`, leading and trailing `/` (and `//`); the root itself becomes ''. */
export function normalizePath(name: string): string {
  let p = name;
  if (p.includes('//')) p = p.replace(/\/{2,}/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('/')) p = p.replace(/^\/+/, '');
  if (p.endsWith('/')) p = p.replace(/\/+$/, '');
  if (p === '.') return '';
  return p;
}

function parseOctal(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x30)) i++;
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

/** An octal field, or GNU base-256 (sizes of 8 GiB and more). */
function parseNumber(buf: Buffer, start: number, end: number): number {
  if (buf[start]! & 0x80) {
    if (buf[start] !== 0x80) throw new Error('a negative size in a tar header');
    let n = 0;
    for (let i = start + 1; i < end; i++) n = n * 256 + buf[i]!;
    if (!Number.isSafeInteger(n)) throw new Error('a tar header claims a size beyond 8 PiB');
    return n;
  }
  return parseOctal(buf, start, end);
}

function parseSize(buf: Buffer, off: number): number {
  return parseNumber(buf, off + 124, off + 136);
}

function paxNumber(value: string, what: string): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new Error(`a tar extended header with an invalid ${what} (${value.slice(0, 40)})`);
  return n;
}

function cString(buf: Buffer, start: number, end: number): string {
  let e = start;
  while (e < end && buf[e] !== 0) e++;
  return buf.toString('utf8', start, e);
}

/** 0 for a zero block, 1 for a header whose checksum holds, -1 otherwise. */
function checkHeader(buf: Buffer, off: number): number {
  let sum = 0;
  for (let i = off; i < off + BLOCK; i++) sum += buf[i]!;
  if (sum === 0) return 0;
  let field = 0;
  for (let i = off + 148; i < off + 156; i++) field += buf[i]!;
  const expected = sum - field + 8 * 0x20;
  const stored = parseOctal(buf, off + 148, off + 156);
  return stored === expected ? 1 : -1;
}

/** Whether these bytes start like a tar: a header with a valid checksum, or an empty archive. */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length < BLOCK) return false;
  const c = checkHeader(head, 0);
  return c === 1 || (c === 0 && head.length >= 2 * BLOCK && checkHeader(head, BLOCK) === 0);
}

function parsePax(buf: Buffer, into: Record<string, string>): void {
  let off = 0;
  while (off < buf.length) {
    let sp = off;
    while (sp < buf.length && buf[sp] !== 0x20) sp++;
    const len = parseInt(buf.toString('latin1', off, sp), 10);
    if (!(len > 0) || off + len > buf.length) return;
    const record = buf.toString('utf8', sp + 1, off + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) into[record.slice(0, eq)] = record.slice(eq + 1);
    off += len;
  }
}

/** Feeds a layer tar chunk by chunk into a LayerFiles. Throws on bytes that are not a tar. */
export class TarScanner {
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Body and padding bytes still to skip. */
  private skip = 0;
  private long: { type: number; buf: Buffer; fill: number; padding: number } | undefined;
  private paxGlobal: Record<string, string> | undefined;
  private pax: Record<string, string> | undefined;
  private gnuPath: string | undefined;
  private gnuLink: string | undefined;
  private ended = false;
  private entries = 0;
  /** Set while the extension blocks of an old GNU sparse header are read: the data to skip after them. */
  private sparseBody: number | undefined;
  /** The last entry, for a message when its body never comes. */
  private last: { name: string; size: number } | undefined;

  constructor(readonly out: LayerFiles) {}

  write(chunk: Buffer): void {
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - off);
        this.skip -= k;
        off += k;
        continue;
      }
      if (this.ended) return; // padding after the end-of-archive blocks
      const long = this.long;
      if (long) {
        const k = Math.min(long.buf.length - long.fill, n - off);
        chunk.copy(long.buf, long.fill, off, off + k);
        long.fill += k;
        off += k;
        if (long.fill === long.buf.length) {
          this.long = undefined;
          this.skip = long.padding;
          this.onLongHeader(long.type, long.buf);
        }
        continue;
      }
      if (this.headerFill === 0 && n - off >= BLOCK) {
        this.onHeader(chunk, off);
        off += BLOCK;
        continue;
      }
      const k = Math.min(BLOCK - this.headerFill, n - off);
      chunk.copy(this.header, this.headerFill, off, off + k);
      this.headerFill += k;
      off += k;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.onHeader(this.header, 0);
      }
    }
  }

  /** The input is complete. A tar cut inside an entry throws; a missing end-of-archive block is tolerated. */
  end(): void {
    if (this.skip > 0 && this.last) throw new Error(`the layer tar ends inside an entry: its header claims ${this.last.size} bytes for ${this.last.name}, ${this.skip} of them (with padding) never came`);
    if (this.skip > 0 || this.headerFill > 0 || this.long || this.sparseBody !== undefined) throw new Error('the layer tar ends inside an entry');
  }

  private onHeader(buf: Buffer, off: number): void {
    if (this.sparseBody !== undefined) {
      // An old GNU sparse file's extension blocks (more of its map) come before its data.
      if (buf[off + 504] === 0) {
        this.skip = this.sparseBody;
        this.sparseBody = undefined;
      }
      return;
    }
    const check = checkHeader(buf, off);
    if (check === 0) {
      this.ended = true;
      return;
    }
    if (check < 0) throw new Error(this.entries ? `invalid tar header after ${this.entries} entries` : 'not a tar archive');
    this.entries++;
    const type = buf[off + 156]!;
    let size = parseSize(buf, off);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    // x: pax header, g: pax global header, L/K: GNU long name / long link name.
    if (type === 0x78 || type === 0x67 || type === 0x4c || type === 0x4b) {
      if (size > MAX_LONG_HEADER) throw new Error(`a tar extended header of ${size} bytes`);
      this.long = { type, buf: Buffer.allocUnsafe(size), fill: 0, padding };
      if (size === 0) {
        this.long = undefined;
        this.skip = padding;
      }
      return;
    }
    let name: string;
    if (this.pax?.['GNU.sparse.name'] !== undefined) name = this.pax['GNU.sparse.name'];
    else if (this.pax?.path !== undefined) name = this.pax.path;
    else if (this.gnuPath !== undefined) name = this.gnuPath;
    else {
      name = cString(buf, off, off + 100);
      // POSIX ustar ("ustar\0") keeps a path prefix; GNU ("ustar  ") uses those bytes for times.
      if (buf[off + 257] === 0x75 && buf[off + 262] === 0 && buf[off + 345] !== 0) name = `${cString(buf, off + 345, off + 500)}/${name}`;
    }
    if (this.pax?.size !== undefined) size = paxNumber(this.pax.size, 'size');
    // A sparse file (old GNU 'S', or pax GNU.sparse.*) stores fewer bytes than it holds.
    const realSize = this.pax?.['GNU.sparse.realsize'] ?? this.pax?.['GNU.sparse.size'];
    const sparseSize = realSize !== undefined ? paxNumber(realSize, 'sparse size') : type === 0x53 ? parseNumber(buf, off + 483, off + 495) : undefined;
    let linkname: string | undefined;
    if (type === 0x31 || type === 0x32) linkname = this.pax?.linkpath ?? this.gnuLink ?? cString(buf, off + 157, off + 257);
    this.pax = this.paxGlobal ? { ...this.paxGlobal } : undefined;
    this.gnuPath = undefined;
    this.gnuLink = undefined;
    this.skip = size + ((BLOCK - (size % BLOCK)) % BLOCK);
    this.last = size > 0 ? { name: name.slice(0, 200), size } : undefined;
    if (type === 0x53 && buf[off + 482] !== 0) {
      this.sparseBody = this.skip;
      this.skip = 0;
    }
    this.record(name, type, size, linkname, sparseSize);
  }

  private onLongHeader(type: number, buf: Buffer): void {
    if (type === 0x4c) this.gnuPath = cString(buf, 0, buf.length);
    else if (type === 0x4b) this.gnuLink = cString(buf, 0, buf.length);
    else if (type === 0x67) {
      this.paxGlobal ??= {};
      parsePax(buf, this.paxGlobal);
      this.pax = { ...this.paxGlobal, ...this.pax };
    } else {
      this.pax ??= {};
      parsePax(buf, this.pax);
    }
  }

  private record(name: string, type: number, size: number, linkname: string | undefined, sparseSize: number | undefined): void {
    const table = this.out.table;
    const id = table.intern(name);
    if (id === 0) return;
    // A cheap test first: almost no entry is a whiteout.
    if (table.nameStartsWith(id, '.wh.')) {
      const base = table.name(id).slice(4);
      const dir = table.parent[id]!;
      if (base === '.wh..opq') this.out.push(dir, OPAQUE, 0);
      else if (!base.startsWith('.wh.') && base && base !== '.' && base !== '..') this.out.push(table.childNamed(dir, base), WHITEOUT, 0);
      return; // other `.wh..wh.*` names are aufs bookkeeping
    }
    switch (type) {
      case 0x30: // '0'
      case 0: // old tars: '\0'
      case 0x37: // '7' contiguous file
      case 0x53: // 'S' old GNU sparse file
        // A sparse file counts the size it holds, as the daemon's history does, not the bytes stored.
        this.out.push(id, FILE, sparseSize ?? size);
        this.out.fileBytes += sparseSize ?? size;
        return;
      case 0x35:
        this.out.push(id, DIR, 0);
        return;
      case 0x32:
        this.out.push(id, SYMLINK, 0);
        this.out.linkBytes += Buffer.byteLength(linkname ?? '');
        return;
      case 0x31:
        this.out.push(id, HARDLINK, 0);
        return;
      default:
        this.out.push(id, OTHER, 0);
    }
  }
}
