import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeLens } from 'vscode-languageserver';
import type { Model } from '../model/model';
import { ContextReader } from './context-snapshot';
import type { BuildSettings, Prediction } from './next-build';
import { predictNow, recordNow, type BuildInputsStore } from './next-build-store';
import type { TimingsStore } from './timings';

/**
 * The next-build prediction of each Dockerfile the editor shows, computed in the background:
 * again 300 ms after a save, a change in its context folder (watched) or a recorded build, one
 * computation at a time. The context is read through one ContextReader, so a save hashes only
 * the files whose stat changed. `changed(uri)` fires when a document's verdict text changes.
 */

export interface NextBuildDocument {
  uri: string;
  file: string;
  settings: BuildSettings;
  /** The image ID of an external image on the configured daemon; undefined when it cannot be told. */
  imageId: (ref: string) => Promise<string | undefined>;
}

export type NextBuildState =
  | { kind: 'prediction'; prediction: Prediction; summary: string }
  | { kind: 'no-record'; summary: string }
  | { kind: 'error'; summary: string };

export interface NextBuildEditorOptions {
  store: BuildInputsStore;
  timings: TimingsStore;
  changed: (uri: string, state: NextBuildState) => void;
  log: (message: string) => void;
  delayMs?: number;
  /** Watch each document's context folder (off in tests that drive `refresh` themselves). */
  watch?: boolean;
}

export const NO_RECORD_SUMMARY = 'next build: needs one recorded build (Build Image, or `layerwise record`)';

/** "next build ≈ 42 s, re-runs from line 7" and the like. */
export function summarize(p: Prediction): string {
  if (p.firstLine === undefined) return p.steps.some((s) => s.willRun === null) ? 'next build: cached, some steps may re-run' : 'next build: all cached';
  // Steps never timed count as unknown: "≈ ? s" when none is timed, "≈ 12 s+" when some are.
  const time = p.untimed && !p.seconds ? '?' : `${p.seconds}${p.untimed ? '+' : ''}`;
  return `next build ≈ ${time} s, re-runs from line ${p.firstLine}`;
}

/** A lens on each step of the next build that re-runs or may re-run, with its reason. */
export function nextBuildLenses(state: NextBuildState | undefined, model: Model): CodeLens[] {
  if (state?.kind !== 'prediction') return [];
  const byLine = new Map(model.instructions.map((i) => [i.range.start.line + 1, i]));
  const out: CodeLens[] = [];
  for (const s of state.prediction.steps) {
    const inst = byLine.get(s.line);
    if (!inst || s.willRun === false) continue;
    const title = s.willRun ? `next build re-runs: ${s.reason}` : `next build: ${s.reason}`;
    // No command: the lens is a label.
    out.push({ range: inst.keywordRange, command: { title, command: '' } });
  }
  return out;
}

export class NextBuildEditorService {
  private readonly reader = new ContextReader();
  private readonly docs = new Map<string, { doc: NextBuildDocument; state: NextBuildState | undefined; timer: NodeJS.Timeout | undefined; watcher: fs.FSWatcher | undefined }>();
  private queue: Promise<void> = Promise.resolve();
  private storeWatcher: fs.FSWatcher | undefined;

  constructor(private readonly o: NextBuildEditorOptions) {
    // A `layerwise record` run in a terminal writes the store: every document predicts again.
    if (o.watch !== false) {
      try {
        fs.mkdirSync(o.store.dir, { recursive: true });
        this.storeWatcher = fs.watch(o.store.dir, () => this.invalidate());
        this.storeWatcher.on('error', () => undefined);
      } catch (e) {
        o.log(`next build: not watching ${o.store.dir}: ${(e as Error).message}`);
      }
    }
  }

  /** The last finished state of a document, if any. */
  current(uri: string): NextBuildState | undefined {
    return this.docs.get(uri)?.state;
  }

  /** Starts (or refreshes) a document: its prediction is computed again after the delay. */
  refresh(doc: NextBuildDocument): void {
    let entry = this.docs.get(doc.uri);
    if (!entry) {
      entry = { doc, state: undefined, timer: undefined, watcher: undefined };
      this.docs.set(doc.uri, entry);
    }
    entry.doc = doc;
    this.schedule(doc.uri);
  }

  /** Records the inputs of a build that has just succeeded from the editor, then predicts again. */
  async recordBuild(doc: NextBuildDocument, imageId: string | undefined): Promise<void> {
    const r = await recordNow({ dockerfilePath: doc.file, settings: doc.settings, imageId: doc.imageId, reader: this.reader }, this.o.store, imageId);
    if ('error' in r) this.o.log(`next build: recording the build of ${doc.file} failed: ${r.error}`);
    this.invalidate();
  }

  /** Something outside the documents changed (a build was recorded): every document again. */
  invalidate(): void {
    for (const uri of this.docs.keys()) this.schedule(uri);
  }

  forget(uri: string): void {
    const e = this.docs.get(uri);
    if (!e) return;
    clearTimeout(e.timer);
    e.watcher?.close();
    this.docs.delete(uri);
  }

  /** Resolves when every scheduled computation has finished (tests). */
  async settled(): Promise<void> {
    while ([...this.docs.values()].some((e) => e.timer)) await new Promise((r) => setTimeout(r, 20));
    await this.queue;
  }

  private watch(doc: NextBuildDocument): fs.FSWatcher | undefined {
    try {
      const w = fs.watch(path.dirname(doc.file), { recursive: true }, () => this.schedule(doc.uri));
      w.on('error', () => undefined);
      return w;
    } catch (e) {
      this.o.log(`next build: not watching ${path.dirname(doc.file)}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private schedule(uri: string): void {
    const e = this.docs.get(uri);
    if (!e) return;
    clearTimeout(e.timer);
    e.timer = setTimeout(() => {
      e.timer = undefined;
      this.queue = this.queue.then(() => this.compute(uri));
    }, this.o.delayMs ?? 300);
  }

  private async compute(uri: string): Promise<void> {
    const e = this.docs.get(uri);
    if (!e) return;
    const { doc } = e;
    let state: NextBuildState;
    try {
      const r = await predictNow({ dockerfilePath: doc.file, settings: doc.settings, imageId: doc.imageId, reader: this.reader }, this.o.store, this.o.timings);
      state =
        r.kind === 'prediction'
          ? { kind: 'prediction', prediction: r.prediction, summary: summarize(r.prediction) }
          : r.kind === 'no-record'
            ? { kind: 'no-record', summary: NO_RECORD_SUMMARY }
            : { kind: 'error', summary: `next build: ${r.error}` };
    } catch (err) {
      state = { kind: 'error', summary: `next build: ${(err as Error).message}` };
    }
    if (this.docs.get(uri) !== e) return;
    // The context is watched once there is a recorded build to compare with: a Dockerfile never
    // built costs no watch over its folder (a recursive watch adds one per subfolder).
    if (state.kind === 'prediction' && !e.watcher && this.o.watch !== false) e.watcher = this.watch(doc);
    const before = e.state;
    e.state = state;
    if (JSON.stringify(before) !== JSON.stringify(state)) this.o.changed(uri, state);
  }

  dispose(): void {
    this.storeWatcher?.close();
    for (const uri of [...this.docs.keys()]) this.forget(uri);
  }
}
