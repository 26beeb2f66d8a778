import * as fs from 'node:fs';
import * as os from 'node:os';
import type { DockerSettings } from '../config';
import type { Model } from '../model/model';
import { planBuild, runBuild, type BuildCallbacks, type BuildResult } from './build';
import { DaemonClient, DockerError, MIN_API_VERSION, compareApiVersions, type DaemonClientOptions, type HistoryEntry, type ImageSummary } from './client';
import { analyzeOnDaemon, type AnalyzeRunOptions } from '../analyze/run';
import { localImageKey } from '../rules/lib/local-images';
import type { AnalyzeImageResult, ListedImage, ListImagesResult } from './protocol';
import { resolveEndpoint, type DockerEndpoint, type EndpointEnvironment } from './endpoint';
import { bindingOf, candidateStages, imageName, layerLenses, parseHistory, selectImage, stageChain, type CandidateImage, type LayerLens } from './history-match';

/**
 * Layer sizes for open Dockerfiles, kept fresh without asking the daemon on every keystroke.
 *
 * Per daemon endpoint: a snapshot (the image list and the history of the most recent images),
 * loaded on first use and again after a save, a build, a daemon image event, or a retry. Image
 * ids are content addresses, so a history fetched once is kept. Lenses are computed from the
 * snapshot alone; a lens request waits for a snapshot that is loading at most `lensWaitMs`
 * (then answers "reading…" and asks for a refresh when it is there). A daemon that is absent,
 * refuses us, hangs or fails gives a state, kept until something above triggers a reload.
 * Transport-free: the server passes in the document model and gets plain data back.
 */

export type LensState =
  | { kind: 'disabled' }
  | { kind: 'error'; error: DockerError; endpoint: string }
  | { kind: 'loading'; endpoint: string }
  | { kind: 'no-image'; endpoint: string }
  | { kind: 'bound-missing'; ref: string; endpoint: string }
  | { kind: 'no-stage'; target: string }
  | { kind: 'layers'; lenses: LayerLens[]; imageId: string; imageName?: string; endpoint: string };

export interface LensServiceOptions {
  log(message: string): void;
  /** Called when lenses may have changed: a build, an image event, a reload after a save or a retry. */
  refresh(): void;
  environment?: EndpointEnvironment;
  client?: Partial<DaemonClientOptions>;
  /** How long a lens request waits for a loading snapshot (default 2500 ms). */
  lensWaitMs?: number;
  /** How many of the most recent images are candidates for automatic matching (default 200). */
  maxImages?: number;
  /** Delay before reloading after image events, which come in bursts (default 300 ms). */
  eventDebounceMs?: number;
  /**
   * After a failure, the daemon is asked again in the background after this long (default 2 s),
   * doubling up to 30 s, so the lenses come back by themselves when the daemon does.
   */
  recoverMs?: number;
}

interface Snapshot {
  client: DaemonClient;
  images: ImageSummary[];
  /** The most recent images, with their histories: the candidates for matching. */
  candidates: CandidateImage[];
  byRef: Map<string, ImageSummary>;
}

type Load = { ok: true; snapshot: Snapshot } | { ok: false; error: DockerError };

