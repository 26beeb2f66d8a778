import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ParsedDocument } from '../engine/document';
import { ContextReader, type ContextSnapshot } from './context-snapshot';
import { describeBuild, predictBuild, recordBuild, type BuildDescription, type BuildRecord, type BuildSettings, type History, type ImageIds, type Prediction } from './next-build';
import { TimingsStore } from './timings';

/**
 * Where the inputs of recorded builds are kept, per Dockerfile: the last build of each target in
 * full (for reasons) and the keys of the last builds of any target (BuildKit's cache holds them
 * all): `$XDG_CACHE_HOME/layerwise/build-inputs`, beside the build timings.
 */

interface InputsFile {
  version: 1;
  dockerfile: string;
  builds: { at: number; target: string; keys: string[]; partials: string[] }[];
  last: Record<string, BuildRecord>;
}

const MAX_BUILDS = 20;

export function defaultInputsDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'layerwise', 'build-inputs');
}

export class BuildInputsStore {
  private writes = Promise.resolve();

  constructor(readonly dir: string) {}

  private fileFor(dockerfilePath: string): string {
    const id = createHash('sha256').update(path.resolve(dockerfilePath)).digest('hex').slice(0, 32);
    return path.join(this.dir, `inputs-${id}.json`);
  }

  async read(dockerfilePath: string): Promise<InputsFile> {
    try {
      const data = JSON.parse(await fs.promises.readFile(this.fileFor(dockerfilePath), 'utf8')) as InputsFile;
      if (data.version === 1 && Array.isArray(data.builds) && data.last) return data;
    } catch {
      /* none yet, or unreadable */
    }
    return { version: 1, dockerfile: path.resolve(dockerfilePath), builds: [], last: {} };
  }

  /** The recorded builds as the predictor reads them; undefined when this target was never recorded. */
  async history(dockerfilePath: string, target: string | undefined): Promise<History | undefined> {
    const data = await this.read(dockerfilePath);
    const last = data.last[target ?? ''];
    if (!last) return undefined;
    return { last, keys: new Set(data.builds.flatMap((b) => b.keys)), partials: new Set(data.builds.flatMap((b) => b.partials)) };
  }

  record(dockerfilePath: string, rec: BuildRecord): Promise<void> {
    const file = this.fileFor(dockerfilePath);
    const next = this.writes.then(async () => {
      const data = await this.read(dockerfilePath);
      const target = rec.target ?? '';
      data.last[target] = rec;
      data.builds.push({ at: rec.at, target, keys: rec.steps.map((s) => s.key), partials: rec.steps.map((s) => s.partial) });
      data.builds = data.builds.slice(-MAX_BUILDS);
      await fs.promises.mkdir(this.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify(data));
      await fs.promises.rename(tmp, file);
    });
    this.writes = next.catch(() => undefined);
    return next;
  }
}

export interface NextBuildInputs {
  dockerfilePath: string;
  /** The Dockerfile's text (the editor's unsaved version); read from disk when absent. */
  text?: string;
  settings: BuildSettings;
  /** The image ID of an external image the steps read (FROM, COPY --from=image); undefined when it cannot be told. */
  imageId: (ref: string) => Promise<string | undefined>;
  reader: ContextReader;
}

/** The steps and context of a build of the Dockerfile as it is now (context: the Dockerfile's folder, as Build Image sends it). */
export async function describeNow(inputs: NextBuildInputs): Promise<{ desc: BuildDescription; context: ContextSnapshot; images: ImageIds } | { error: string }> {
  const file = path.resolve(inputs.dockerfilePath);
  const text = inputs.text ?? (await fs.promises.readFile(file, 'utf8'));
  const model = new ParsedDocument(pathToFileURL(file).href, 0, text).model(inputs.settings.buildArgs);
  const context = await inputs.reader.read(path.dirname(file), path.basename(file));
  const desc = describeBuild(model, inputs.settings, context);
  if ('error' in desc) return desc;
  const ids = new Map<string, string | undefined>();
  for (const ref of new Set(desc.steps.flatMap((s) => s.images))) ids.set(ref, await inputs.imageId(ref).catch(() => undefined));
  return { desc, context, images: (ref) => ids.get(ref) };
}

/** Records the inputs of a build that has just succeeded (Build Image, `layerwise record`). */
export async function recordNow(inputs: NextBuildInputs, store: BuildInputsStore, imageId: string | undefined): Promise<BuildRecord | { error: string }> {
  const now = await describeNow(inputs);
  if ('error' in now) return now;
  const rec = recordBuild(now.desc, inputs.settings, now.context, now.images, { imageId });
  await store.record(inputs.dockerfilePath, rec);
  return rec;
}

export type NextBuildResult = { kind: 'prediction'; prediction: Prediction } | { kind: 'no-record' } | { kind: 'error'; error: string };

/** What the next build of the Dockerfile re-runs, against its last recorded build. */
export async function predictNow(inputs: NextBuildInputs, store: BuildInputsStore, timings?: TimingsStore): Promise<NextBuildResult> {
  const history = await store.history(inputs.dockerfilePath, inputs.settings.target);
  if (!history) return { kind: 'no-record' };
  const now = await describeNow(inputs);
  if ('error' in now) return { kind: 'error', error: now.error };
  const stored = timings ? await timings.read(inputs.dockerfilePath) : undefined;
  const prediction = predictBuild(now.desc, inputs.settings, now.context, now.images, history, (s) => (stored ? TimingsStore.secondsFor(stored, [s.instruction, s.definition]) : null));
  return { kind: 'prediction', prediction };
}
