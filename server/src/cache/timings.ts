import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * What rebuilding each step costs, from the builds run from the editor: BuildKit's progress
 * (`moby.buildkit.trace` messages, whose vertexes carry started/completed timestamps and whether
 * they were cached), or for the classic builder the time between its `Step N/M` lines. A store
 * keeps, per Dockerfile, the duration of the last run of each instruction that was not cached.
 */

export interface StepTiming {
  /** As the builder names it: `[2/5] RUN make`, `Step 2/5 : RUN make`. */
  step: string;
  seconds: number;
  cached: boolean;
}

interface Vertex {
  digest: string;
  name: string;
  cached: boolean;
  started: number | undefined;
  completed: number | undefined;
  error: string;
}

/** A minimal protobuf reader: only what StatusResponse.vertexes needs (buildkit_status.proto). */
class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.at >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 1;
    for (;;) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new Error('truncated varint');
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
  }
  bytes(): Buffer {
    const len = this.varint();
    const out = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.at += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.at += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** google.protobuf.Timestamp → milliseconds since the epoch. */
function timestamp(buf: Buffer): number {
  const r = new Reader(buf);
  let seconds = 0;
  let nanos = 0;
  while (!r.done) {
    const tag = r.varint();
    if (tag === (1 << 3)) seconds = r.varint();
    else if (tag === ((2 << 3) | 0)) nanos = r.varint();
    else r.skip(tag & 7);
  }
  return seconds * 1000 + nanos / 1e6;
}

function vertex(buf: Buffer): Vertex {
  const r = new Reader(buf);
  const v: Vertex = { digest: '', name: '', cached: false, started: undefined, completed: undefined, error: '' };
  while (!r.done) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === 2) v.digest = r.bytes().toString('utf8');
    else if (field === 3 && wire === 2) v.name = r.bytes().toString('utf8');
    else if (field === 4 && wire === 0) v.cached = r.varint() !== 0;
    else if (field === 5 && wire === 2) v.started = timestamp(r.bytes());
    else if (field === 6 && wire === 2) v.completed = timestamp(r.bytes());
    else if (field === 7 && wire === 2) v.error = r.bytes().toString('utf8');
    else r.skip(wire);
  }
  return v;
}

/** The vertexes of one StatusResponse (the base64 `aux` of a `moby.buildkit.trace` message). */
export function decodeStatusVertexes(aux: string): Vertex[] {
  const r = new Reader(Buffer.from(aux, 'base64'));
  const out: Vertex[] = [];
  while (!r.done) {
    const tag = r.varint();
    if (tag === ((1 << 3) | 2)) out.push(vertex(r.bytes()));
    else r.skip(tag & 7);
  }
  return out;
}

/** Dockerfile steps are named `[2/5] RUN make` or `[build 2/5] RUN make`; BuildKit's own vertexes (`[internal] ...`) are not. */
const STEP_NAME = /^\[(?:[^\]\s]+ )?\d+\/\d+\] /;

/**
 * Follows BuildKit's progress and reports each Dockerfile step once, when it completes. Feed it
 * the raw JSON lines of the build response (it ignores everything but trace messages).
 */
export class BuildkitStepTimer {
  private readonly seen = new Map<string, { started: number | undefined; cached: boolean; name: string }>();
  private readonly reported = new Set<string>();
  private partial = '';

  constructor(private readonly onTiming: (t: StepTiming) => void) {}

  /** A chunk of the response body (newline-delimited JSON). */
  push(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  line(line: string): void {
    if (!line.includes('moby.buildkit.trace')) return;
    let msg: { id?: unknown; aux?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.id !== 'moby.buildkit.trace' || typeof msg.aux !== 'string') return;
    let vertexes: Vertex[];
    try {
      vertexes = decodeStatusVertexes(msg.aux);
    } catch {
      return;
    }
    for (const v of vertexes) this.vertex(v);
  }

  private vertex(v: Vertex): void {
    const known = this.seen.get(v.digest) ?? { started: undefined, cached: false, name: v.name };
    if (v.name) known.name = v.name;
    if (v.started !== undefined) known.started ??= v.started;
    known.cached ||= v.cached;
    this.seen.set(v.digest, known);
    if (v.completed === undefined || v.error || this.reported.has(v.digest) || !STEP_NAME.test(known.name)) return;
    this.reported.add(v.digest);
    const started = known.started ?? v.completed;
    this.onTiming({ step: known.name, seconds: Math.max(0, (v.completed - started) / 1000), cached: known.cached });
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }
}

/** A step line of the classic builder (`Step 2/5 : RUN make`) or of Podman's buildah (`STEP 2/5: RUN make`). */
export const CLASSIC_STEP = /^(?:Step \d+\/\d+ : |STEP \d+\/\d+: )/;

/** The classic builder: a step lasts from its `Step N/M` line to the next (or to the end of the build). */
export class ClassicStepTimer {
  private current: { step: string; started: number; cached: boolean } | undefined;

  constructor(
    private readonly onTiming: (t: StepTiming) => void,
    private readonly now: () => number = Date.now,
  ) {}