export function processEnvironment(): EndpointEnvironment {
  return {
    env: process.env,
    homedir: os.homedir(),
    platform: process.platform,
    readFile: (f) => {
      try {
        return fs.readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: (f) => fs.existsSync(f),
  };
}

/** `busybox` → `busybox:latest`; `docker.io/library/x:1` → `x:1`: the forms `RepoTags` use (the rules key local images the same way). */
export const normalizeRef = localImageKey;

class Daemon {
  client: DaemonClient | undefined;
  load: Load | undefined;
  loading: Promise<Load> | undefined;
  generation = 0;
  readonly histories = new Map<string, { history: HistoryEntry[]; parsed: ReturnType<typeof parseHistory> }>();
  private watcher: { close(): void } | undefined;
  private watching: Promise<void> | undefined;
  /** Bumped whenever watching stops, so a watcher that connects late closes itself. */
  private watchEpoch = 0;
  private debounce: NodeJS.Timeout | undefined;
  private lastLogged = '';
  private loadMs = 0;
  private recovery: NodeJS.Timeout | undefined;
  private failures = 0;
  private disposed = false;

  constructor(
    readonly endpoint: DockerEndpoint,
    private readonly o: Required<Pick<LensServiceOptions, 'log' | 'refresh' | 'maxImages' | 'eventDebounceMs' | 'recoverMs'>> & { client: Partial<DaemonClientOptions> },
  ) {}

  /** The current snapshot, loading it when there is none. */
  get(): Promise<Load> {
    if (this.load) return Promise.resolve(this.load);
    if (!this.loading) {
      const generation = this.generation;
      this.loading = this.fetch().then((load) => {
        if (generation === this.generation) {
          this.load = load;
          this.loading = undefined;
          this.report(load);
          if (load.ok) this.failures = 0;
          else this.scheduleRecovery();
        }
        return load;
      });
    }
    return this.loading;
  }

  /** Asks the failed daemon again later; a snapshot that loads refreshes the lenses. */
  private scheduleRecovery(): void {
    if (this.disposed) return;
    clearTimeout(this.recovery);
    const delay = Math.min(30_000, this.o.recoverMs * 2 ** this.failures++);
    this.recovery = setTimeout(() => {
      if (this.disposed || !this.load || this.load.ok) return;
      this.invalidate(true);
      void this.get().then((load) => {
        if (load.ok) {
          this.o.log(`Docker at ${this.endpoint.host} answers again.`);
          this.o.refresh();
        }
      });
    }, delay);
    this.recovery.unref?.();
  }

  /** Drops the snapshot (and, when `reconnect`, the negotiated client); histories stay. */
  invalidate(reconnect: boolean): void {
    clearTimeout(this.recovery);
    this.generation++;
    this.load = undefined;
    this.loading = undefined;
    if (reconnect) {
      this.client = undefined;
      this.stopWatching();
    }
  }

  /** Reload now and tell the editor when done (after a save, a build, an event, a retry). */
  reload(reconnect: boolean): void {
    this.invalidate(reconnect);
    void this.get().then(() => this.o.refresh());
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    clearTimeout(this.recovery);
    clearTimeout(this.debounce);
    this.stopWatching();
  }

  async connect(): Promise<DaemonClient> {
    if (!this.client) {
      const client = await DaemonClient.connect(this.endpoint, this.o.client);
      const i = client.info;
      this.o.log(
        `${i.engine === 'podman' ? 'Podman' : 'Docker'} ${i.engineVersion} (${i.os}) at ${this.endpoint.host} [${this.endpoint.source}]: API ${i.serverApiVersion}, using ${i.apiVersion}`,
      );
      if (compareApiVersions(i.serverApiVersion, MIN_API_VERSION) < 0) {
        this.o.log(`Docker API ${i.serverApiVersion} is older than ${MIN_API_VERSION} (Engine 20.10); layer sizes may be incomplete.`);
      }
      this.client = client;
    }
    return this.client;
  }

  private async fetch(): Promise<Load> {
    const started = Date.now();
    try {
      const client = await this.connect();
      // Follow image events before listing, so a change after the list is never missed; but do
      // not let a proxy that holds back streamed responses hold the lenses back for long.
      let capped: NodeJS.Timeout | undefined;
      await Promise.race([this.watch(client), new Promise<void>((r) => (capped = setTimeout(r, 1000)))]);
      clearTimeout(capped);
      const images = await client.listImages();
      images.sort((a, b) => b.Created - a.Created);
      const byRef = new Map<string, ImageSummary>();
      for (const img of images) {
        byRef.set(img.Id, img);
        for (const t of img.RepoTags ?? []) if (t !== '<none>:<none>') byRef.set(normalizeRef(t), img);
        for (const d of img.RepoDigests ?? []) if (!d.startsWith('<none>')) byRef.set(normalizeRef(d), img);
      }
      const recent = images.slice(0, this.o.maxImages);
      await this.ensureHistories(client, recent.map((i) => i.Id));
      const candidates = recent.flatMap((img) => {
        const h = this.histories.get(img.Id);
        return h ? [{ id: img.Id, created: img.Created, tags: (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), history: h.history, parsed: h.parsed }] : [];
      });
      this.loadMs = Date.now() - started;
      return { ok: true, snapshot: { client, images, candidates, byRef } };
    } catch (e) {
      const error = e instanceof DockerError ? e : new DockerError('daemon', `${this.endpoint.host}: ${(e as Error).message}`);
      if (error.kind !== 'daemon') this.client = undefined;
      this.stopWatching();
      return { ok: false, error };
    }
  }

  /** Fetches the histories of images not seen before (six at a time); an image deleted meanwhile is skipped. */
  async ensureHistories(client: DaemonClient, ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.histories.has(id));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length) {
        const id = missing[next++]!;
        try {
          const history = await client.history(id);
          this.histories.set(id, { history, parsed: parseHistory(history) });
        } catch (e) {
          if (e instanceof DockerError && e.statusCode === 404) continue;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(6, missing.length) }, worker));
    // Keep the cache bounded: drop histories of images that are gone.
    if (this.histories.size > this.o.maxImages * 4) {
      const keep = new Set(ids);
      for (const id of this.histories.keys()) if (!keep.has(id)) this.histories.delete(id);
    }
  }

  private report(load: Load): void {
    const line = load.ok ? `ok ${load.snapshot.images.length}` : `${load.error.kind}: ${load.error.detail}`;
    if (line === this.lastLogged) return;
    this.lastLogged = line;
    if (load.ok) {
      this.o.log(`Docker at ${this.endpoint.host}: ${load.snapshot.images.length} local images, ${load.snapshot.candidates.length} read for layer sizes (${this.loadMs} ms).`);
    }
    else this.o.log(`Layer sizes unavailable: ${load.error.detail} [endpoint from ${this.endpoint.source}]`);
  }

  private watch(client: DaemonClient): Promise<void> {
    if (this.watcher) return Promise.resolve();
    if (this.watching) return this.watching;
    const epoch = this.watchEpoch;
    this.watching = client
      .watchImages(
        (ev) => {
          this.o.log(`Docker image event: ${ev.Action ?? '?'} ${ev.Actor?.ID ?? ev.id ?? ''}`.trim());
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => this.reload(false), this.o.eventDebounceMs);
        },
        (err) => {
          this.watcher = undefined;
          this.o.log(`Docker event stream from ${this.endpoint.host} ended${err ? `: ${(err as Error).message}` : ''}; reconnecting on the next request.`);
          // The daemon went away (or restarted): the next lens request finds out which.
          this.invalidate(true);
          this.o.refresh();
        },
      )
      .then(
        (w) => {
          if (epoch !== this.watchEpoch) w.close();
          else this.watcher = w;
        },
        (e: unknown) => this.o.log(`Cannot follow Docker image events: ${(e as Error).message}`),
      )
      .finally(() => (this.watching = undefined));
    return this.watching;
  }

  private stopWatching(): void {
    this.watchEpoch++;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

export interface LensRequest {
  model: Model;
  docker: DockerSettings;
}

export class LayerLensService {
  private readonly daemons = new Map<string, Daemon>();
  private readonly env: EndpointEnvironment;
  private readonly lensWaitMs: number;

  constructor(private readonly o: LensServiceOptions) {
    this.env = o.environment ?? processEnvironment();
    this.lensWaitMs = o.lensWaitMs ?? 2500;
  }

  private daemonFor(host: string): Daemon | DockerError {
    const r = resolveEndpoint(host, this.env);
    if (!r.ok) return new DockerError('unreachable', `${r.error} [endpoint from ${r.source}]`);
    let d = this.daemons.get(r.endpoint.key);
    if (!d) {
      d = new Daemon(r.endpoint, {
        log: this.o.log,
        refresh: this.o.refresh,
        maxImages: this.o.maxImages ?? 200,
        eventDebounceMs: this.o.eventDebounceMs ?? 300,
        recoverMs: this.o.recoverMs ?? 2000,
        client: this.o.client ?? {},
      });
      this.daemons.set(r.endpoint.key, d);
    }
    return d;
  }

  /** What the lenses of this document version show. Never waits longer than `waitMs` for a loading snapshot. */
  async lenses(req: LensRequest, waitMs = this.lensWaitMs): Promise<LensState> {
    if (!req.docker.codeLens) return { kind: 'disabled' };
    const daemon = this.daemonFor(req.docker.host);
    if (daemon instanceof DockerError) return { kind: 'error', error: daemon, endpoint: req.docker.host };
    const endpoint = daemon.endpoint.host;
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      daemon.get(),
      new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs))),
    ]);
    clearTimeout(timer);
    if (waited === 'late') {
      void daemon.get().then(() => this.o.refresh());
      return { kind: 'loading', endpoint };
    }
    if (!waited.ok) return { kind: 'error', error: waited.error, endpoint };
    return this.compute(req, daemon, waited.snapshot);
  }

  private async compute(req: LensRequest, daemon: Daemon, snap: Snapshot): Promise<LensState> {
    const { model } = req;
    const endpoint = daemon.endpoint.host;
    const binding = bindingOf(model, req.docker);
    const stages = candidateStages(model, binding.target);
    if (!stages.length) {
      if (binding.target) return { kind: 'no-stage', target: binding.target };
      return { kind: 'no-image', endpoint };
    }
    // Base images (root FROMs) and a bound image may be older than the candidates: fetch their
    // histories once (they are kept by id), so a FROM edit costs at most one call per new image.
    const wanted = new Set<string>();
    for (const s of stages) {
      const root = stageChain(s)[0]!;
      const ref = root.base?.resolved;
      if (ref && !root.base?.scratch) {
        const img = snap.byRef.get(normalizeRef(ref));
        if (img) wanted.add(img.Id);
      }
    }
    let bound: CandidateImage | undefined;
    let boundSummary: ImageSummary | undefined;
    if (binding.image) {
      boundSummary = snap.byRef.get(normalizeRef(binding.image)) ?? snap.images.find((i) => i.Id.replace(/^sha256:/, '').startsWith(binding.image!.replace(/^sha256:/, '')) && binding.image!.length >= 4);
      if (!boundSummary) return { kind: 'bound-missing', ref: binding.image, endpoint };
      wanted.add(boundSummary.Id);
    }
    if ([...wanted].some((id) => !daemon.histories.has(id))) {
      try {
        await daemon.ensureHistories(snap.client, [...wanted]);
      } catch (e) {
        if (e instanceof DockerError) {
          daemon.invalidate(e.kind !== 'daemon');
          return { kind: 'error', error: e, endpoint };
        }
        throw e;
      }
    }
    if (boundSummary) {
      const h = daemon.histories.get(boundSummary.Id);
      if (!h) return { kind: 'bound-missing', ref: binding.image!, endpoint };
      bound = { id: boundSummary.Id, created: boundSummary.Created, tags: boundSummary.RepoTags ?? [], history: h.history, parsed: h.parsed };
    }
    const match = selectImage(model, snap.candidates, {
      target: binding.target,
      bound,
      historyOf: (ref) => {
        const img = snap.byRef.get(normalizeRef(ref));
        return img ? daemon.histories.get(img.Id)?.history : undefined;
      },
    });
    if (!match) return { kind: 'no-image', endpoint };
    return { kind: 'layers', lenses: layerLenses(match), imageId: match.image.id, imageName: imageName(match.image), endpoint };
  }

  /** Retry: forget every state and connection, reload, refresh. */
  retry(): void {
    for (const d of this.daemons.values()) d.reload(true);
    if (!this.daemons.size) this.o.refresh();
  }

  /** A Dockerfile was saved: re-read the image list (a failed daemon is tried again). */
  saved(): void {
    for (const d of this.daemons.values()) d.reload(!!d.load && !d.load.ok);
  }

  /** Settings changed: endpoints may differ now. */
  configurationChanged(): void {
    for (const d of this.daemons.values()) d.dispose();
    this.daemons.clear();
    this.o.refresh();
  }

  /** Builds the image of this Dockerfile; afterwards the lenses reload. */
  async build(req: LensRequest & { dockerfilePath: string; buildArgs: Record<string, string> }, cb: BuildCallbacks): Promise<BuildResult | { ok: false; error: string }> {
    const planned = planBuild(req.model, req.dockerfilePath, req.docker, req.buildArgs);
    if (!planned.ok) return planned;
    const daemon = this.daemonFor(req.docker.host);
    if (daemon instanceof DockerError) return { ok: false, error: daemon.detail };
    let client: DaemonClient;
    try {
      client = await daemon.connect();
    } catch (e) {
      const err = e instanceof DockerError ? e : new DockerError('unreachable', String(e));
      daemon.invalidate(true);
      return { ok: false, error: err.detail };
    }
    try {
      return await runBuild(client, planned.plan, cb);
    } finally {
      daemon.reload(false);
    }
  }

  /** The ID of a local image on the configured daemon (the next-build record); undefined when it cannot be told. */
  async imageId(docker: DockerSettings, ref: string): Promise<string | undefined> {
    const daemon = this.daemonFor(docker.host);
    if (daemon instanceof DockerError) return undefined;
    try {
      return (await (await daemon.connect()).inspect(ref))?.Id;
    } catch {
      return undefined;
    }
  }

  /** The local images, for the Analyze Image quick pick: the one built from this Dockerfile first, then newest first. */
  async listImages(req: { model: Model | undefined; docker: DockerSettings }): Promise<ListImagesResult> {
    const daemon = this.daemonFor(req.docker.host);
    if (daemon instanceof DockerError) return { ok: false, error: daemon.detail };
    const load = await daemon.get();
    if (!load.ok) return { ok: false, error: load.error.detail };
    let matched: string | undefined;
    if (req.model) {
      const state = await this.compute(req as LensRequest, daemon, load.snapshot);
      if (state.kind === 'layers') matched = state.imageId;
    }
    const images: ListedImage[] = load.snapshot.images.map((i) => ({
      id: i.Id,
      tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      size: i.Size,
      created: i.Created,
      matched: i.Id === matched,
    }));
    images.sort((a, b) => Number(b.matched) - Number(a.matched) || b.created - a.created);
    return { ok: true, images };
  }

  /** Analyze Image: streams the image's export through the engine (server/src/analyze). */
  async analyze(req: { model: Model | undefined; docker: DockerSettings; image: string; dockerfile: string | undefined }, o: Pick<AnalyzeRunOptions, 'signal' | 'onProgress'>): Promise<AnalyzeImageResult> {
    const daemon = this.daemonFor(req.docker.host);
    if (daemon instanceof DockerError) return { ok: false, cancelled: false, notFound: false, error: daemon.detail };
    let client: DaemonClient;
    try {
      client = await daemon.connect();
    } catch (e) {
      daemon.invalidate(true);
      return { ok: false, cancelled: false, notFound: false, error: e instanceof DockerError ? e.detail : String(e) };
    }
    return analyzeOnDaemon(client, req.image, { ...o, model: req.model, target: req.docker.target, dockerfile: req.dockerfile });
  }

  dispose(): void {
    for (const d of this.daemons.values()) d.dispose();
    this.daemons.clear();
  }
}
