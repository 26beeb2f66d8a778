import type { ChangeKind, EntryType, SizeEntry, TreeNode, WasteEntry } from './types';
import { DIR, FILE, HARDLINK, type LayerFiles, OPAQUE, OTHER, SYMLINK, WHITEOUT } from './layer-tar';
import { PathTable } from './paths';

/**
 * Stacks the layers of an image in history order: what each layer adds, modifies and removes,
 * which file versions a later layer supersedes (waste, each superseded copy once), dive's
 * efficiency score, and what survives.
 */

export interface PairWaste {
  writer: number;
  superseder: number;
  bytes: number;
  removedBytes: number;
  /** Superseded bytes under a path a leftover rule knows, by rule id. */
  byRule: Map<string, number>;
}

export interface StackLayer {
  /** History index. */
  index: number;
  files: LayerFiles;
}

export interface LayerResult {
  added: number;
  modified: number;
  removed: number;
  wastedBytes: number;
  tree: TreeNode;
}

export interface Leftover {
  layer: number;
  ruleId: string;
  what: string;
  dir: string;
  bytes: number;
}

export interface StackResult {
  layers: Map<number, LayerResult>;
  waste: WasteEntry[];
  pairs: PairWaste[];
  efficiency: number;
  userEfficiency: number;
  largestFiles: SizeEntry[];
  largestDirectories: SizeEntry[];
  leftovers: Leftover[];
}

/** Leftovers a Layerwise rule prevents: a path prefix, and what it is called in a finding. */
export const LEFTOVER_RULES: readonly { prefix: string; test?: (path: string) => boolean; ruleId: string; what: string }[] = [
  { prefix: 'var/lib/apt/lists/', ruleId: 'apt-lists-not-removed', what: 'apt package lists' },
  { prefix: 'var/cache/apt/archives/', test: (p) => p.endsWith('.deb'), ruleId: 'apt-lists-not-removed', what: 'downloaded .deb packages' },
  { prefix: 'root/.npm/_cacache/', ruleId: 'npm-cache-left', what: 'npm cache' },
  { prefix: 'usr/local/share/.cache/yarn/', ruleId: 'yarn-cache-left', what: 'yarn cache' },
  { prefix: 'root/.cache/yarn/', ruleId: 'yarn-cache-left', what: 'yarn cache' },
  { prefix: 'root/.cache/pip/', ruleId: 'pip-no-cache-dir', what: 'pip cache' },
  { prefix: 'var/cache/apk/', ruleId: 'apk-no-cache', what: 'apk cache' },
  { prefix: 'var/cache/dnf/', ruleId: 'dnf-clean-missing', what: 'dnf cache' },
  { prefix: 'var/cache/yum/', ruleId: 'yum-clean-missing', what: 'yum cache' },
];

export function leftoverRule(path: string): (typeof LEFTOVER_RULES)[number] | undefined {
  // Cheap first test: every prefix starts with var/, root/ or usr/.
  const c = path.charCodeAt(0);
  if (c !== 0x76 && c !== 0x72 && c !== 0x75) return undefined;
  for (const r of LEFTOVER_RULES) if (path.startsWith(r.prefix) && (!r.test || r.test(path))) return r;
  return undefined;
}

const TYPE_NAMES: Record<number, EntryType> = { [FILE]: 'file', [DIR]: 'dir', [SYMLINK]: 'symlink', [HARDLINK]: 'hardlink', [OTHER]: 'other' };
const WASTE_CAP = 200;
const TOP = 20;
const ADDED = 0;
const MODIFIED = 1;
const REMOVED = 2;
const KIND_NAMES: ChangeKind[] = ['added', 'modified', 'removed'];

/** A growable list of ints. */
class IntList {
  items = new Int32Array(256);
  length = 0;
  push(v: number): void {
    if (this.length === this.items.length) {
      const more = new Int32Array(this.items.length * 2);
      more.set(this.items);
      this.items = more;
    }
    this.items[this.length++] = v;
  }
}

/**
 * The k entries with the largest value, ties broken by the smaller path (the only strings made
 * are those of ties at the threshold), largest first.
 */
