import type { ChangeKind, EntryType, SizeEntry, TreeNode, WasteEntry } from './types';
import { DIR, FILE, HARDLINK, type LayerFiles, OPAQUE, OTHER, SYMLINK, WHITEOUT } from './layer-tar';

/**
 * Stacks the layers of an image in history order: what each layer adds, modifies and removes,
 * which file versions a later layer supersedes (waste, each superseded copy once), dive's
 * efficiency score, and what survives.
 */

interface Node {
  path: string;
  parent: Node | undefined;
  /** Every child this path ever had (removed ones are not present). */
  children: Node[] | undefined;
  present: boolean;
  type: number;
  /** Bytes of the current version (regular files only). */
  size: number;
  /** History index of the layer that wrote the current version (created the directory). */
  layer: number;
  /** dive's efficiency: the smallest version of this path (-1: none yet); the sums are kept only in total. */
  min: number;
  /** The same over versions that layers above the base wrote, removed or superseded. */
  userMin: number;
  /** The layer that last changed this path, and how (only read while that layer is applied). */
  changeLayer: number;
  changeKind: ChangeKind;
  /** Bytes a removal removed. */
  changeSize: number;
}

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

export class Stack {
  private readonly nodes = new Map<string, Node>();
  private readonly root: Node = this.newNode('', undefined, DIR, -1);
  private readonly waste = new Map<string, WasteEntry>();
  private readonly pairs = new Map<number, PairWaste>();
  private readonly results = new Map<number, LayerResult>();
  private readonly wasted = new Map<number, number>();
  private totalMin = 0;
  private totalSum = 0;
  private userMin = 0;
  private userSum = 0;
  /** The nodes the layer being applied changes, in order. */
  private changed: Node[] = [];
  private layer = 0;
  private user = false;

  constructor(
    /** History entries that belong to the base image: layers below this index are the base's. */
    private readonly baseLayers: number,
    private readonly treeNodeLimit = 2000,
  ) {
    this.root.present = true;
  }

  private newNode(path: string, parent: Node | undefined, type: number, layer: number): Node {
    const node: Node = {
      path,
      parent,
      children: undefined,
      present: false,
      type,
      size: 0,
      layer,
      min: -1,
      userMin: -1,
      changeLayer: -1,
      changeKind: 'added',
      changeSize: 0,
    };
    if (parent) (parent.children ??= []).push(node);
    if (path) this.nodes.set(path, node);
    return node;
  }

  apply(l: StackLayer): void {
    this.layer = l.index;
    this.user = l.index >= this.baseLayers;
    this.changed = [];
    const { paths, kinds, sizes } = l.files;
    // Whiteouts and opaque directories hide what the layers below have; this layer's own entries stay.
    for (let i = 0; i < paths.length; i++) {
      const k = kinds[i]!;
      if (k === WHITEOUT) this.whiteout(paths[i]!);
      else if (k === OPAQUE) this.opaque(paths[i]!);
    }
    let lastDir: string | undefined;
    for (let i = 0; i < paths.length; i++) {
      const k = kinds[i]!;
      if (k === WHITEOUT || k === OPAQUE) continue;
      const p = paths[i]!;
      const slash = p.lastIndexOf('/');
      const dir = slash < 0 ? '' : p.slice(0, slash);
      const cached = dir === lastDir ? this.nodes.get(dir) : undefined;
      const parent = cached?.present && cached.type === DIR ? cached : this.ensureDir(dir);
      lastDir = dir;
      this.write(p, parent, k, sizes[i]!);
    }
    let added = 0;
    let modified = 0;
    let removed = 0;
    for (const n of this.changed) {
      if (n.changeKind === 'added') added++;
      else if (n.changeKind === 'modified') modified++;
      else removed++;
    }
    this.results.set(l.index, { added, modified, removed, wastedBytes: 0, tree: this.tree() });
  }

  private change(node: Node, kind: ChangeKind, size = 0): void {
    if (node.changeLayer === this.layer) {
      // Removed and written again by the same layer: replaced.
      if (node.changeKind === 'removed' && kind !== 'removed') kind = 'modified';
    } else {
      node.changeLayer = this.layer;
      this.changed.push(node);
    }
    node.changeKind = kind;
    node.changeSize = size;
  }

