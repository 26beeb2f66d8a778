import * as path from 'node:path';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import * as tar from 'tar-stream';
import { LayerFiles, looksLikeTar, normalizePath, TarScanner } from './layer-tar';
import { PathTable } from './paths';

/**
 * One pass over an image export (`GET /images/{name}/get`): every blob is recognized by its
 * first bytes, since blobs may come before or after the manifest that names them. Layer tars
 * (plain, gzip or zstd) become LayerFiles, small JSON documents are kept, everything else is
 * skipped. Nothing is written to disk and no layer is held in memory.
 */

export interface ArchiveContents {
  /** Layer tars by archive path. */
  layers: Map<string, LayerFiles>;
  /** Every path the layers name, shared by them. */
  paths: PathTable;
  /** JSON documents by archive path (manifests, indexes, configs). */
  json: Map<string, unknown>;
  /** Why a blob that looked like a layer could not be read, by archive path. */
  failed: Map<string, string>;
  /** Archive path → the path a (sym or hard) link in the archive points at. */
  links: Map<string, string>;
  /** Stored bytes of each file entry. */
  sizes: Map<string, number>;
  bytesRead: number;
}

export interface ReadOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((bytesRead: number) => void) | undefined;
}

const MAX_JSON = 64 << 20;
const SNIFF = 1024;
const PROGRESS_BYTES = 64 << 10;
const PROGRESS_MS = 100;

export function abortError(): Error {
  const e = new Error('The image analysis was cancelled');
  e.name = 'AbortError';
  return e;
}

type Mode = 'sniff' | 'tar' | 'gzip' | 'zstd' | 'json' | 'skip';

/** Where one archive entry's bytes go, decided by its first bytes. */
class BlobSink {
  private mode: Mode = 'sniff';
  private head: Buffer[] = [];
  private headLength = 0;
  private scanner: TarScanner | undefined;
  private gunzip: zlib.Gunzip | undefined;
  private zstd: Decompress | undefined;
  private error: string | undefined;

  constructor(
    private readonly name: string,
    private readonly contents: ArchiveContents,
  ) {}