function topByValue(ids: () => Iterable<number>, value: (id: number) => number, pathOf: (id: number) => string, k: number): { id: number; path: string }[] {
  let count = 0;
  for (const _ of ids()) count++;
  if (!count || k <= 0) return [];
  const values = new Float64Array(count);
  let i = 0;
  for (const id of ids()) values[i++] = value(id);
  const threshold = values.sort()[Math.max(0, count - k)]!;
  const above: { id: number; path: string }[] = [];
  let ties: { id: number; path: string }[] = [];
  for (const id of ids()) {
    const v = value(id);
    if (v > threshold) above.push({ id, path: pathOf(id) });
    else if (v === threshold) {
      ties.push({ id, path: pathOf(id) });
      // Keep the tie list bounded: only the smallest paths can make it.
      if (ties.length >= 4 * k) ties = ties.sort((a, b) => (a.path < b.path ? -1 : 1)).slice(0, k);
    }
  }
  return [...above, ...ties].sort((a, b) => value(b.id) - value(a.id) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, k);
}

const NONE = 0xffffffff;
const BIG = 0xfffffffe;

/** A size per path, -1 for none: 4 bytes each, the rare size of 4 GiB or more kept aside. */
class Minimums {
  private readonly small: Uint32Array;
  private readonly big = new Map<number, number>();
  constructor(n: number) {
    this.small = new Uint32Array(n).fill(NONE);
  }
  get(id: number): number {
    const v = this.small[id]!;
    return v === NONE ? -1 : v === BIG ? this.big.get(id)! : v;
  }
  set(id: number, size: number): void {
    if (size >= BIG) {
      this.small[id] = BIG;
      this.big.set(id, size);
    } else {
      if (this.small[id] === BIG) this.big.delete(id);
      this.small[id] = size;
    }
  }
}

/** The `k`-th largest of the values (k ≥ 1), with a heap of k: no copy of all of them. */
function kthLargest(count: number, value: (i: number) => number, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  const down = (): void => {
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && heap[l]! < heap[m]!) m = l;
      if (r < size && heap[r]! < heap[m]!) m = r;
      if (m === i) return;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
  };
  for (let i = 0; i < count; i++) {
    const v = value(i);
    if (size < k) {
      let j = size++;
      heap[j] = v;
      while (j > 0 && heap[(j - 1) >> 1]! > heap[j]!) {
        const p = (j - 1) >> 1;
        const t = heap[p]!;
        heap[p] = heap[j]!;
        heap[j] = t;
        j = p;
      }
    } else if (v > heap[0]!) {
      heap[0] = v;
      down();
    }
  }
  return heap[0]!;
}

/**
 * The state of every path of the export in typed arrays indexed by its PathTable id (about 50
 * bytes a path): the million-file image must fit in a small heap.
 */
export class Stack {
  private readonly table: PathTable;
  private readonly n: number;
  private readonly present: Uint8Array;
  private readonly type: Uint8Array;
  /** Bytes of the current version (regular files only). */
  private readonly size: Float64Array;
  /** History index of the layer that wrote the current version (created the directory). */
  private readonly layerOf: Int32Array;
  /** dive's efficiency: the smallest version of this path; the sums are kept only in total. */
  private readonly min: Minimums;
  /** The same over versions that layers above the base wrote, removed or superseded. */
  private readonly userMinOf: Minimums;
  /** The layer that last changed this path, how, and the bytes a removal removed (only read while that layer is applied). */
  private readonly changeLayer: Int32Array;
  private readonly changeKind: Uint8Array;
  /** Made on the first removal. */
  private changeSize: Float64Array | undefined;
  /** Per path, made on the first waste: superseded bytes, by which layer, removed or overwritten, and by whom written. */
  private wasteBytes: Float64Array | undefined;
  private wasteBy: Int32Array | undefined;
  private wasteRemoved: Uint8Array | undefined;
  private wasteWriter: Int32Array | undefined;
  /** Writers of superseded copies after the first (rare: the same path superseded again after another layer wrote it). */
  private readonly wasteMoreWriters = new Map<number, number[]>();
  /** Leftover rule (index + 1 in LEFTOVER_RULES) of the nearest directory that a rule names, 0 for none. */
  private readonly dirRule: Uint8Array;
  private readonly pairs = new Map<number, PairWaste>();
  private readonly results = new Map<number, LayerResult>();
  private readonly wasted = new Map<number, number>();
  private totalMin = 0;
  private totalSum = 0;
  private userMin = 0;
  private userSum = 0;
  /** The paths the layer being applied changes, in order. */
  private changed = new IntList();
  private layer = 0;
  private user = false;
  private draftPos: Int32Array | undefined;
  private draftSize: Float64Array | undefined;