  private ensureDir(dir: string): Node {
    if (!dir) return this.root;
    const existing = this.nodes.get(dir);
    if (existing && existing.present && existing.type === DIR) return existing;
    const slash = dir.lastIndexOf('/');
    const parent = this.ensureDir(slash < 0 ? '' : dir.slice(0, slash));
    const node = existing ?? this.newNode(dir, parent, DIR, this.layer);
    if (node.present) this.supersede(node, true); // a file where a directory now is
    node.present = true;
    node.type = DIR;
    node.size = 0;
    node.layer = this.layer;
    return node;
  }

  private write(path: string, parent: Node, type: number, size: number): void {
    let node = this.nodes.get(path);
    if (node?.present) {
      if (type === DIR && node.type === DIR) {
        // Re-states a directory: no change, unless this layer made it for an entry listed before it.
        if (node.layer === this.layer && node.changeLayer !== this.layer) this.change(node, 'added');
        return;
      }
      if (node.type === DIR) this.removeChildren(node);
      else this.supersede(node, type !== FILE);
      this.change(node, 'modified');
    } else {
      node ??= this.newNode(path, parent, type, this.layer);
      this.change(node, 'added');
    }
    node.present = true;
    node.type = type;
    node.size = type === FILE ? size : 0;
    node.layer = this.layer;
    if (type === FILE) this.addVersion(node, size);
  }

  private whiteout(path: string): void {
    const node = this.nodes.get(path);
    if (!node?.present) return;
    const bytes = this.remove(node);
    this.change(node, 'removed', bytes);
  }

  private opaque(path: string): void {
    const node = path ? this.nodes.get(path) : this.root;
    if (!node?.present || node.type !== DIR || !node.children) return;
    for (const child of node.children) {
      if (!child.present) continue;
      const bytes = this.remove(child);
      this.change(child, 'removed', bytes);
    }
  }

  /** Removes a present node and its subtree; returns the bytes removed. */
  private remove(node: Node): number {
    let bytes = 0;
    if (node.type === DIR) bytes = this.removeChildren(node);
    else {
      bytes = node.size;
      this.supersede(node, true);
    }
    node.present = false;
    return bytes;
  }

  private removeChildren(dir: Node): number {
    let bytes = 0;
    if (!dir.children) return 0;
    for (const child of dir.children) if (child.present) bytes += this.remove(child);
    return bytes;
  }

  /**
   * The current version of a node is overwritten by a file, or removed (`removal`: deleted or
   * replaced by something that is not a file). Only regular files have versions that count.
   */
  private supersede(node: Node, removal: boolean): void {
    if (node.type !== FILE) return;
    const writer = node.layer;
    const bytes = node.size;
    // A user layer that supersedes a base file is charged for the base copy it leaves behind.
    if (this.user && writer < this.baseLayers) this.addUserVersion(node, bytes);
    if (removal) this.addVersion(node, 0);
    if (bytes <= 0) return;
    this.wasted.set(writer, (this.wasted.get(writer) ?? 0) + bytes);
    let w = this.waste.get(node.path);
    if (!w) this.waste.set(node.path, (w = { path: node.path, wastedBytes: 0, writtenBy: [], supersededBy: this.layer, removed: removal }));
    w.wastedBytes += bytes;
    if (!w.writtenBy.includes(writer)) w.writtenBy.push(writer);
    w.supersededBy = this.layer;
    w.removed = removal;
    const key = writer * 65536 + this.layer;
    let pair = this.pairs.get(key);
    if (!pair) this.pairs.set(key, (pair = { writer, superseder: this.layer, bytes: 0, removedBytes: 0, byRule: new Map() }));
    pair.bytes += bytes;
    if (removal) pair.removedBytes += bytes;
    const rule = leftoverRule(node.path);
    if (rule) pair.byRule.set(rule.ruleId, (pair.byRule.get(rule.ruleId) ?? 0) + bytes);
  }

  private addVersion(node: Node, size: number): void {
    if (node.min < 0 || size < node.min) {
      this.totalMin += size - Math.max(0, node.min);
      node.min = size;
    }
    this.totalSum += size;
    if (this.user) this.addUserVersion(node, size);
  }

  private addUserVersion(node: Node, size: number): void {
    if (node.userMin < 0 || size < node.userMin) {
      this.userMin += size - Math.max(0, node.userMin);
      node.userMin = size;
    }
    this.userSum += size;
  }

