import type { Readable } from 'node:stream';
import type { HistoryEntry } from '../docker/client';
import { type CandidateImage, candidateStages, type ImageMatch, matchStage, parseHistory } from '../docker/history-match';
import type { Model } from '../model/model';
import { abortError, readArchive } from './archive';
import { findingsOf, type FindingLayer } from './findings';
import { type HistoryItem, resolveImage } from './image-layout';
import { Stack } from './stack';
import type { ImageAnalysis, LayerReport } from './types';

export interface AnalyzeOptions {
  /** The name the export was requested by (picks the image in a multi-image export). */
  image: string;
  signal?: AbortSignal;
  /** Bytes read so far, at most every 64 KiB and 100 ms, and once at the end. */
  onProgress?(bytesRead: number): void;
  /** The Dockerfile the image was built from, for line attribution and the base image boundary. */
  model?: Model;
  /** The stage built (`--target`); otherwise the stage that aligns best. */
  target?: string;
  /** History entries of the base image, when the caller knows it. */
  baseLayers?: number;
  /** The Dockerfile's path, reported back as is. */
  dockerfile?: string;
  /** Nodes per layer tree (default 2000). */
  treeNodeLimit?: number;
}

/**
 * Analyzes an image export (the body of `GET /images/{name}/get`), read once as it streams:
 * per layer its size, changes, waste and Dockerfile line; for the image its waste, efficiency,
 * largest files and directories, and findings.
 */
export async function analyzeExport(stream: NodeJS.ReadableStream | Readable, opts: AnalyzeOptions): Promise<ImageAnalysis> {
  const started = Date.now();
  const contents = await readArchive(stream, { signal: opts.signal, onProgress: opts.onProgress });
  const image = resolveImage(contents, opts.image);
  const history = image.history;
  const sizes = history.map((h) => (h.layer ? h.layer.files.fileBytes + h.layer.files.linkBytes : 0));

  let lines: (number | undefined)[] = [];
  let baseLayers: number | undefined = opts.baseLayers === undefined ? undefined : Math.max(0, Math.min(history.length, opts.baseLayers));
  if (opts.model) {
    const match = alignWithDockerfile(opts.model, opts.target, image.id, history, sizes, baseLayers);
    if (match) {
      lines = lineByEntry(match, history.length);
      baseLayers ??= match.alignment.base.length;
    }
  }
  if (baseLayers === undefined) {
    // dive's convention: the first layer is the base image.
    const first = history.findIndex((h) => !h.empty);
    baseLayers = first + 1;
  }

  const stack = new Stack(baseLayers, opts.treeNodeLimit, contents.paths);
  // A layer's entries are dropped once applied for the last time (a deduplicated layer is applied twice).
  const lastUse = new Map<object, number>();
  history.forEach((h, i) => h.layer && lastUse.set(h.layer.files, i));
  for (let i = 0; i < history.length; i++) {
    if (opts.signal?.aborted) throw abortError();
    const layer = history[i]!.layer;
    if (!layer) continue;
    stack.apply({ index: i, files: layer.files });
    if (lastUse.get(layer.files) === i) layer.files.release();
  }
  const result = stack.finish();

  const layers: LayerReport[] = history.map((h, index) => {
    const r = result.layers.get(index);
    return {
      index,
      empty: !h.layer,
      diffId: h.layer?.diffId,
      size: sizes[index]!,
      archiveSize: h.layer?.archiveSize ?? 0,
      createdBy: h.createdBy,
      line: lines[index],
      base: index < baseLayers!,
      added: r?.added ?? 0,
      modified: r?.modified ?? 0,
      removed: r?.removed ?? 0,
      wastedBytes: r?.wastedBytes ?? 0,
      tree: r?.tree,
    };
  });
  const findingLayers = new Map<number, FindingLayer>(layers.map((l) => [l.index, { index: l.index, createdBy: l.createdBy, line: l.line, base: l.base }]));
  const size = layers.reduce((s, l) => s + l.size, 0);
  const wastedBytes = layers.reduce((s, l) => s + l.wastedBytes, 0);
  const userLayers = layers.filter((l) => !l.base);
  const userSize = userLayers.reduce((s, l) => s + l.size, 0);
  const userWastedBytes = userLayers.reduce((s, l) => s + l.wastedBytes, 0);
  return {
    image: opts.image,
    id: image.id,
    size,
    archiveSize: contents.bytesRead,
    wastedBytes,
    efficiency: result.efficiency,
    userEfficiency: result.userEfficiency,
    userWastedBytes,
    userWastedPercent: userSize > 0 ? userWastedBytes / userSize : 0,
    baseLayers,
    format: image.format,
    layers,
    waste: result.waste,
    largestFiles: result.largestFiles,
    largestDirectories: result.largestDirectories,
    findings: findingsOf(result.pairs, result.leftovers, findingLayers, baseLayers),
    dockerfile: opts.dockerfile,
    durationMs: Date.now() - started,
  };
}

/** The history as `GET /images/{id}/history` returns it (newest first), for history-match. */
function apiHistory(id: string, history: readonly HistoryItem[], sizes: readonly number[]): HistoryEntry[] {
  return history
    .map((h, i) => ({ Id: i === history.length - 1 ? id : '<missing>', Created: h.created, CreatedBy: h.createdBy, Tags: null, Size: sizes[i]!, Comment: h.comment }))
    .reverse();
}

/** The best alignment of the image's history with a stage of the Dockerfile (the target's, when given). */
function alignWithDockerfile(model: Model, target: string | undefined, id: string, history: readonly HistoryItem[], sizes: readonly number[], baseLayers: number | undefined): ImageMatch | undefined {
  const entries = apiHistory(id, history, sizes);
  const candidate: CandidateImage = { id, created: 0, tags: [], history: entries, parsed: parseHistory(entries) };
  // A known base: its entries are the image's oldest, which is how matchStage recognizes a local base image.
  const base = baseLayers === undefined ? undefined : entries.slice(entries.length - baseLayers);
  const options = { escape: model.escape, historyOf: base ? () => base : undefined };
  let best: ImageMatch | undefined;
  for (const stage of candidateStages(model, target)) {
    const m = matchStage(stage, candidate, options);
    if (!best || m.alignment.score > best.alignment.score) best = m;
  }
  return best;
}

function lineByEntry(match: ImageMatch, length: number): (number | undefined)[] {
  const lines: (number | undefined)[] = new Array(length).fill(undefined);
  for (const s of match.alignment.steps) if (s.entry) lines[s.entry.index] = s.step.inst.range.start.line + 1;
  return lines;
}
