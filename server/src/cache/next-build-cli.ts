import * as fs from 'node:fs';
import * as path from 'node:path';
import { DaemonClient, DockerError } from '../docker/client';
import { resolveEndpoint } from '../docker/endpoint';
import { processEnvironment } from '../docker/service';
import { initShellParser } from '../model/shell';
import { ContextReader } from './context-snapshot';
import { BuildInputsStore, defaultInputsDir, predictNow, recordNow, type NextBuildInputs } from './next-build-store';
import { defaultTimingsDir, TimingsStore } from './timings';

export const RECORD_USAGE = `Usage: layerwise record [--target STAGE] [--build-arg K=V]... [--host URL] --image REF DOCKERFILE

  Records the inputs of a build just made outside the editor (docker build in a terminal or CI),
  from the context as it is now (the Dockerfile's folder) and the image the build produced, so
  that \`layerwise next-build\` and the editor can say what the next build re-runs. Give the same
  --target and --build-arg values as the build. The Docker daemon (--host, else DOCKER_HOST, the
  docker context, the default socket) is asked for the image and the base images' IDs.`;

export const NEXT_BUILD_USAGE = `Usage: layerwise next-build [--json] [--target STAGE] [--build-arg K=V]... [--no-cache-filter STAGE]... [--host URL] DOCKERFILE

  Predicts which steps the next BuildKit build of DOCKERFILE re-runs, and why ("src/app.py
  changed", "line 7 edited", "build arg VERSION changed", "base image updated"), against the last
  build recorded by the editor's Build Image or by \`layerwise record\`. A step that copies from a
  stage that re-runs "may re-run" (willRun null): BuildKit keys it by the content copied.
  --json prints { "steps": [ { "line", "instruction", "willRun", "reason", "seconds" } ], "seconds": N }
  (seconds from the recorded build timings; N sums the steps that re-run).

  Exit status: 0 predicted, 1 no recorded build of this Dockerfile and target, 2 usage or input problem.`;

interface Parsed {
  json: boolean;
  target: string | undefined;
  buildArgs: Record<string, string>;
  noCacheFilter: string[];
  host: string;
  image: string | undefined;
  files: string[];
}

function parse(argv: string[], command: string, usage: string, io: { err: (s: string) => void }): Parsed | 'help' | undefined {
  const p: Parsed = { json: false, target: undefined, buildArgs: {}, noCacheFilter: [], host: '', image: undefined, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => (flag !== a ? a.slice(eq + 1) : argv[++i]);
    if (flag === '--json' && command === 'next-build') p.json = true;
    else if (flag === '--target' || flag === '--host' || flag === '--image' || flag === '--build-arg' || (flag === '--no-cache-filter' && command === 'next-build')) {
      const v = value();
      if (v === undefined || v === '') {
        io.err(`layerwise ${command}: ${flag} needs a value\n\n${usage}`);
        return undefined;
      }
      if (flag === '--target') p.target = v;
      else if (flag === '--host') p.host = v;
      else if (flag === '--image') p.image = v;
      else if (flag === '--no-cache-filter') p.noCacheFilter.push(...v.split(','));
      else {
        // As docker build: `--build-arg K` takes K's value from the environment.
        const k = v.indexOf('=');
        if (k > 0) p.buildArgs[v.slice(0, k)] = v.slice(k + 1);
        else if (process.env[v] !== undefined) p.buildArgs[v] = process.env[v]!;
      }
    } else if (a.startsWith('-')) {
      io.err(`layerwise ${command}: unknown option ${a}\n\n${usage}`);
      return undefined;
    } else p.files.push(a);
  }
  if (p.files.length !== 1) {
    io.err(`layerwise ${command}: give one Dockerfile\n\n${usage}`);
    return undefined;
  }
  return p;
}

async function connect(host: string): Promise<DaemonClient | string> {
  const endpoint = resolveEndpoint(host, processEnvironment());
  if (!endpoint.ok) return `${endpoint.error} [endpoint from ${endpoint.source}]`;
  try {
    return await DaemonClient.connect(endpoint.endpoint);
  } catch (e) {
    return e instanceof DockerError ? e.detail : String(e);
  }
}

export interface NextBuildCliOptions {
  inputsStore?: BuildInputsStore;
  timingsStore?: TimingsStore;
}