  /** False when the caller should wait for `drain()` before writing more. */
  write(chunk: Buffer): boolean {
    if (this.mode === 'sniff') {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF) return true;
      return this.decide();
    }
    return this.feed(chunk);
  }

  drain(): Promise<void> {
    const gunzip = this.gunzip;
    if (!gunzip || this.error || gunzip.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        gunzip.removeListener('drain', done).removeListener('close', done);
        resolve();
      };
      gunzip.once('drain', done).once('close', done);
    });
  }

  async end(): Promise<void> {
    if (this.mode === 'sniff' && !this.decide()) await this.drain();
    try {
      if (this.mode === 'gzip' && this.gunzip && !this.error && !this.gunzip.destroyed) {
        const gunzip = this.gunzip;
        await new Promise<void>((resolve) => {
          gunzip.once('end', resolve).once('close', resolve);
          gunzip.end();
        });
      } else if (this.mode === 'zstd' && this.zstd && !this.error) {
        this.zstd.push(new Uint8Array(0), true);
      }
      if (this.scanner && !this.error) this.scanner.end();
    } catch (e) {
      this.fail(e);
    }
    if (this.scanner) {
      if (this.error) this.contents.failed.set(this.name, this.error);
      else this.contents.layers.set(this.name, this.scanner.out);
    }
    if (this.mode === 'json') {
      try {
        this.contents.json.set(this.name, JSON.parse(Buffer.concat(this.head, this.headLength).toString('utf8')));
      } catch {
        // Not JSON after all: nothing refers to it as a document.
      }
      this.head = [];
    }
  }

  private decide(): boolean {
    const head = Buffer.concat(this.head, this.headLength);
    this.head = [];
    this.headLength = 0;
    if (head[0] === 0x1f && head[1] === 0x8b) {
      this.mode = 'gzip';
      this.scanner = new TarScanner(new LayerFiles(this.contents.paths));
      this.gunzip = zlib.createGunzip({ chunkSize: 64 << 10 });
      this.gunzip.on('data', (c: Buffer) => this.scan(c));
      this.gunzip.on('error', (e) => this.fail(e));
    } else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
      this.mode = 'zstd';
      this.scanner = new TarScanner(new LayerFiles(this.contents.paths));
      this.zstd = new Decompress((data) => this.scan(Buffer.from(data.buffer, data.byteOffset, data.length)));
    } else if (looksLikeTar(head)) {
      this.mode = 'tar';
      this.scanner = new TarScanner(new LayerFiles(this.contents.paths));
    } else if (/^\s*[[{]/.test(head.toString('latin1', 0, Math.min(head.length, 64)))) {
      this.mode = 'json';
      this.head = [head];
      this.headLength = head.length;
      return true;
    } else {
      this.mode = 'skip';
      return true;
    }
    return head.length ? this.feed(head) : true;
  }

  private feed(chunk: Buffer): boolean {
    if (this.error) return true;
    switch (this.mode) {
      case 'tar':
        this.scan(chunk);
        return true;
      case 'gzip':
        return this.gunzip!.write(chunk);
      case 'zstd':
        try {
          this.zstd!.push(chunk);
        } catch (e) {
          this.fail(e);
        }
        return true;
      case 'json':
        if (this.headLength + chunk.length > MAX_JSON) {
          this.mode = 'skip';
          this.head = [];
        } else {
          this.head.push(chunk);
          this.headLength += chunk.length;
        }
        return true;
      default:
        return true;
    }
  }

  private scan(chunk: Buffer): void {
    if (this.error) return;
    try {
      this.scanner!.write(chunk);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.error ??= e instanceof Error ? e.message : String(e);
    // Keep reading (and discarding) the entry: one bad blob must not stop the archive.
    this.gunzip?.removeAllListeners('data').on('data', () => undefined);
  }
}

function describe(e: unknown, bytesRead: number, entries: number): Error {
  const message = e instanceof Error ? e.message : String(e);
  if (/unexpected end of data/i.test(message) && !entries && bytesRead < 1024) return new Error(`Not an image export: ${bytesRead} bytes that do not make a tar archive`);
  if (/unexpected end of data/i.test(message)) return new Error(`The image export ended early, after ${bytesRead} bytes: it is incomplete`);
  if (/invalid tar header|header exceeds|invalid header/i.test(message)) return new Error(`Not an image export: the stream is not a tar archive (${message})`);
  return e instanceof Error ? e : new Error(message);
}

/** Reads the whole export stream once. Rejects with an AbortError when `signal` aborts. */
export function readArchive(input: NodeJS.ReadableStream | Readable, options: ReadOptions = {}): Promise<ArchiveContents> {
  const contents: ArchiveContents = { layers: new Map(), paths: new PathTable(), json: new Map(), failed: new Map(), links: new Map(), sizes: new Map(), bytesRead: 0 };
  const { signal, onProgress } = options;
  return new Promise<ArchiveContents>((resolve, reject) => {
    if (signal?.aborted) {
      destroyInput(input);
      reject(abortError());
      return;
    }
    const extract = tar.extract();
    let settled = false;
    let lastProgress = 0;
    let lastProgressAt = Date.now();
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      input.removeListener('data', onData);
      if (error) {
        destroyInput(input);
        extract.destroy();
        reject(error);
      } else {
        onProgress?.(contents.bytesRead);
        resolve(contents);
      }
    };
    const onAbort = (): void => finish(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });

    let entries = 0;
    extract.on('entry', (header, entry, next) => {
      entries++;
      // The archive's own 'error' reports it; an entry cut short repeats it.
      entry.on('error', () => undefined);
      const name = normalizePath(header.name);
      if (header.type === 'symlink' || header.type === 'link') {
        const target = header.linkname ?? '';
        const resolved = header.type === 'symlink' ? path.posix.normalize(path.posix.join(path.posix.dirname(name), target)) : normalizePath(target);
        contents.links.set(name, normalizePath(resolved));
        entry.on('end', () => next());
        entry.resume();
        return;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        entry.on('end', () => next());
        entry.resume();
        return;
      }
      contents.sizes.set(name, header.size ?? 0);
      const sink = new BlobSink(name, contents);
      entry.on('data', (chunk) => {
        if (!sink.write(chunk as Buffer)) {
          entry.pause();
          void sink.drain().then(() => entry.resume());
        }
      });
      entry.on('end', () => {
        sink.end().then(
          () => next(),
          (e: unknown) => next(e instanceof Error ? e : new Error(String(e))),
        );
      });
    });
    extract.on('error', (e: unknown) => finish(signal?.aborted ? abortError() : describe(e, contents.bytesRead, entries)));
    extract.on('finish', () => finish(undefined));
    extract.on('drain', () => void input.resume());

    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      contents.bytesRead += buf.length;
      if (onProgress && contents.bytesRead - lastProgress >= PROGRESS_BYTES) {
        const now = Date.now();
        if (now - lastProgressAt >= PROGRESS_MS) {
          lastProgress = contents.bytesRead;
          lastProgressAt = now;
          onProgress(contents.bytesRead);
        }
      }
      if (!extract.write(buf)) input.pause();
    };
    input.on('data', onData);
    let ended = false;
    input.on('end', () => {
      ended = true;
      if (!settled) extract.end(undefined);
    });
    input.on('error', (e: unknown) => {
      if (signal?.aborted) return finish(abortError());
      const message = e instanceof Error ? e.message : String(e);
      // node's word for a response whose connection closed before its end.
      if (/^aborted$|ECONNRESET|socket hang up/.test(message)) return finish(new Error(`The image export ended early, after ${contents.bytesRead} bytes: the connection to the daemon closed (${message})`));
      finish(new Error(`Reading the image export failed: ${message}`));
    });
    input.on('close', () => {
      // A stream destroyed without 'end' or 'error' (a socket closed early) would otherwise leave us waiting.
      setImmediate(() => {
        if (!settled && !ended) finish(new Error(`The image export ended early, after ${contents.bytesRead} bytes: it is incomplete`));
      });
    });
  });
}

function destroyInput(input: NodeJS.ReadableStream | Readable): void {
  const d = (input as Partial<Readable>).destroy;
  if (typeof d === 'function') d.call(input);
  else input.pause();
}
