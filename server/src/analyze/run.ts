import type { Model } from '../model/model';
import { DockerError, type DaemonClient } from '../docker/client';
import { localImageKey as normalizeRef } from '../rules/lib/local-images';
import { bindingOf, candidateStages, stageChain } from '../docker/history-match';
import type { AnalyzeImageResult } from '../docker/protocol';
import { analyzeExport } from './analyze';

/**
 * Analyze Image against a daemon: checks the image exists, works out how many history entries
 * the base image contributed (from the local base image, when FROM names one the daemon has),
 * then streams `GET /images/{name}/get` through the engine. Shared by the server and
 * `layerwise analyze`, so the editor and CI report the same numbers.
 */
export interface AnalyzeRunOptions {
  model?: Model | undefined;
  target?: string | undefined;
  dockerfile?: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: (bytes: number, totalBytes: number | undefined) => void;
  /** A daemon that stops sending for this long fails the analysis (default 30 s). */
  idleTimeoutMs?: number;
}

export async function analyzeOnDaemon(client: DaemonClient, image: string, o: AnalyzeRunOptions = {}): Promise<AnalyzeImageResult> {
  const failed = (error: string, notFound = false): AnalyzeImageResult => ({ ok: false, cancelled: !!o.signal?.aborted, notFound, error });
  let inspected: Awaited<ReturnType<DaemonClient['inspect']>>;
  try {
    inspected = await client.inspect(image);
  } catch (e) {
    return failed(e instanceof DockerError ? e.detail : String(e));
  }
  if (!inspected) return failed(`No image '${image}' on the Docker daemon at ${client.endpoint.host}.`, true);
  if (o.signal?.aborted) return failed('cancelled');
  const baseLayers = o.model ? await baseHistoryLength(client, o.model, o.target) : undefined;
  const total = inspected.Size > 0 ? inspected.Size : undefined;
  o.onProgress?.(0, total);
  let stream: Awaited<ReturnType<DaemonClient['exportImage']>>;
  try {
    stream = await client.exportImage(inspected.Id, o.signal);
  } catch (e) {
    if (o.signal?.aborted) return failed('cancelled');
    const err = e instanceof DockerError ? e : undefined;
    return failed(err?.detail ?? String(e), err?.statusCode === 404);
  }
  // Once bytes flow, a daemon that stops sending for idleMs fails the analysis: the wait for the
  // first byte is the export's preparation, bounded by the client's own deadline and Cancel.
  const idleMs = o.idleTimeoutMs ?? 30_000;
  const ac = new AbortController();
  let stalled = false;
  const onAbort = (): void => ac.abort();
  if (o.signal?.aborted) ac.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      stalled = true;
      ac.abort();
    }, idleMs);
  };
  arm();
  try {
    const analysis = await analyzeExport(stream, {
      image,
      signal: ac.signal,
      onProgress: (bytes) => {
        arm();
        o.onProgress?.(bytes, total);
      },
      model: o.model,
      target: o.target,
      baseLayers,
      dockerfile: o.dockerfile,
    });
    return { ok: true, analysis };
  } catch (e) {
    stream.destroy();
    if (stalled) return failed(`The Docker daemon at ${client.endpoint.host} stopped sending the export of ${image} (nothing for ${Math.round(idleMs / 1000)} s).`);
    if (o.signal?.aborted || (e as Error).name === 'AbortError') return failed('cancelled');
    return failed(`Could not read the export of ${image}: ${(e as Error).message}`);
  } finally {
    clearTimeout(idle);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * History entries of the base image the candidate stages start from, when the daemon has it.
 * With several candidate stages (no target) the final stage's base is taken: that is what a plain
 * `docker build` tags.
 */
async function baseHistoryLength(client: DaemonClient, model: Model, target: string | undefined): Promise<number | undefined> {
  const stage = candidateStages(model, target || bindingOf(model).target)[0];
  if (!stage) return undefined;
  const root = stageChain(stage)[0]!;
  if (root.base?.scratch) return 0;
  const ref = root.base?.resolved;
  if (!ref) return undefined;
  try {
    const base = await client.inspect(normalizeRef(ref));
    return base ? (await client.history(base.Id)).length : undefined;
  } catch {
    return undefined;
  }
}