  /** This layer's changes as a tree, at most `treeNodeLimit` nodes: the biggest kept, the rest counted. */
  private tree(): TreeNode {
    interface Draft {
      node: Node;
      size: number;
      depth: number;
      kids: Draft[] | undefined;
      keep: boolean;
    }
    const root: Draft = { node: this.root, size: 0, depth: 0, kids: undefined, keep: true };
    const drafts = new Map<Node, Draft>([[this.root, root]]);
    const all: Draft[] = [];
    const draftOf = (n: Node): Draft => {
      let d = drafts.get(n);
      if (!d) {
        const parent = draftOf(n.parent!);
        d = { node: n, size: 0, depth: parent.depth + 1, kids: undefined, keep: false };
        (parent.kids ??= []).push(d);
        drafts.set(n, d);
        all.push(d);
      }
      return d;
    };
    for (const n of this.changed) {
      const d = draftOf(n);
      if (n.changeKind === 'removed') d.size = n.changeSize;
      else if (n.type === FILE) d.size = n.size;
    }
    // Parents are drafted before their children: in reverse, every size is complete before it is added up.
    for (let i = all.length - 1; i >= 0; i--) {
      const d = all[i]!;
      drafts.get(d.node.parent!)!.size += d.size;
    }
    if (all.length + 1 > this.treeNodeLimit) {
      // A parent is never smaller than its child, and ties go to the shallower: parents come first.
      const order = [...all].sort((a, b) => b.size - a.size || a.depth - b.depth);
      for (let i = 0; i < Math.max(0, this.treeNodeLimit - 1); i++) order[i]!.keep = true;
    } else for (const d of all) d.keep = true;
    const build = (d: Draft): TreeNode => {
      const n = d.node;
      const changed = n.changeLayer === this.layer && n !== this.root;
      const out: TreeNode = { name: n.path.slice(n.path.lastIndexOf('/') + 1), type: changed ? TYPE_NAMES[n.type] ?? 'other' : 'dir', size: d.size };
      if (changed) out.change = n.changeKind;
      if (d.kids) {
        const children: TreeNode[] = [];
        let count = 0;
        let size = 0;
        for (const k of d.kids) {
          if (k.keep) children.push(build(k));
          else {
            count++;
            size += k.size;
          }
        }
        if (children.length) out.children = children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        if (count) out.omitted = { count, size };
      }
      return out;
    };
    return build(root);
  }

  finish(): StackResult {
    for (const [index, bytes] of this.wasted) {
      const r = this.results.get(index);
      if (r) r.wastedBytes = bytes;
    }
    const files: SizeEntry[] = [];
    const dirBytes = new Map<Node, number>();
    const leftovers = new Map<string, Leftover>();
    for (const node of this.nodes.values()) {
      if (!node.present || node.type !== FILE || !this.alive(node)) continue;
      files.push({ path: node.path, size: node.size, layer: node.layer });
      for (let p = node.parent; p && p !== this.root; p = p.parent) dirBytes.set(p, (dirBytes.get(p) ?? 0) + node.size);
      if (node.layer >= this.baseLayers && node.size > 0) {
        const rule = leftoverRule(node.path);
        if (rule) {
          const key = `${node.layer}\0${rule.ruleId}\0${rule.what}`;
          let l = leftovers.get(key);
          if (!l) leftovers.set(key, (l = { layer: node.layer, ruleId: rule.ruleId, what: rule.what, dir: rule.prefix.replace(/\/$/, ''), bytes: 0 }));
          l.bytes += node.size;
        }
      }
    }
    const bySize = (a: SizeEntry, b: SizeEntry): number => b.size - a.size || (a.path < b.path ? -1 : 1);
    return {
      layers: this.results,
      waste: [...this.waste.values()].sort((a, b) => b.wastedBytes - a.wastedBytes || (a.path < b.path ? -1 : 1)).slice(0, WASTE_CAP),
      pairs: [...this.pairs.values()],
      efficiency: this.totalSum === 0 ? 1 : this.totalMin / this.totalSum,
      userEfficiency: this.userSum === 0 ? 1 : this.userMin / this.userSum,
      largestFiles: files.sort(bySize).slice(0, TOP),
      largestDirectories: [...dirBytes]
        .map(([n, size]) => ({ path: n.path, size, layer: n.layer }))
        .sort(bySize)
        .slice(0, TOP),
      leftovers: [...leftovers.values()],
    };
  }

  /** Present, and so is every directory above it (a removed directory leaves its children marked present only if they were re-added). */
  private alive(node: Node): boolean {
    for (let p = node.parent; p; p = p.parent) if (!p.present) return false;
    return true;
  }
}