  constructor(
    /** History entries that belong to the base image: layers below this index are the base's. */
    private readonly baseLayers: number,
    private readonly treeNodeLimit = 2000,
    /** The PathTable of the export's layers (all of them share one). */
    table?: PathTable,
  ) {
    this.table = table ?? new PathTable();
    const n = (this.n = this.table.size);
    this.present = new Uint8Array(n);
    this.type = new Uint8Array(n);
    this.size = new Float64Array(n);
    this.layerOf = new Int32Array(n);
    this.min = new Minimums(n);
    this.userMinOf = new Minimums(n);
    this.changeLayer = new Int32Array(n).fill(-1);
    this.changeKind = new Uint8Array(n);
    this.dirRule = new Uint8Array(n);
    const ruleAt = new Map<number, number>();
    LEFTOVER_RULES.forEach((r, i) => {
      const id = this.table.find(r.prefix);
      if (id > 0 && !ruleAt.has(id)) ruleAt.set(id, i + 1);
    });
    if (ruleAt.size) for (let id = 1; id < n; id++) this.dirRule[id] = ruleAt.get(id) ?? this.dirRule[this.table.parent[id]!]!;
    this.present[0] = 1;
    this.type[0] = DIR;
    this.layerOf[0] = -1;
  }

  /** The leftover rule a file at `id` falls under. */
  private ruleOf(id: number): (typeof LEFTOVER_RULES)[number] | undefined {
    const r = this.dirRule[this.table.parent[id]!]!;
    if (!r) return undefined;
    const rule = LEFTOVER_RULES[r - 1]!;
    return !rule.test || rule.test(this.table.path(id)) ? rule : undefined;
  }

  apply(l: StackLayer): void {
    this.layer = l.index;
    this.user = l.index >= this.baseLayers;
    this.changed = new IntList();
    const { ids, kinds, sizes, length } = l.files;
    const parent = this.table.parent;
    // Whiteouts and opaque directories hide what the layers below have; this layer's own entries stay.
    for (let i = 0; i < length; i++) {
      const k = kinds[i]!;
      if (k === WHITEOUT) this.whiteout(ids[i]!);
      else if (k === OPAQUE) this.opaque(ids[i]!);
    }
    for (let i = 0; i < length; i++) {
      const k = kinds[i]!;
      if (k === WHITEOUT || k === OPAQUE) continue;
      const id = ids[i]!;
      if (id >= this.n) continue;
      const dir = parent[id]!;
      if (!(this.present[dir] && this.type[dir] === DIR)) this.ensureDir(dir);
      this.write(id, k, sizes[i]!);
    }
    let added = 0;
    let modified = 0;
    let removed = 0;
    const changed = this.changed;
    for (let i = 0; i < changed.length; i++) {
      const kind = this.changeKind[changed.items[i]!];
      if (kind === ADDED) added++;
      else if (kind === MODIFIED) modified++;
      else removed++;
    }
    this.results.set(l.index, { added, modified, removed, wastedBytes: 0, tree: this.tree() });
    this.changed = new IntList();
  }

  private change(id: number, kind: number, size = 0): void {
    if (this.changeLayer[id] === this.layer) {
      // Removed and written again by the same layer: replaced.
      if (this.changeKind[id] === REMOVED && kind !== REMOVED) kind = MODIFIED;
    } else {
      this.changeLayer[id] = this.layer;
      this.changed.push(id);
    }
    this.changeKind[id] = kind;
    if (kind === REMOVED) (this.changeSize ??= new Float64Array(this.n))[id] = size;
  }

  /** Makes `dir` and every directory above it present (iteratively: paths may be deep). */
  private ensureDir(dir: number): void {
    const chain: number[] = [];
    for (let d = dir; d > 0 && !(this.present[d] && this.type[d] === DIR); d = this.table.parent[d]!) chain.push(d);
    for (let i = chain.length - 1; i >= 0; i--) {
      const d = chain[i]!;
      if (this.present[d]) this.supersede(d, true); // a file where a directory now is
      this.present[d] = 1;
      this.type[d] = DIR;
      this.size[d] = 0;
      this.layerOf[d] = this.layer;
    }
  }

