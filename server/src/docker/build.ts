import type Dockerode from 'dockerode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { BuildkitStepTimer, CLASSIC_STEP, ClassicStepTimer, type StepTiming } from '../cache/timings';
import type { DockerBuilder } from '../config';
import { fsBuildContext } from '../model/build-context';
import type { Model } from '../model/model';
import { DockerError, classifyError, type DaemonClient } from './client';
import { openBuildSession, type BuildSession, type ContextStats } from './buildkit-session';
import { bindingOf, stageByTarget } from './history-match';

/**
 * Build from the editor through the Engine API (`POST /build`): the Dockerfile's folder as the
 * context, sent as a tar stream without what `.dockerignore` excludes, the target stage, build
 * args and a tag.
 *
 * BuildKit: buildkit-session.ts opens the session BuildKit needs (`POST /session`, hijacked to
 * HTTP/2, a gRPC server on our side) and serves the context and the Dockerfile through it, for
 * `version=2&remote=client-session` (as the docker CLI does). The classic builder (`version=1`) needs no session;
 * it is used when asked for, on daemons without BuildKit (Windows), and when a BuildKit build
 * cannot even start (a proxy that refuses the session upgrade, say).
 */

export interface BuildPlan {
  contextDir: string;
  /** The Dockerfile, relative to the context, with forward slashes. */
  dockerfile: string;
  tag: string;
  target: string | undefined;
  buildArgs: Record<string, string>;
  builder: DockerBuilder;
}

export type PlanResult = { ok: true; plan: BuildPlan } | { ok: false; error: string };

/** A tag for a Dockerfile that names none: the folder (`app:latest`), plus the file's own part (`app-dev` for Dockerfile.dev). */
export function defaultTag(dockerfilePath: string): string {
  const dir = path.basename(path.dirname(dockerfilePath));
  const file = path.basename(dockerfilePath);
  const extra = /^(?:dockerfile|containerfile)\.(.+)$/i.exec(file)?.[1] ?? /^(.+)\.(?:dockerfile|containerfile)$/i.exec(file)?.[1];
  const clean = (s: string): string =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const name = [clean(dir), extra ? clean(extra) : ''].filter(Boolean).join('-') || 'layerwise-build';
  return `${name}:latest`;
}

/** Whether `ref` can be given to `docker build -t` (`name[:tag]`, lower-case name, no digest). */
export function isTaggable(ref: string): boolean {
  return /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/.test(ref) && !ref.startsWith('sha256');
}

export function planBuild(
  model: Model,
  dockerfilePath: string,
  settings: { image: string; target: string; builder: DockerBuilder },
  buildArgs: Record<string, string>,
): PlanResult {
  const binding = bindingOf(model, settings);
  let target: string | undefined;
  if (binding.target) {
    const stage = stageByTarget(model, binding.target);
    if (!stage) return { ok: false, error: `The Dockerfile has no stage named "${binding.target}" (the build target).` };
    target = stage.name ?? binding.target;
  }
  const tag = binding.image && isTaggable(binding.image) ? binding.image : defaultTag(dockerfilePath);
  const contextDir = path.dirname(dockerfilePath);
  return {
    ok: true,
    plan: {
      contextDir,
      dockerfile: path.relative(contextDir, dockerfilePath).split(path.sep).join('/'),
      tag,
      target,
      buildArgs: { ...buildArgs },
      builder: settings.builder,
    },
  };
}

/**
 * The build context as a tar stream: every file `docker build` would send. Ignored folders are
 * not even walked unless a `!pattern` could bring something back inside them. The Dockerfile and
 * the ignore file always go (the daemon needs them; Docker does the same).
 */
