/**
 * What "Analyze Image" computes: shared by the engine (`server/src/analyze`), the server, the
 * command line (`layerwise analyze --json`) and the webview, so the shapes cannot drift.
 * Sizes are bytes; lines are 1-based Dockerfile lines.
 */

export type ChangeKind = 'added' | 'modified' | 'removed';
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** One node of a layer's change tree (only paths the layer touches, and their parent directories). */
export interface TreeNode {
  name: string;
  type: EntryType;
  /** Bytes this layer writes under this node (regular files; for a removal, the bytes removed). */
  size: number;
  /** Absent on a directory that is only on the way to changed paths. */
  change?: ChangeKind;
  children?: TreeNode[];
  /** Children left out to keep the tree small: how many, and their bytes. */
  omitted?: { count: number; size: number };
}

export interface LayerReport {
  /** Position in the image history, oldest first; empty layers (ENV, CMD, …) included. */
  index: number;
  /** True for a history entry without a filesystem layer. */
  empty: boolean;
  /** The layer's uncompressed digest (`sha256:…`, from the config's rootfs.diff_ids) when not empty. */
  diffId: string | undefined;
  /** Bytes of regular files in the layer, as `GET /images/{id}/history` counts them. */
  size: number;
  /** Bytes of the layer as stored in the export (compressed or not). */
  archiveSize: number;
  createdBy: string;
  /** The Dockerfile line of its instruction, when the Dockerfile is known and the entry matched. */
  line: number | undefined;
  /** True for layers that came with the base image of the final stage. */
  base: boolean;
  added: number;
  modified: number;
  removed: number;
  /** Bytes of this layer's file versions that a later layer overwrites or deletes. */
  wastedBytes: number;
  tree: TreeNode | undefined;
}

export interface WasteEntry {
  path: string;
  /** Bytes of superseded copies, each counted once. */
  wastedBytes: number;
  /** Layer indexes (history positions) that wrote a superseded copy. */
  writtenBy: number[];
  /** Layer index that overwrote or deleted the last superseded copy. */
  supersededBy: number;
  removed: boolean;
}

export interface SizeEntry {
  path: string;
  size: number;
  /** Layer index of the version that survives in the final image. */
  layer: number;
}

export interface AnalysisFinding {
  /** One sentence, e.g. "line 3 adds 8.0 MiB that line 5 deletes". */
  message: string;
  bytes: number;
  /** Layer index the waste sits in, and the layer that supersedes it (when any). */
  layer: number;
  supersededBy: number | undefined;
  line: number | undefined;
  relatedLine: number | undefined;
  /** The Layerwise rule that catches this in the Dockerfile, when one does. */
  ruleId: string | undefined;
}

export interface ImageAnalysis {
  image: string;
  id: string;
  /** Sum of the layers' `size`. */
  size: number;
  /** Bytes read from the export stream. */
  archiveSize: number;
  wastedBytes: number;
  /** dive's score over all layers: Σ smallest version per path / Σ all versions per path. */
  efficiency: number;
  /** The same over the layers above the base image. */
  userEfficiency: number;
  /** Wasted bytes in layers above the base image. */
  userWastedBytes: number;
  /** userWastedBytes / bytes of the layers above the base image (0 when there are none). */
  userWastedPercent: number;
  /** Number of leading layers (history entries) that belong to the base image. */
  baseLayers: number;
  format: 'docker-archive' | 'oci-layout';
  layers: LayerReport[];
  waste: WasteEntry[];
  largestFiles: SizeEntry[];
  largestDirectories: SizeEntry[];
  findings: AnalysisFinding[];
  dockerfile: string | undefined;
  durationMs: number;
}
