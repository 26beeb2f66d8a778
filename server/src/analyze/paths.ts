/**
 * Every path an export's layer tars name, interned once as a tree of segments held in typed
 * arrays: about 30 bytes per path (plus its last segment's bytes) instead of a string and an
 * object per path and per layer, so that an image of a million small files fits in a small heap.
 * A path is its id; ids grow in creation order, so a parent always has a smaller id than its
 * children. Segments are resolved lexically as they are read: `.`, empty segments and a leading
 * `/` are dropped and `..` goes up, never above the root (the root of the image is id 0).
 */

/** More paths than this and the export is refused: memory must stay bounded whatever the image. */
export const MAX_PATHS = 10_000_000;

export class PathLimitError extends Error {}

const utf8 = new TextDecoder();

export class PathTable {
  parent = new Int32Array(1024);
  firstChild = new Int32Array(1024);
  nextSibling = new Int32Array(1024);
  private nameStart = new Int32Array(1024);
  private names = new Uint8Array(64 << 10);
  private namesFill = 0;
  /** Open addressing on (parent, name): id + 1, 0 for a free slot. */
  private slots = new Int32Array(2048);
  private scratch = Buffer.allocUnsafe(4096);
  size = 1;

  constructor(private readonly maxPaths = MAX_PATHS) {
    this.parent[0] = -1;
    this.firstChild.fill(-1);
    this.nextSibling.fill(-1);
  }

  /** The id of a path (created with its parents when new). */
  intern(path: string): number {
    if (path.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(path.length * 3);
    const b = this.scratch;
    const n = b.write(path, 0, 'utf8');
    let id = 0;
    let start = 0;
    for (let i = 0; i <= n; i++) {
      if (i < n && b[i] !== 0x2f) continue;
      const len = i - start;
      if (len === 0 || (len === 1 && b[start] === 0x2e)) {
        // empty or `.`
      } else if (len === 2 && b[start] === 0x2e && b[start + 1] === 0x2e) {
        if (id !== 0) id = this.parent[id]!;
      } else id = this.child(id, b, start, i);
      start = i + 1;
    }
    return id;
  }

  /** The child `name` of `parent` (created when new). */
  childNamed(parent: number, name: string): number {
    const n = Buffer.byteLength(name);
    if (n > this.scratch.length) this.scratch = Buffer.allocUnsafe(n);
    this.scratch.write(name, 0, 'utf8');
    return this.child(parent, this.scratch, 0, n);
  }

  /** Names are appended in id order: a name ends where the next one starts. */
  private nameLength(id: number): number {
    return (id + 1 < this.size ? this.nameStart[id + 1]! : this.namesFill) - this.nameStart[id]!;
  }

  /** The last segment. */
  name(id: number): string {
    const s = this.nameStart[id]!;
    return utf8.decode(this.names.subarray(s, s + this.nameLength(id)));
  }

  /** True when the last segment starts with `prefix` (ASCII). */
  nameStartsWith(id: number, prefix: string): boolean {
    const len = this.nameLength(id);
    if (len < prefix.length) return false;
    const s = this.nameStart[id]!;
    for (let i = 0; i < prefix.length; i++) if (this.names[s + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }

  /** The whole path, without a leading `/` ('' for the root). */
  path(id: number): string {
    const parts: string[] = [];
    for (let p = id; p > 0; p = this.parent[p]!) parts.push(this.name(p));
    return parts.reverse().join('/');
  }

  /** The id of a path when it was ever named, else -1. */
  find(path: string): number {
    let id = 0;
    for (const seg of path.split('/')) {
      if (!seg) continue;
      const n = Buffer.from(seg);
      id = this.lookup(id, n, 0, n.length);
      if (id < 0) return -1;
    }
    return id;
  }

  private hash(parent: number, b: Uint8Array, start: number, end: number): number {
    let h = Math.imul(parent, 0x9e3779b1) ^ 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return h >>> 0;
  }

  private same(id: number, parent: number, b: Uint8Array, start: number, end: number): boolean {
    if (this.parent[id] !== parent || this.nameLength(id) !== end - start) return false;
    const s = this.nameStart[id]!;
    for (let i = start; i < end; i++) if (this.names[s + i - start] !== b[i]) return false;
    return true;
  }

  private lookup(parent: number, b: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    for (let slot = this.hash(parent, b, start, end) & mask; ; slot = (slot + 1) & mask) {
      const v = this.slots[slot]!;
      if (v === 0) return -1;
      if (this.same(v - 1, parent, b, start, end)) return v - 1;
    }
  }

  private child(parent: number, b: Uint8Array, start: number, end: number): number {
    const mask = this.slots.length - 1;
    let slot = this.hash(parent, b, start, end) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const v = this.slots[slot]!;
      if (v === 0) break;
      if (this.same(v - 1, parent, b, start, end)) return v - 1;
    }
    if (this.size >= this.maxPaths) throw new PathLimitError(`the image names more than ${this.maxPaths.toLocaleString('en-US')} paths; Analyze Image stops there to keep its memory bounded`);
    const id = this.size++;
    if (id >= this.parent.length) this.grow();
    const len = end - start;
    if (this.namesFill + len > this.names.length) {
      const more = new Uint8Array(Math.max(Math.ceil(this.names.length * 1.5), this.namesFill + len));
      more.set(this.names.subarray(0, this.namesFill));
      this.names = more;
    }
    this.names.set(b.subarray(start, end), this.namesFill);
    this.nameStart[id] = this.namesFill;
    this.namesFill += len;
    this.parent[id] = parent;
    this.nextSibling[id] = this.firstChild[parent]!;
    this.firstChild[parent] = id;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.slots[slot] = id + 1;
    return id;
  }

  private grow(): void {
    const n = Math.ceil(this.parent.length * 1.5);
    const widen = (a: Int32Array, fill?: number): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(n);
      if (fill !== undefined) b.fill(fill, a.length);
      b.set(a);
      return b;
    };
    this.parent = widen(this.parent);
    this.firstChild = widen(this.firstChild, -1);
    this.nextSibling = widen(this.nextSibling, -1);
    this.nameStart = widen(this.nameStart);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 1; id < this.size; id++) {
      const s = this.nameStart[id]!;
      let slot = this.hash(this.parent[id]!, this.names, s, s + this.nameLength(id)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}