export function contextTar(contextDir: string, dockerfile: string, signal?: AbortSignal): { stream: Readable; stats: Promise<ContextStats> } {
  const ctx = fsBuildContext(contextDir, path.join(contextDir, dockerfile));
  const negations = (ctx.ignoreFile?.patterns ?? []).some((p) => p.startsWith('!'));
  const always = new Set([dockerfile, '.dockerignore', `${dockerfile}.dockerignore`]);
  const pack = tar.pack();
  const stats: ContextStats = { files: 0, bytes: 0 };
  const addFile = (name: string, full: string, st: fs.Stats): Promise<void> =>
    new Promise((resolve, reject) => {
      const entry = pack.entry({ name, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime, type: 'file' }, (err) => (err ? reject(err) : resolve()));
      const input = fs.createReadStream(full);
      input.on('error', (e) => {
        entry.destroy(e);
        reject(e);
      });
      input.pipe(entry);
    });
  const walk = async (relDir: string): Promise<void> => {
    const dir = path.join(contextDir, relDir);
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (signal?.aborted) throw new Error('cancelled');
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      const full = path.join(dir, e.name);
      const ignored = ctx.isIgnored(rel) && !always.has(rel);
      const st = await fs.promises.lstat(full);
      if (st.isDirectory()) {
        if (ignored && !negations) continue;
        if (!ignored) pack.entry({ name: `${rel}/`, type: 'directory', mode: st.mode & 0o7777, mtime: st.mtime });
        await walk(rel);
      } else if (ignored) {
        continue;
      } else if (st.isSymbolicLink()) {
        pack.entry({ name: rel, type: 'symlink', linkname: await fs.promises.readlink(full), mode: st.mode & 0o7777, mtime: st.mtime });
      } else if (st.isFile()) {
        await addFile(rel, full, st);
        stats.files++;
        stats.bytes += st.size;
      }
    }
  };
  const done = walk('').then(
    () => {
      pack.finalize();
      return stats;
    },
    (e: unknown) => {
      pack.destroy(e as Error);
      throw e;
    },
  );
  done.catch(() => undefined);
  return { stream: pack as unknown as Readable, stats: done };
}

export interface BuildResult {
  ok: boolean;
  cancelled: boolean;
  tag: string;
  target: string | undefined;
  builder: 'buildkit' | 'classic';
  imageId: string | undefined;
  durationMs: number;
  context: ContextStats | undefined;
  error: string | undefined;
}

export interface BuildCallbacks {
  signal?: AbortSignal;
  /** Every line of build output, as `docker build` would print it. */
  onLine?: (line: string) => void;
  /** The step being worked on: `[2/5] RUN make`, `Step 2/5 : RUN make`. */
  onStep?: (step: string) => void;
  /** Each Dockerfile step as it completes: BuildKit's own timestamps, or the time between the classic builder's `Step` lines. */
  onStepTiming?: (t: StepTiming) => void;
}

/**
 * Which builder `auto` means on this daemon: BuildKit, except on Windows daemons and on Podman,
 * whose compatible build endpoint builds with buildah and has no BuildKit session to open.
 */
export function chooseBuilder(wanted: DockerBuilder, daemonOs: string, engine: 'docker' | 'podman' = 'docker'): 'buildkit' | 'classic' {
  if (wanted === 'classic') return 'classic';
  if (wanted === 'buildkit') return 'buildkit';
  return daemonOs === 'windows' || engine === 'podman' ? 'classic' : 'buildkit';
}

export async function runBuild(client: DaemonClient, plan: BuildPlan, cb: BuildCallbacks = {}): Promise<BuildResult> {
  const started = Date.now();
  const builder = chooseBuilder(plan.builder, client.info.os, client.info.engine);
  const first = await buildOnce(client, plan, builder, cb);
  if (!first.ok && !first.cancelled && first.startFailed && builder === 'buildkit' && plan.builder === 'auto') {
    cb.onLine?.(`BuildKit could not start (${first.error}); building with the classic builder instead.`);
    const second = await buildOnce(client, plan, 'classic', cb);
    return finish(second, 'classic');
  }
  return finish(first, builder);

  function finish(r: OnceResult, b: 'buildkit' | 'classic'): BuildResult {
    return {
      ok: r.ok,
      cancelled: r.cancelled,
      tag: plan.tag,
      target: plan.target,
      builder: b,
      imageId: r.imageId,
      durationMs: Date.now() - started,
      context: r.context,
      error: r.error,
    };
  }
}

interface OnceResult {
  ok: boolean;
  cancelled: boolean;
  /** The daemon refused the build before any output (no stream). */
  startFailed: boolean;
  imageId: string | undefined;
  context: ContextStats | undefined;
  error: string | undefined;
}

/**
 * Engine faults a user cannot act on from the message alone. Docker's containerd image store
 * sometimes loses a parent snapshot while unpacking the built image (moby/buildkit#6521); the
 * build itself ran, and building again succeeds.
 */
export function explainEngineFault(error: string): string {
  if (/failed to prepare extraction snapshot .*parent snapshot .* does not exist/.test(error)) {
    return `${error}\nThe engine's containerd image store lost a layer while unpacking the built image (a known engine fault, moby/buildkit#6521). The steps ran; building again usually succeeds.`;
  }
  return error;
}