  private write(id: number, type: number, size: number): void {
    if (this.present[id]) {
      if (type === DIR && this.type[id] === DIR) {
        // Re-states a directory: no change, unless this layer made it for an entry listed before it.
        if (this.layerOf[id] === this.layer && this.changeLayer[id] !== this.layer) this.change(id, ADDED);
        return;
      }
      if (this.type[id] === DIR) this.removeChildren(id);
      else this.supersede(id, type !== FILE);
      this.change(id, MODIFIED);
    } else this.change(id, ADDED);
    this.present[id] = 1;
    this.type[id] = type;
    this.size[id] = type === FILE ? size : 0;
    this.layerOf[id] = this.layer;
    if (type === FILE) this.addVersion(id, size);
  }

  private whiteout(id: number): void {
    if (id >= this.n || !this.present[id]) return;
    this.change(id, REMOVED, this.remove(id));
  }

  private opaque(id: number): void {
    if (id >= this.n || !this.present[id] || this.type[id] !== DIR) return;
    for (let c = this.table.firstChild[id]!; c >= 0; c = this.table.nextSibling[c]!) {
      if (this.present[c]) this.change(c, REMOVED, this.remove(c));
    }
  }

  /** Removes a present path and everything under it; returns the bytes removed. */
  private remove(id: number): number {
    if (this.type[id] !== DIR) {
      const bytes = this.size[id]!;
      this.supersede(id, true);
      this.present[id] = 0;
      return bytes;
    }
    const bytes = this.removeChildren(id);
    this.present[id] = 0;
    return bytes;
  }

  /** Removes everything present under `dir` (iteratively: paths may be deep). */
  private removeChildren(dir: number): number {
    let bytes = 0;
    const todo: number[] = [dir];
    const { firstChild, nextSibling } = this.table;
    while (todo.length) {
      const d = todo.pop()!;
      for (let c = firstChild[d]!; c >= 0; c = nextSibling[c]!) {
        if (!this.present[c]) continue;
        if (this.type[c] === DIR) todo.push(c);
        else {
          bytes += this.size[c]!;
          this.supersede(c, true);
        }
        this.present[c] = 0;
      }
    }
    return bytes;
  }

  /**
   * The current version of a path is overwritten by a file, or removed (`removal`: deleted or
   * replaced by something that is not a file). Only regular files have versions that count.
   */
  private supersede(id: number, removal: boolean): void {
    if (this.type[id] !== FILE) return;
    const writer = this.layerOf[id]!;
    const bytes = this.size[id]!;
    // A user layer that supersedes a base file is charged for the base copy it leaves behind.
    if (this.user && writer < this.baseLayers) this.addUserVersion(id, bytes);
    if (removal) this.addVersion(id, 0);
    if (bytes <= 0) return;
    this.wasted.set(writer, (this.wasted.get(writer) ?? 0) + bytes);
    if (!this.wasteBytes) {
      this.wasteBytes = new Float64Array(this.n);
      this.wasteBy = new Int32Array(this.n).fill(-1);
      this.wasteRemoved = new Uint8Array(this.n);
      this.wasteWriter = new Int32Array(this.n);
    }
    if (this.wasteBy![id]! < 0) this.wasteWriter![id] = writer;
    else if (this.wasteWriter![id] !== writer) {
      const more = this.wasteMoreWriters.get(id);
      if (!more) this.wasteMoreWriters.set(id, [writer]);
      else if (!more.includes(writer)) more.push(writer);
    }
    this.wasteBytes[id] += bytes;
    this.wasteBy![id] = this.layer;
    this.wasteRemoved![id] = removal ? 1 : 0;
    const key = writer * 65536 + this.layer;
    let pair = this.pairs.get(key);
    if (!pair) this.pairs.set(key, (pair = { writer, superseder: this.layer, bytes: 0, removedBytes: 0, byRule: new Map() }));
    pair.bytes += bytes;
    if (removal) pair.removedBytes += bytes;
    const rule = this.ruleOf(id);
    if (rule) pair.byRule.set(rule.ruleId, (pair.byRule.get(rule.ruleId) ?? 0) + bytes);
  }