  line(text: string): void {
    if (CLASSIC_STEP.test(text)) {
      this.close();
      this.current = { step: text, started: this.now(), cached: false };
    } else if (this.current && /^ ---> Using cache$|^--> Using cache [0-9a-f]+$/.test(text.replace(/\s+$/, ''))) this.current.cached = true; // classic, buildah
  }

  /** The build finished (successfully: a failed step's time is not its cost). */
  end(ok: boolean): void {
    if (ok) this.close();
    this.current = undefined;
  }

  private close(): void {
    if (!this.current) return;
    this.onTiming({ step: this.current.step, seconds: Math.max(0, (this.now() - this.current.started) / 1000), cached: this.current.cached });
    this.current = undefined;
  }
}

/** `[build 2/5] RUN  make` / `Step 2/5 : RUN make` → `RUN make`. */
export function stepKey(step: string): string {
  const text = step.replace(STEP_NAME, '').replace(CLASSIC_STEP, '').replace(/\s+/g, ' ').trim();
  const m = /^(\S+)(.*)$/.exec(text);
  if (!m) return text;
  const keyword = m[1]!.toUpperCase();
  return keyword === 'FROM' ? fromKey(m[2]!) : keyword + m[2];
}

/** BuildKit names FROM by the full reference (`docker.io/library/x:latest@sha256:…`): compare by the short one. */
function fromKey(rest: string): string {
  let ref = rest.trim().split(' ').find((w) => !w.startsWith('--')) ?? '';
  ref = ref.replace(/@sha256:[0-9a-f]+$/, '').replace(/^docker\.io\//, '').replace(/^library\//, '');
  if (!/:[^/]+$/.test(ref)) ref += ':latest';
  return `FROM ${ref.toLowerCase()}`;
}

interface StoredStep {
  seconds: number;
  /** When it was built (ms since the epoch). */
  at: number;
}

export interface StoreFile {
  version: 1;
  dockerfile: string;
  /** The last non-cached duration per step key. */
  steps: Record<string, StoredStep>;
  /** The last builds, newest last, every step as reported (cached ones too). */
  builds: { at: number; steps: StepTiming[] }[];
}

const MAX_BUILDS = 10;
const MAX_STEPS = 500;

/**
 * Where the editor records build timings and where `layerwise cache-report` reads them, so both
 * show the same seconds: `$XDG_CACHE_HOME/layerwise/build-timings` (default `~/.cache/...`).
 */
export function defaultTimingsDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'layerwise', 'build-timings');
}

/**
 * Per Dockerfile, the step durations of the last builds, as small JSON files in a directory (the
 * server's global storage; a temporary folder in tests).
 */
export class TimingsStore {
  private readonly writes = new Map<string, Promise<void>>();

  constructor(readonly dir: string) {}

  private fileFor(dockerfilePath: string): string {
    const id = createHash('sha256').update(path.resolve(dockerfilePath)).digest('hex').slice(0, 32);
    return path.join(this.dir, `timings-${id}.json`);
  }

  async read(dockerfilePath: string): Promise<StoreFile> {
    try {
      const data = JSON.parse(await fs.promises.readFile(this.fileFor(dockerfilePath), 'utf8')) as StoreFile;
      if (data.version === 1 && data.steps && Array.isArray(data.builds)) return data;
    } catch {
      /* none yet, or unreadable: start over */
    }
    return { version: 1, dockerfile: path.resolve(dockerfilePath), steps: {}, builds: [] };
  }

  /** Records one build's steps. A cached step leaves the known duration alone. Writes are serialized per file. */
  record(dockerfilePath: string, timings: StepTiming[], at = Date.now()): Promise<void> {
    const file = this.fileFor(dockerfilePath);
    const previous = this.writes.get(file) ?? Promise.resolve();
    const next = previous.then(async () => {
      const data = await this.read(dockerfilePath);
      for (const t of timings) if (!t.cached) data.steps[stepKey(t.step)] = { seconds: Math.round(t.seconds * 1000) / 1000, at };
      const keys = Object.keys(data.steps);
      if (keys.length > MAX_STEPS) for (const k of keys.sort((a, b) => data.steps[a]!.at - data.steps[b]!.at).slice(0, keys.length - MAX_STEPS)) delete data.steps[k];
      data.builds.push({ at, steps: timings });
      data.builds = data.builds.slice(-MAX_BUILDS);
      await fs.promises.mkdir(this.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify(data));
      await fs.promises.rename(tmp, file);
    });
    const settled = next.catch(() => undefined);
    this.writes.set(file, settled);
    void settled.then(() => {
      if (this.writes.get(file) === settled) this.writes.delete(file);
    });
    return next;
  }

  /** c_i: seconds of the last non-cached run of an instruction (by its text, or its text with variables expanded); null when never measured. */
  static secondsFor(data: StoreFile, texts: (string | undefined)[]): number | null {
    for (const t of texts) {
      if (!t) continue;
      const hit = data.steps[stepKey(t)];
      if (hit) return hit.seconds;
    }
    return null;
  }
}