async function buildOnce(client: DaemonClient, plan: BuildPlan, builder: 'buildkit' | 'classic', cb: BuildCallbacks): Promise<OnceResult> {
  const fail = (error: string, startFailed = false): OnceResult => ({
    ok: false,
    cancelled: !!cb.signal?.aborted,
    startFailed,
    imageId: undefined,
    context: undefined,
    error: cb.signal?.aborted ? 'cancelled' : error,
  });
  if (cb.signal?.aborted) return fail('cancelled');
  let docker: Dockerode;
  try {
    docker = await client.streaming();
  } catch (e) {
    return fail(classifyError(e, client.endpoint).detail, true);
  }
  cb.onLine?.(
    `Building ${plan.tag}${plan.target ? ` (target ${plan.target})` : ''} from ${path.join(plan.contextDir, plan.dockerfile)} with ${builder === 'buildkit' ? 'BuildKit' : 'the classic builder'} on ${client.endpoint.host}`,
  );
  const options: Record<string, unknown> = {
    t: plan.tag,
    dockerfile: plan.dockerfile,
    rm: true,
    forcerm: true,
    version: builder === 'buildkit' ? '2' : '1',
  };
  if (plan.target) options.target = plan.target;
  if (Object.keys(plan.buildArgs).length) options.buildargs = plan.buildArgs;
  // BuildKit reads the context through the session (remote=client-session), as the docker CLI
  // sends it; the classic builder reads it from the request body.
  let session: BuildSession | undefined;
  let syncError: string | undefined;
  if (builder === 'buildkit') {
    try {
      session = await openBuildSession(docker, plan.contextDir, plan.dockerfile, (e) => (syncError ??= e.message));
    } catch (e) {
      return fail(`the daemon refused the BuildKit session: ${classifyError(e, client.endpoint).detail}`, true);
    }
    Object.assign(options, { remote: 'client-session', session: session.id });
  }
  const context = session ? undefined : contextTar(plan.contextDir, plan.dockerfile, cb.signal);
  // Cancelling: no AbortSignal goes to node's http (it would error a socket nobody listens to
  // once the response is under way). Before the response, failing the context stream (or closing
  // the session) makes the request fail; after it, the response stream is destroyed. Either way
  // the connection closes and the daemon stops the build.
  // A daemon that never answers (the whole context already sent) is not waited for after Cancel:
  // the request is aborted before its response, which is the only time `head` fires.
  const head = new AbortController();
  let cancelled: () => void = () => undefined;
  const cancelledBeforeHead = new Promise<'cancelled'>((resolve) => (cancelled = () => resolve('cancelled')));
  const cancelUpload = (): void => {
    context?.stream.destroy(new Error('cancelled'));
    session?.close();
    head.abort();
    cancelled();
  };
  cb.signal?.addEventListener('abort', cancelUpload, { once: true });
  let stream: NodeJS.ReadableStream & { emit(event: string): boolean; destroy(): void };
  try {
    const answer = await Promise.race([
      context
        ? docker.buildImage(context.stream as unknown as NodeJS.ReadableStream, options as Dockerode.ImageBuildOptions)
        : postBuild(docker, options, head.signal),
      cancelledBeforeHead,
    ]);
    if (answer === 'cancelled') return fail('cancelled');
    stream = answer as typeof stream;
  } catch (e) {
    context?.stream.destroy();
    session?.close();
    const err = classifyError(e, client.endpoint);
    return fail(err instanceof DockerError ? err.detail : String(e), true);
  } finally {
    cb.signal?.removeEventListener('abort', cancelUpload);
  }
  stream.on('error', () => undefined);
  let error: string | undefined;
  let imageId: string | undefined;
  // A connection closed before the output ends (a daemon that dies or restarts) ends the build
  // with an error instead of a wait; output that holds no event at all is not a build's.
  let ended = false;
  let events = 0;
  let bytes = 0;
  stream.on('end', () => (ended = true));
  stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const buildkitTimer = cb.onStepTiming && builder === 'buildkit' ? new BuildkitStepTimer(cb.onStepTiming) : undefined;
  const classicTimer = cb.onStepTiming && builder === 'classic' ? new ClassicStepTimer(cb.onStepTiming) : undefined;
  // followProgress turns trace messages into text and drops their timestamps: read them from the raw stream too.
  if (buildkitTimer) stream.on('data', (chunk: Buffer) => buildkitTimer.push(chunk));
  const follow = (docker as unknown as { followProgress(s: NodeJS.ReadableStream, done: (e: unknown) => void, progress: (ev: Record<string, unknown>) => void): void }).followProgress;
  await new Promise<void>((resolve) => {
    const onAbort = (): void => {
      // dockerode closes the BuildKit session when the response ends: make sure it does.
      stream.emit('end');
      stream.destroy();
      resolve();
    };
    if (cb.signal?.aborted) return onAbort();
    cb.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('close', () => {
      if (ended || cb.signal?.aborted) return;
      error ??= `the connection to the daemon at ${client.endpoint.host} closed before the build finished`;
      cb.signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    follow.call(
      docker,
      stream,
      (e: unknown) => {
        cb.signal?.removeEventListener('abort', onAbort);
        if (e && !error) error = (e as Error).message ?? String(e);
        resolve();
      },
      (ev) => {
        events++;
        if (typeof ev.error === 'string') {
          error = ev.error;
          cb.onLine?.(`ERROR: ${ev.error}`);
          return;
        }
        const aux = ev.aux as { ID?: unknown } | undefined;
        if (typeof aux?.ID === 'string') imageId = aux.ID;
        if (typeof ev.stream === 'string') {
          for (const raw of ev.stream.split('\n')) {
            const line = buildkitLine(raw.replace(/\s+$/, ''));
            if (!line) continue;
            const built = /^Built image: (sha256:[0-9a-f]+)/.exec(line.text);
            if (built) imageId = built[1];
            for (const l of line.text.split('\n')) {
              if (!l.trim()) continue;
              cb.onLine?.(l.replace(/\s+$/, ''));
              classicTimer?.line(l);
            }
            const step = line.step ?? (CLASSIC_STEP.test(line.text) ? line.text : undefined);
            if (step) cb.onStep?.(step);
          }
        } else if (typeof ev.status === 'string') {
          cb.onLine?.(`${ev.status}${typeof ev.progress === 'string' ? ` ${ev.progress}` : ''}`);
        }
      },
    );
  });
  session?.close();
  if (error && syncError) error = `${error} (sending the context: ${syncError})`;
  buildkitTimer?.end();
  classicTimer?.end(!error && !cb.signal?.aborted);
  if (!error && !events && bytes > 0 && !cb.signal?.aborted) error = `the daemon's answer to POST /build is not build output (${bytes} bytes without one event)`;
  const stats = context ? await context.stats.catch(() => undefined) : session?.stats;
  if (cb.signal?.aborted) return { ...fail('cancelled'), context: stats };
  if (error) return { ...fail(explainEngineFault(error)), context: stats };
  try {
    const inspected = await client.inspect(plan.tag);
    imageId = inspected?.Id ?? imageId;
  } catch {
    /* the id from the stream will do */
  }
  if (!imageId) return { ...fail('the daemon reported no image id'), context: stats };
  return { ok: true, cancelled: false, startFailed: false, imageId, context: stats, error: undefined };
}

/** `POST /build` without a body: BuildKit takes the context from the session. */
function postBuild(docker: Dockerode, options: Record<string, unknown>, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
  const modem = docker.modem as unknown as { dial(o: Record<string, unknown>, cb: (err: unknown, data: unknown) => void): void };
  return new Promise((resolve, reject) =>
    modem.dial(
      // `_query` and an empty `_body`: the parameters go in the query string and nothing in the body.
      { path: '/build?', method: 'POST', options: { _query: options, _body: {} }, abortSignal: signal, isStream: true, statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' } },
      (err, data) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
    ),
  );
}

/**
 * One line of dockerode's BuildKit progress: `[sha256:1a2b3] [2/5] RUN make` when a step starts
 * (shown without the digest), or a command's output, which dockerode 5 hands over still base64
 * encoded: decoded here when it is base64 of printable text.
 */
export function buildkitLine(line: string): { text: string; step: string | undefined } | undefined {
  if (!line) return undefined;
  const vertex = /^\[(?:sha256:)?[0-9a-f]+\] (.*)$/.exec(line);
  if (vertex) return { text: vertex[1]!, step: vertex[1]! };
  if (line.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(line)) {
    const decoded = Buffer.from(line, 'base64');
    const text = decoded.toString('utf8');
    if (decoded.toString('base64') === line && !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) return { text: text.replace(/\s+$/, ''), step: undefined };
  }
  return { text: line, step: undefined };
}