  private addVersion(id: number, size: number): void {
    const min = this.min.get(id);
    if (min < 0 || size < min) {
      this.totalMin += size - Math.max(0, min);
      this.min.set(id, size);
    }
    this.totalSum += size;
    if (this.user) this.addUserVersion(id, size);
  }

  private addUserVersion(id: number, size: number): void {
    const min = this.userMinOf.get(id);
    if (min < 0 || size < min) {
      this.userMin += size - Math.max(0, min);
      this.userMinOf.set(id, size);
    }
    this.userSum += size;
  }

  /** This layer's changes as a tree, at most `treeNodeLimit` nodes: the biggest kept, the rest counted. */
  private tree(): TreeNode {
    const n = this.n;
    const pos = (this.draftPos ??= new Int32Array(n));
    const dsize = (this.draftSize ??= new Float64Array(n));
    const parent = this.table.parent;
    // Drafted paths in order, parents before children; the root is not in the list. A path is
    // drafted when its position points back at it (no clearing between layers).
    const list = new IntList();
    const drafted = (p: number): boolean => p === 0 || (pos[p]! < list.length && list.items[pos[p]!] === p);
    dsize[0] = 0;
    const chain: number[] = [];
    const draft = (id: number): void => {
      chain.length = 0;
      for (let p = id; !drafted(p); p = parent[p]!) chain.push(p);
      for (let i = chain.length - 1; i >= 0; i--) {
        const p = chain[i]!;
        pos[p] = list.length;
        dsize[p] = 0;
        list.push(p);
      }
    };
    const changed = this.changed;
    for (let i = 0; i < changed.length; i++) {
      const id = changed.items[i]!;
      draft(id);
      if (this.changeKind[id] === REMOVED) dsize[id] = this.changeSize![id]!;
      else if (this.type[id] === FILE) dsize[id] = this.size[id]!;
    }
    // Parents are drafted before their children: in reverse, every size is complete before it is added up.
    for (let i = list.length - 1; i >= 0; i--) {
      const id = list.items[i]!;
      dsize[parent[id]!] += dsize[id]!;
    }
    const count = list.length;
    const keep = new Uint8Array(count);
    const room = Math.max(0, this.treeNodeLimit - 1);
    if (count + 1 > this.treeNodeLimit) {
      // The biggest first; a parent is never smaller than its child, and ties go to the shallower
      // (then to the one drafted first): parents come first.
      const sizes = { at: (i: number): number => dsize[list.items[i]!]! };
      const threshold = room > 0 ? kthLargest(count, sizes.at, room) : Infinity;
      let left = room;
      for (let i = 0; i < count; i++) {
        if (sizes.at(i) > threshold) {
          keep[i] = 1;
          left--;
        }
      }
      // Depths only when there are ties (parents are listed before their children).
      let depths: Int32Array | undefined;
      const depthOf = (i: number): number => {
        if (!depths) {
          depths = new Int32Array(count);
          for (let j = 0; j < count; j++) {
            const up = parent[list.items[j]!]!;
            depths[j] = up === 0 ? 1 : depths[pos[up]!]! + 1;
          }
        }
        return depths[i]!;
      };
      if (left > 0) {
        // The shallowest ties first, in list order within a depth: find the last depth taken.
        const tiesAtDepth = new Map<number, number>();
        for (let i = 0; i < count; i++) if (sizes.at(i) === threshold) tiesAtDepth.set(depthOf(i), (tiesAtDepth.get(depthOf(i)) ?? 0) + 1);
        let lastDepth = 0;
        let atLast = 0;
        let taken = 0;
        for (const d of [...tiesAtDepth.keys()].sort((a, b) => a - b)) {
          const c = tiesAtDepth.get(d)!;
          lastDepth = d;
          atLast = Math.min(c, left - taken);
          taken += atLast;
          if (taken >= left) break;
        }
        for (let i = 0; i < count; i++) {
          if (sizes.at(i) !== threshold) continue;
          const d = depthOf(i);
          if (d < lastDepth || (d === lastDepth && atLast-- > 0)) keep[i] = 1;
        }
      }
    } else keep.fill(1);
    const kept = (id: number): boolean => id === 0 || keep[pos[id]!] === 1;
    const kids = new Map<number, number[]>();
    const omitted = new Map<number, { count: number; size: number }>();
    for (let i = 0; i < count; i++) {
      const id = list.items[i]!;
      const up = parent[id]!;
      if (!kept(up)) continue;
      if (keep[i]) {
        const k = kids.get(up);
        if (k) k.push(id);
        else kids.set(up, [id]);
      } else {
        const o = omitted.get(up);
        if (o) {
          o.count++;
          o.size += dsize[id]!;
        } else omitted.set(up, { count: 1, size: dsize[id]! });
      }
    }
    // At most treeNodeLimit nodes, so at most that deep.
    const build = (id: number): TreeNode => {
      const changedHere = id !== 0 && this.changeLayer[id] === this.layer;
      const out: TreeNode = { name: id === 0 ? '' : this.table.name(id), type: changedHere ? TYPE_NAMES[this.type[id]!] ?? 'other' : 'dir', size: dsize[id]! };
      if (changedHere) out.change = KIND_NAMES[this.changeKind[id]!]!;
      const k = kids.get(id);
      if (k) out.children = k.map(build).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const o = omitted.get(id);
      if (o) out.omitted = o;
      return out;
    };
    return build(0);
  }

