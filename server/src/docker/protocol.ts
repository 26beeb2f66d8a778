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