/** `layerwise record ...`. */
export async function runRecord(argv: string[], io: { out: (s: string) => void; err: (s: string) => void }, options: NextBuildCliOptions = {}): Promise<number> {
  const p = parse(argv, 'record', RECORD_USAGE, io);
  if (p === 'help') {
    io.out(RECORD_USAGE);
    return 0;
  }
  if (!p) return 2;
  if (!p.image) {
    io.err(`layerwise record: --image REF names the image the build produced\n\n${RECORD_USAGE}`);
    return 2;
  }
  const file = path.resolve(p.files[0]!);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    io.err(`layerwise record: ${p.files[0]}: no such file`);
    return 2;
  }
  const client = await connect(p.host);
  if (typeof client === 'string') {
    io.err(`layerwise record: ${client}`);
    return 2;
  }
  const image = await client.inspect(p.image).catch(() => undefined);
  if (!image) {
    io.err(`layerwise record: the daemon has no image ${p.image}`);
    return 2;
  }
  await initShellParser();
  const store = options.inputsStore ?? new BuildInputsStore(defaultInputsDir());
  const inputs: NextBuildInputs = {
    dockerfilePath: file,
    settings: { target: p.target, buildArgs: p.buildArgs },
    imageId: async (ref) => (await client.inspect(ref))?.Id,
    reader: new ContextReader(),
  };
  const rec = await recordNow(inputs, store, image.Id);
  if ('error' in rec) {
    io.err(`layerwise record: ${rec.error}`);
    return 2;
  }
  io.out(`Recorded ${rec.steps.length} steps of ${path.relative(process.cwd(), file) || file}${p.target ? ` (target ${p.target})` : ''} built as ${p.image} (${image.Id.slice(0, 19)}).`);
  return 0;
}

/** `layerwise next-build ...`. */
export async function runNextBuild(argv: string[], io: { out: (s: string) => void; err: (s: string) => void }, options: NextBuildCliOptions = {}): Promise<number> {
  const p = parse(argv, 'next-build', NEXT_BUILD_USAGE, io);
  if (p === 'help') {
    io.out(NEXT_BUILD_USAGE);
    return 0;
  }
  if (!p) return 2;
  const file = path.resolve(p.files[0]!);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    io.err(`layerwise next-build: ${p.files[0]}: no such file`);
    return 2;
  }
  // Base image IDs come from the daemon; without one, the FROM steps "may re-run" (never guessed).
  const client = await connect(p.host);
  if (typeof client === 'string') io.err(`layerwise next-build: base images not checked: ${client}`);
  await initShellParser();
  const inputs: NextBuildInputs = {
    dockerfilePath: file,
    settings: { target: p.target, buildArgs: p.buildArgs, noCacheFilter: p.noCacheFilter },
    imageId: async (ref) => (typeof client === 'string' ? undefined : (await client.inspect(ref))?.Id),
    reader: new ContextReader(),
  };
  const result = await predictNow(inputs, options.inputsStore ?? new BuildInputsStore(defaultInputsDir()), options.timingsStore ?? new TimingsStore(defaultTimingsDir()));
  if (result.kind === 'error') {
    io.err(`layerwise next-build: ${result.error}`);
    return 2;
  }
  if (result.kind === 'no-record') {
    io.err(
      `layerwise next-build: no recorded build of ${p.files[0]}${p.target ? ` (target ${p.target})` : ''}: the prediction needs one build from the editor (Build Image) or a \`layerwise record --image REF ${p.files[0]}\` run after a docker build.`,
    );
    return 1;
  }
  const pr = result.prediction;
  if (p.json) {
    io.out(JSON.stringify({ steps: pr.steps.map((s) => ({ line: s.line, instruction: s.instruction, willRun: s.willRun, reason: s.reason, seconds: s.seconds })), seconds: pr.seconds }, null, 2));
    return 0;
  }
  for (const s of pr.steps) {
    const mark = s.willRun === true ? 're-runs' : s.willRun === null ? 'maybe  ' : 'cached ';
    const text = s.instruction.length > 70 ? s.instruction.slice(0, 69) + '…' : s.instruction;
    io.out(`${String(s.line).padStart(4)}  ${mark}  ${text}${s.willRun === false ? '' : `  (${s.reason})`}`);
  }
  const runs = pr.steps.filter((s) => s.willRun).length;
  io.out(
    runs
      ? `Next build ≈ ${pr.seconds} s${pr.untimed ? ` (plus ${pr.untimed} step(s) never timed)` : ''}, re-runs from line ${pr.firstLine}.`
      : pr.steps.some((s) => s.willRun === null)
        ? 'Next build: cached up to the steps that may re-run.'
        : 'Next build: every step cached.',
  );
  return 0;
}