  finish(): StackResult {
    for (const [index, bytes] of this.wasted) {
      const r = this.results.get(index);
      if (r) r.wastedBytes = bytes;
    }
    const n = this.n;
    const parent = this.table.parent;
    // Present, and so is every directory above it (ids grow from parents to children).
    const alive = new Uint8Array(n);
    alive[0] = 1;
    for (let id = 1; id < n; id++) alive[id] = this.present[id]! & alive[parent[id]!]!;
    const dirBytes = new Float64Array(n);
    const leftovers = new Map<string, Leftover>();
    for (let id = n - 1; id > 0; id--) {
      if (!alive[id]) continue;
      if (this.type[id] === FILE) {
        const size = this.size[id]!;
        dirBytes[parent[id]!] += size;
        const layer = this.layerOf[id]!;
        if (layer >= this.baseLayers && size > 0) {
          const rule = this.ruleOf(id);
          if (rule) {
            const key = `${layer}\0${rule.ruleId}\0${rule.what}`;
            let l = leftovers.get(key);
            if (!l) leftovers.set(key, (l = { layer, ruleId: rule.ruleId, what: rule.what, dir: rule.prefix.replace(/\/$/, ''), bytes: 0 }));
            l.bytes += size;
          }
        }
      } else if (this.type[id] === DIR) dirBytes[parent[id]!] += dirBytes[id]!;
    }
    const type = this.type;
    const files = function* (): Generator<number> {
      for (let id = 1; id < n; id++) if (alive[id] && type[id] === FILE) yield id;
    };
    const dirs = function* (): Generator<number> {
      for (let id = 1; id < n; id++) if (alive[id] && type[id] === DIR && dirBytes[id]! > 0) yield id;
    };
    const path = (id: number): string => this.table.path(id);
    const wasteBytes = this.wasteBytes;
    const wasteIds = function* (): Generator<number> {
      if (wasteBytes) for (let id = 1; id < n; id++) if (wasteBytes[id]! > 0) yield id;
    };
    return {
      layers: this.results,
      waste: topByValue(wasteIds, (id) => wasteBytes![id]!, path, WASTE_CAP).map(({ id, path: p }) => ({
        path: p,
        wastedBytes: wasteBytes![id]!,
        writtenBy: [this.wasteWriter![id]!, ...(this.wasteMoreWriters.get(id) ?? [])],
        supersededBy: this.wasteBy![id]!,
        removed: this.wasteRemoved![id] === 1,
      })),
      pairs: [...this.pairs.values()],
      efficiency: this.totalSum === 0 ? 1 : this.totalMin / this.totalSum,
      userEfficiency: this.userSum === 0 ? 1 : this.userMin / this.userSum,
      largestFiles: topByValue(files, (id) => this.size[id]!, path, TOP).map(({ id, path: p }) => ({ path: p, size: this.size[id]!, layer: this.layerOf[id]! })),
      largestDirectories: topByValue(dirs, (id) => dirBytes[id]!, path, TOP).map(({ id, path: p }) => ({ path: p, size: dirBytes[id]!, layer: this.layerOf[id]! })),
      leftovers: [...leftovers.values()],
    };
  }
}
