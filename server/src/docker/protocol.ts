/**
 * The custom messages between the client and the server for building an image. Shared by both
 * sides so the names and shapes cannot drift.
 */

/** Request, client → server: build the image of a Dockerfile. Cancel it with `$/cancelRequest`. */
export const BUILD_IMAGE_REQUEST = 'layerwise/buildImage';
export interface BuildImageParams {
  uri: string;
  /** Chosen by the client; progress notifications carry it back. */
  buildId: string;
}
export interface BuildImageResult {
  ok: boolean;
  cancelled: boolean;
  tag: string | undefined;
  target: string | undefined;
  builder: 'buildkit' | 'classic' | undefined;
  imageId: string | undefined;
  durationMs: number;
  error: string | undefined;
}

/** Notification, server → client: one line of build output and/or the step being built. */
export const BUILD_PROGRESS_NOTIFICATION = 'layerwise/buildProgress';
export interface BuildProgressParams {
  buildId: string;
  line?: string;
  step?: string;
}

/** Request, client → server: the local images to offer in the Analyze Image quick pick. */
export const LIST_IMAGES_REQUEST = 'layerwise/listImages';
export interface ListImagesParams {
  /** The active Dockerfile, if any: the image built from it is marked `matched` and listed first. */
  uri: string | undefined;
}
export interface ListedImage {
  id: string;
  /** `repo:tag` names; empty for an untagged image. */
  tags: string[];
  size: number;
  /** Seconds since the epoch. */
  created: number;
  matched: boolean;
}
export type ListImagesResult = { ok: true; images: ListedImage[] } | { ok: false; error: string };

/** Request, client → server: analyze an image. Cancel it with `$/cancelRequest`. */
export const ANALYZE_IMAGE_REQUEST = 'layerwise/analyzeImage';
export interface AnalyzeImageParams {
  /** A name (`repo:tag`) or id. */
  image: string;
  /** The Dockerfile to link layers to; absent to analyze the image alone. */
  uri: string | undefined;
  /** Chosen by the client; progress notifications carry it back. */
  analysisId: string;
}
export type AnalyzeImageResult =
  | { ok: true; analysis: import('../analyze/types').ImageAnalysis }
  | { ok: false; cancelled: boolean; notFound: boolean; error: string };

/** Notification, server → client: how far the export has been read. */
export const ANALYZE_PROGRESS_NOTIFICATION = 'layerwise/analyzeProgress';
export interface AnalyzeProgressParams {
  analysisId: string;
  /** Bytes of the export read so far, and the image's size as the daemon reports it (an estimate of the total). */
  bytes: number;
  totalBytes: number | undefined;
  message: string | undefined;
}

/** Request, client → server: the expected rebuild time of a Dockerfile, for the status bar. */
export const CACHE_SUMMARY_REQUEST = 'layerwise/cacheSummary';
export interface CacheSummaryParams {
  uri: string;
}
export interface CacheSummaryStep {
  /** 1-based. */
  line: number;
  instruction: string;
  /** Share of the considered commits after which the step re-runs, 0 to 1. */
  rerunShare: number;
  /** Seconds of its last non-cached build from the editor; null when never measured. */
  seconds: number | null;
}
export type CacheSummaryResult =
  | {
      available: true;
      /** E[T] = Σ rerunShare · seconds over the timed steps; null when no step was timed. */
      expectedSeconds: number | null;
      /** RUN/COPY/ADD steps without a measured duration, left out of E[T]. */
      untimedSteps: number;
      commits: number;
      head: string;
      steps: CacheSummaryStep[];
    }
  | { available: false; reason: string };

/** Notification, server → client: the cache figures of a document changed (new result, build timed): ask again. */
export const CACHE_CHANGED_NOTIFICATION = 'layerwise/cacheChanged';

/** Server → client: the next-build prediction of a Dockerfile changed; the status bar shows `text`. */
export const NEXT_BUILD_NOTIFICATION = 'layerwise/nextBuild';
export interface NextBuildParams {
  uri: string;
  /** "next build ≈ 42 s, re-runs from line 7"; empty when there is nothing to show. */
  text: string;
  tooltip: string;
}
export interface CacheChangedParams {
  uri: string;
}

/**
 * The client commands a client can run, which it lists in its initialize request as
 * `capabilities.experimental.layerwise.commands` (the VS Code client does). A client that lists
 * none gets only what the server runs itself (`workspace/executeCommand`) or plain lenses.
 */
export interface LayerwiseClientCapabilities {
  commands: string[];
}

export function clientCommandsOf(capabilities: { experimental?: unknown }): ReadonlySet<string> {
  const commands = (capabilities.experimental as { layerwise?: Partial<LayerwiseClientCapabilities> } | undefined)?.layerwise?.commands;
  return new Set(Array.isArray(commands) ? commands.filter((c): c is string => typeof c === 'string') : []);
}
