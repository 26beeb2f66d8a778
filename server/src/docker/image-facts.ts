import type { DockerSettings } from '../config';
import type { Model } from '../model/model';
import { localImageKey, pulledBases } from '../rules/lib/local-images';
import type { DaemonPlatform, LocalImageFacts } from '../rules/rule';
import { DaemonClient, DockerError, withDeadline, type DaemonClientOptions } from './client';
import { resolveEndpoint, type DockerEndpoint, type EndpointEnvironment } from './endpoint';
import { processEnvironment } from './service';

/**
 * What the local daemon has for the base images of a Dockerfile, for the rules that need it
 * (`RuleContext.images`, `RuleContext.daemonPlatform`). Linting never waits for the daemon: it
 * gets what is known now, the rest is asked in the background (`GET /images/{name}/json`, and
 * `GET /version` once per connection), and `changed()` tells the server to lint again. Image
 * events re-read what is cached; a daemon that fails is left alone for `retryAfterMs`, so the
 * rules stay silent without a request per keystroke. Transport-free, like the lens service.
 */

export interface ImageFacts {
  images?: ReadonlyMap<string, LocalImageFacts | null>;
  daemonPlatform?: DaemonPlatform;
}

export interface ImageFactsOptions {
  log(message: string): void;
  /** Facts arrived or changed: diagnostics of open documents may differ now. */
  changed(): void;
  environment?: EndpointEnvironment;
  client?: Partial<DaemonClientOptions>;
  /** Follow image events to keep the facts current (the server); the command line reads once. Default true. */
  watch?: boolean;
  /** Delay before re-reading after image events, which come in bursts (default 300 ms). */
  eventDebounceMs?: number;
  /** How long a failed daemon is left alone (default 30 s). */
  retryAfterMs?: number;
}

/** The images a model's FROMs pull: `localImageKey` → the reference to inspect. */
export function baseImageQueries(model: Model): Map<string, string> {
  const out = new Map<string, string>();
  for (const { ref } of pulledBases(model)) {
    const key = localImageKey(ref);
    if (out.has(key)) continue;
    // With both a tag and a digest the digest decides, and the daemon resolves `name@digest`.
    const at = ref.indexOf('@');
    const name = at >= 0 ? ref.slice(0, at) : ref;
    const colon = name.lastIndexOf(':');
    out.set(key, at >= 0 && colon > name.lastIndexOf('/') ? `${name.slice(0, colon)}${ref.slice(at)}` : ref);
  }
  return out;
}

/** The fields of `GET /images/{name}/json` the rules read. */
interface InspectedImage {
  Id?: string;
  Os?: string;
  Architecture?: string;
  Variant?: string;
  RepoDigests?: string[] | null;
}

/**
 * Podman and Docker's containerd image store list a digest for every name of an image, pushed or
 * not (the digest of its local manifest), so their RepoDigests say nothing about what a registry
 * serves: no digest is taken from them (the digest-pin fix is not offered there).
 */
function toFacts(img: InspectedImage, registryDigests: boolean): LocalImageFacts {
  return {
    id: img.Id ?? '',
    os: img.Os ?? '',
    architecture: img.Architecture ?? '',
    ...(img.Variant ? { variant: img.Variant } : {}),
    repoDigests: registryDigests ? (img.RepoDigests ?? []).filter((d) => !d.startsWith('<none>')) : [],
  };
}

