import type { RegistrySettings } from '../config';
import { formatPlatform } from '../rules/lib/local-images';
import type { DaemonPlatform } from '../rules/rule';
import { RegistryClient, RegistryError, type RegistryClientOptions } from './client';
import { registryCredentials } from './credentials';
import { daemonRegistryConfig } from './daemon-config';
import { imageInfo, type ImageInfo, type ManifestCache } from './image-info';
import { familiarName, isExcluded, parseReference } from './reference';

/**
 * The editor's registry answers: per reference and platform, fetched in the background (at most
 * two at a time) and kept for `ttlMs`; a failure is kept too (a minute, or as long as a 429's
 * Retry-After), logged once per reason, and never thrown at a request. Nothing is asked unless
 * `layerwise.registry.enabled`, and never for an excluded registry or repository. `changed()` says
 * new answers are in (the server refreshes lenses and diagnostics).
 */

export type RegistryAnswer = { state: 'loading'; info?: ImageInfo } | { state: 'ready'; info: ImageInfo } | { state: 'failed'; error: RegistryError; info?: ImageInfo };

export interface RegistryServiceOptions {
  log(message: string): void;
  changed(): void;
  /** How long an answer stays fresh (default 10 minutes); an older one is shown while it is asked again. */
  ttlMs?: number;
  /** How long a failure is kept before asking again (default 60 s; a 429 says how long itself). */
  failureTtlMs?: number;
  client?: RegistryClientOptions;
}

interface Entry {
  answer: RegistryAnswer;
  at: number;
  ttl: number;
}

const MAX_ENTRIES = 500;

export class RegistryService {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: { key: string; ref: string; platform: DaemonPlatform }[] = [];
  private readonly manifests: ManifestCache = new Map();
  private readonly logged = new Set<string>();
  private running = 0;
  private client: RegistryClient | undefined;
  private disposed = false;

  constructor(private readonly o: RegistryServiceOptions) {}

  /**
   * What is known for `ref` built for `platform`; undefined when it is not to be asked (registry
   * queries off, excluded, not a reference). Asks in the background when missing or stale.
   */
  lookup(ref: string, platform: DaemonPlatform, settings: RegistrySettings): RegistryAnswer | undefined {
    if (!settings.enabled) return undefined;
    const parsed = parseReference(ref);
    if (!parsed.ok || isExcluded(parsed.ref, settings.exclude)) return undefined;
    const key = `${familiarName(parsed.ref)} ${formatPlatform(platform)}`;
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.at < entry.ttl) return entry.answer;
    if (entry?.answer.state === 'loading') return entry.answer;
    const stale = entry && 'info' in entry.answer ? entry.answer.info : undefined;
    this.set(key, { state: 'loading', ...(stale ? { info: stale } : {}) }, Number.POSITIVE_INFINITY);
    this.queue.push({ key, ref, platform });
    this.pump();
    return this.entries.get(key)!.answer;
  }

  /** Everything is asked again on the next lookup (a settings change, a Retry). */
  forget(): void {
    for (const [key, e] of this.entries) if (e.answer.state !== 'loading') this.entries.delete(key);
    this.logged.clear();
    this.client = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
  }

  private set(key: string, answer: RegistryAnswer, ttl: number): void {
    this.entries.delete(key);
    this.entries.set(key, { answer, at: Date.now(), ttl });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }

  private pump(): void {
    while (this.running < 2 && this.queue.length && !this.disposed) {
      const job = this.queue.shift()!;
      this.running++;
      void this.fetch(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async fetch({ key, ref, platform }: { key: string; ref: string; platform: DaemonPlatform }): Promise<void> {
    const parsed = parseReference(ref);
    if (!parsed.ok) return;
    this.client ??= new RegistryClient({
      ...daemonRegistryConfig(),
      credentials: (r) => registryCredentials(r, { log: this.o.log }),
      log: this.o.log,
      ...this.o.client,
    });
    const previous = this.entries.get(key)?.answer;
    const stale = previous && 'info' in previous ? previous.info : undefined;
    try {
      const info = await imageInfo(this.client, parsed.ref, { platform, allPlatforms: false }, this.manifests);
      this.set(key, { state: 'ready', info }, this.o.ttlMs ?? 10 * 60_000);
      this.logged.delete(key);
    } catch (e) {
      const error = e instanceof RegistryError ? e : new RegistryError('garbage', (e as Error).message);
      const line = `Registry: ${ref} (${formatPlatform(platform)}): ${error.kind}: ${error.message}`;
      if (!this.logged.has(`${key} ${error.kind}`)) this.o.log(line);
      this.logged.add(`${key} ${error.kind}`);
      const ttl = Math.max(this.o.failureTtlMs ?? 60_000, error.retryAfterMs ?? 0);
      this.set(key, { state: 'failed', error, ...(stale ? { info: stale } : {}) }, ttl);
    }
    if (!this.disposed) this.o.changed();
  }
}