function sameFacts(a: LocalImageFacts | null, b: LocalImageFacts | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** At most this many references are kept per daemon (oldest asked first out). */
const MAX_REFS = 256;

class DaemonFacts {
  readonly facts = new Map<string, LocalImageFacts | null>();
  platform: DaemonPlatform | undefined;
  /** Every reference asked for, by key (what image events re-read). */
  private readonly queries = new Map<string, string>();
  private readonly pending = new Set<string>();
  private readonly inFlight = new Set<string>();
  private running: Promise<void> | undefined;
  private client: DaemonClient | undefined;
  private failure: { at: number; detail: string } | undefined;
  private watcher: { close(): void } | undefined;
  private watchEpoch = 0;
  private debounce: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    readonly endpoint: DockerEndpoint,
    private readonly o: Required<Pick<ImageFactsOptions, 'log' | 'changed' | 'watch' | 'eventDebounceMs' | 'retryAfterMs'>> & { client: Partial<DaemonClientOptions> },
  ) {}

  /** What is known for these references; the others are asked in the background. */
  current(queries: Map<string, string>): ImageFacts {
    const images = new Map<string, LocalImageFacts | null>();
    for (const [key, ref] of queries) {
      const f = this.facts.get(key);
      if (f !== undefined) images.set(key, f);
      else if (!this.inFlight.has(key)) this.want(key, ref);
    }
    if (this.pending.size) void this.run();
    return { images, ...(this.platform ? { daemonPlatform: this.platform } : {}) };
  }

  /** Asks for every reference not known yet and waits (the command line). */
  async complete(queries: Map<string, string>): Promise<ImageFacts & { error?: string }> {
    for (const [key, ref] of queries) if (!this.facts.has(key)) this.want(key, ref);
    while (this.pending.size || this.running) await this.run();
    const result = this.current(queries);
    return this.failure ? { ...result, error: this.failure.detail } : result;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.debounce);
    this.stopWatching();
  }

  private want(key: string, ref: string): void {
    this.queries.delete(key);
    this.queries.set(key, ref);
    if (this.queries.size > MAX_REFS) {
      const oldest = this.queries.keys().next().value as string;
      this.queries.delete(oldest);
      this.facts.delete(oldest);
    }
    this.pending.add(key);
  }

  /** Fetches what is pending, then what became pending meanwhile (image events during a fetch). */
  private run(): Promise<void> {
    if (this.running) return this.running;
    if (!this.pending.size || this.disposed) return Promise.resolve();
    if (this.failure && Date.now() - this.failure.at < this.o.retryAfterMs) {
      this.pending.clear();
      return Promise.resolve();
    }
    const keys = [...this.pending];
    this.pending.clear();
    for (const k of keys) this.inFlight.add(k);
    this.running = this.fetch(keys).finally(() => {
      this.running = undefined;
      for (const k of keys) this.inFlight.delete(k);
    });
    return this.running.then(() => this.run());
  }

  private async fetch(keys: string[]): Promise<void> {
    let changed = false;
    try {
      const client = await this.connect();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < keys.length) {
          const key = keys[next++]!;
          const ref = this.queries.get(key);
          if (ref === undefined) continue;
          const facts = await this.inspect(client, ref);
          // Unknown and absent read the same to the rules: only an image found or changed is news.
          if (!sameFacts(this.facts.get(key) ?? null, facts)) changed = true;
          this.facts.set(key, facts);
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, keys.length) }, worker));
      if (this.failure) this.o.log(`Base image facts: Docker at ${this.endpoint.host} answers again.`);
      this.failure = undefined;
    } catch (e) {
      const error = e instanceof DockerError ? e : new DockerError('daemon', `${this.endpoint.host}: ${(e as Error).message}`);
      if (this.failure?.detail !== error.detail) this.o.log(`Base image facts unavailable (rules that need them stay silent): ${error.detail} [endpoint from ${this.endpoint.source}]`);
      this.failure = { at: Date.now(), detail: error.detail };
      changed = this.facts.size > 0 || this.platform !== undefined;
      this.forget();
    }
    if (changed && !this.disposed) this.o.changed();
  }

  private async inspect(client: DaemonClient, ref: string): Promise<LocalImageFacts | null> {
    try {
      const img = (await client.inspect(ref)) as InspectedImage | undefined;
      return img ? toFacts(img, this.registryDigests) : null;
    } catch (e) {
      // A reference the daemon cannot parse names no local image.
      if (e instanceof DockerError && e.statusCode === 400) return null;
      throw e;
    }
  }

  /** Whether RepoDigests name what a registry served (the classic store), not local manifests. */
  private registryDigests = true;

  private async connect(): Promise<DaemonClient> {
    if (this.client) return this.client;
    const client = await DaemonClient.connect(this.endpoint, this.o.client);
    const docker = await client.streaming();
    // DaemonInfo has no architecture: one more GET /version, once per connection.
    const v: { Os?: string; Arch?: string } = await withDeadline(this.endpoint, 'GET /version', this.o.client.callTimeoutMs ?? 10_000, (signal) =>
      // dockerode takes abortSignal here; its type declarations do not say so.
      (docker as unknown as { version(o: { abortSignal: AbortSignal }): Promise<{ Os?: string; Arch?: string }> }).version({ abortSignal: signal }),
    );
    this.platform = v.Os && v.Arch ? { os: v.Os, architecture: v.Arch } : undefined;
    const info: { DriverStatus?: unknown } = await withDeadline(this.endpoint, 'GET /info', this.o.client.callTimeoutMs ?? 10_000, (signal) =>
      (docker as unknown as { info(o: { abortSignal: AbortSignal }): Promise<{ DriverStatus?: unknown }> }).info({ abortSignal: signal }),
    );
    const containerdStore = JSON.stringify(info.DriverStatus ?? []).includes('io.containerd.snapshotter');
    this.registryDigests = client.info.engine !== 'podman' && !containerdStore;
    this.client = client;
    if (this.o.watch) this.watch(client);
    return client;
  }

  /** Drops the connection and everything learnt through it: without a daemon the rules know nothing. */
  private forget(): void {
    this.client = undefined;
    this.platform = undefined;
    this.facts.clear();
    this.stopWatching();
  }

  private watch(client: DaemonClient): void {
    const epoch = ++this.watchEpoch;
    client
      .watchImages(
        () => {
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => this.reread(), this.o.eventDebounceMs);
        },
        () => {
          if (epoch !== this.watchEpoch) return;
          this.watcher = undefined;
          // The daemon stopped or restarted: ask again on the next lint.
          this.forget();
          if (!this.disposed) this.o.changed();
        },
      )
      .then(
        (w) => {
          if (epoch !== this.watchEpoch || this.disposed) w.close();
          else this.watcher = w;
        },
        (e: unknown) => this.o.log(`Base image facts: cannot follow Docker image events: ${(e as Error).message}`),
      );
  }

  /** An image was pulled, tagged, loaded or removed: read again what open documents use. */
  private reread(): void {
    if (this.disposed) return;
    for (const key of this.facts.keys()) this.pending.add(key);
    void this.run();
  }

  private stopWatching(): void {
    this.watchEpoch++;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

export class ImageFactsService {
  private readonly daemons = new Map<string, DaemonFacts>();
  private readonly env: EndpointEnvironment;
  private readonly unresolved = new Set<string>();

  constructor(private readonly o: ImageFactsOptions) {
    this.env = o.environment ?? processEnvironment();
  }

  /**
   * The facts known now for a model's base images, for `lintDocument`'s environment; asks for the
   * rest in the background. Empty while `layerwise.docker.baseImageChecks` is off, or when the
   * daemon has nothing to say.
   */
  current(model: Model, docker: DockerSettings): ImageFacts {
    if (!docker.baseImageChecks) return {};
    const queries = baseImageQueries(model);
    if (!queries.size) return {};
    const daemon = this.daemonFor(docker.host);
    return daemon ? daemon.current(queries) : {};
  }

  /** Every fact for a model's base images, waiting for the daemon (the command line's `--docker`). */
  async complete(model: Model, host: string): Promise<ImageFacts & { error?: string }> {
    const queries = baseImageQueries(model);
    if (!queries.size) return {};
    const daemon = this.daemonFor(host);
    if (!daemon) return { error: `no Docker endpoint for "${host}"` };
    return daemon.complete(queries);
  }

  dispose(): void {
    for (const d of this.daemons.values()) d.dispose();
    this.daemons.clear();
  }

  private daemonFor(host: string): DaemonFacts | undefined {
    const r = resolveEndpoint(host, this.env);
    if (!r.ok) {
      if (!this.unresolved.has(r.error)) this.o.log(`Base image facts unavailable: ${r.error} [endpoint from ${r.source}]`);
      this.unresolved.add(r.error);
      return undefined;
    }
    let d = this.daemons.get(r.endpoint.key);
    if (!d) {
      d = new DaemonFacts(r.endpoint, {
        log: this.o.log,
        changed: this.o.changed,
        watch: this.o.watch ?? true,
        eventDebounceMs: this.o.eventDebounceMs ?? 300,
        retryAfterMs: this.o.retryAfterMs ?? 30_000,
        client: this.o.client ?? {},
      });
      this.daemons.set(r.endpoint.key, d);
    }
    return d;
  }
}

/**
 * The command line's `--docker`: each model's facts, read from the daemon (DOCKER_HOST, the docker
 * context, the default socket) before it is linted. A daemon that cannot be asked is reported
 * once through `warn`; the rules then stay silent and the exit status does not change.
 */
export function commandLineImageFacts(warn: (message: string) => void): (model: Model) => Promise<ImageFacts> {
  const service = new ImageFactsService({ log: () => undefined, changed: () => undefined, watch: false, retryAfterMs: Number.POSITIVE_INFINITY });
  let warned = false;
  return async (model) => {
    const { error, ...facts } = await service.complete(model, '');
    if (error && !warned) warn(`--docker: base image checks skipped: ${error}`);
    warned ||= !!error;
    return facts;
  };
}
