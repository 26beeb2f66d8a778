import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ContextReader } from '../../server/src/cache/context-snapshot';
import { describeBuild, type BuildDescription, type BuildRecord, type StepPrediction } from '../../server/src/cache/next-build';
import { BuildInputsStore, predictNow, recordNow, type NextBuildInputs } from '../../server/src/cache/next-build-store';
import { TimingsStore, type StepTiming } from '../../server/src/cache/timings';
import { runBuild } from '../../server/src/docker/build';
import type { DaemonClient } from '../../server/src/docker/client';
import { ParsedDocument } from '../../server/src/engine/document';
import { buildkitSkip, testDaemon } from '../support/daemon';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import { connect, fixtureDir, removeImage, RUN_ID } from './docker-fixtures';

/**
 * The next-build prediction against BuildKit itself: a multi-stage project is built through the
 * editor's build path and recorded; then, edit after edit, the prediction is made and the project
 * built again, and the steps predicted to re-run must be exactly the steps BuildKit did not
 * report as CACHED (a step predicted "may re-run" may go either way, and only where it reads the
 * output of a stage that re-runs or may re-run).
 */

const daemon = testDaemon();
const BASE = `layerwise-test/next-build-base:${RUN_ID}`;

const DOCKERFILE = [
  `FROM ${BASE} AS deps`, // 1
  `RUN echo ${RUN_ID} > /run-id`, // 2
  'WORKDIR /app', // 3
  'COPY package.json lock.txt ./', // 4
  'RUN cat package.json lock.txt > deps.txt', // 5
  'COPY . .', // 6
  'FROM deps AS build', // 7
  'ARG VERSION=1', // 8
  'RUN mkdir -p /out && cat src/*.py > /out/app && echo "$VERSION" >> /out/app', // 9
  `FROM ${BASE} AS runtime`, // 10
  `RUN echo ${RUN_ID} > /run-id`, // 11
  'COPY --from=build /out /out', // 12
  'COPY conf/ /etc/app/', // 13
  'RUN --mount=type=bind,source=assets,target=/assets cat /assets/* > /etc/assets.txt', // 14
  'CMD ["cat", "/out/app"]', // 15
  '',
].join('\n');

interface Edit {
  name: string;
  apply(dir: string, state: { buildArgs: Record<string, string> }): void | Promise<void>;
}

const write = (dir: string, rel: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
const editDockerfile = (dir: string, f: (lines: string[]) => void): void => {
  const lines = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8').split('\n');
  f(lines);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), lines.join('\n'));
};
const lineIndex = (lines: string[], prefix: string): number => {
  const i = lines.findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, `no line starting with ${prefix}`);
  return i;
};

function edits(client: () => DaemonClient): Edit[] {
  return [
    { name: 'nothing (built again)', apply: () => undefined },
    {
      name: 'a source file touched (modification time only)',
      apply: (d) => fs.utimesSync(path.join(d, 'src/app.py'), new Date(), new Date(Date.now() + 5000)),
    },
    { name: 'a source file', apply: (d) => write(d, 'src/app.py', 'print("two")\n') },
    { name: 'a manifest', apply: (d) => write(d, 'package.json', '{"name":"app","version":"2"}\n') },
    { name: 'a file .dockerignore excludes', apply: (d) => write(d, 'notes.log', 'more notes\n') },
    { name: 'a new file in an excluded folder', apply: (d) => write(d, 'tmp/scratch.txt', 'x\n') },
    { name: 'the Dockerfile above the install (an ENV)', apply: (d) => editDockerfile(d, (l) => l.splice(lineIndex(l, 'COPY package.json'), 0, 'ENV NODE_ENV=production')) },
    { name: 'the Dockerfile below the install (CMD)', apply: (d) => editDockerfile(d, (l) => (l[lineIndex(l, 'CMD')] = 'CMD ["cat", "/out/app", "/etc/assets.txt"]')) },
    { name: 'the install line', apply: (d) => editDockerfile(d, (l) => (l[lineIndex(l, 'RUN cat package.json')] = 'RUN cat package.json lock.txt > deps.txt && echo ok >> deps.txt')) },
    { name: 'a build arg', apply: (_d, s) => void (s.buildArgs.VERSION = '2') },
    { name: 'a build arg no stage declares', apply: (_d, s) => void (s.buildArgs.UNUSED = 'x') },
    { name: 'a file only the deps stage copies', apply: (d) => write(d, 'src/util.py', 'def util(): return 2\n') },
    { name: 'a file the runtime stage copies too', apply: (d) => write(d, 'conf/app.ini', 'level=debug\n') },
    { name: 'a mode change', apply: (d) => fs.chmodSync(path.join(d, 'src/app.py'), 0o755) },
    { name: 'a new untracked file COPY . . takes', apply: (d) => write(d, 'src/new.py', 'print("new")\n') },
    { name: 'that file removed again (the context of an earlier build)', apply: (d) => fs.rmSync(path.join(d, 'src/new.py')) },
    { name: 'a new empty folder', apply: (d) => fs.mkdirSync(path.join(d, 'docs')) },
    { name: 'a file a RUN bind-mounts', apply: (d) => write(d, 'assets/a.txt', 'asset two\n') },
    { name: 'the build stage RUN', apply: (d) => editDockerfile(d, (l) => (l[lineIndex(l, 'RUN mkdir')] = 'RUN mkdir -p /out && cat src/*.py > /out/app && echo "v$VERSION" >> /out/app')) },
    { name: 'a LABEL in the runtime stage', apply: (d) => editDockerfile(d, (l) => l.splice(lineIndex(l, 'CMD'), 0, 'LABEL org.example.note=next-build')) },
    { name: 'an ENV above the runtime RUN --mount', apply: (d) => editDockerfile(d, (l) => l.splice(lineIndex(l, 'RUN --mount'), 0, 'ENV ASSETS=1')) },
    { name: 'a symlink COPY . . takes', apply: (d) => fs.symlinkSync('app.py', path.join(d, 'src/link.py')) },
    { name: '.dockerignore leaves out one more file', apply: (d) => fs.appendFileSync(path.join(d, '.dockerignore'), 'README.md\n') },
    { name: 'WORKDIR', apply: (d) => editDockerfile(d, (l) => (l[lineIndex(l, 'WORKDIR')] = 'WORKDIR /srv/app')) },
    {
      name: 'the base image updated under the same tag',
      apply: async () => {
        const docker = await client().streaming();
        const [repo, tag] = BASE.split(':') as [string, string];
        await docker.getImage(`layerwise-test/next-build-base-alt:${RUN_ID}`).tag({ repo, tag });
      },
    },
  ];
}

/**
 * `[deps 3/6] COPY ...` → the Dockerfile line of that step. BuildKit numbers the steps it runs in
 * each stage (FROM an image counts, metadata instructions and `FROM stage` do not), which are the
 * steps of the description.
 */
function stepLine(desc: BuildDescription, step: string): number {
  const m = /^\[(?:(\S+) )?(\d+)\/\d+\] /.exec(step);
  assert.ok(m, `not a Dockerfile step: ${step}`);
  const stage = m[1] ?? desc.stages[desc.stages.length - 1]!;
  const s = desc.steps.filter((x) => x.stage === stage)[Number(m[2]) - 1];
  assert.ok(s, `no step for ${step}`);
  return s.line;
}

describe('next build: the prediction against BuildKit', { skip: daemon.skip || buildkitSkip() }, () => {
  let client: DaemonClient;
  const tag = `layerwise-test/next-build:${RUN_ID}`;
  const cleanup: (() => void)[] = [];

  before(async () => {
    client = await connect(daemon.host!);
    const docker = await client.streaming();
    await ensureBusyboxImage(docker);
    const [repo, baseTag] = BASE.split(':') as [string, string];
    await docker.getImage(BUSYBOX_IMAGE).tag({ repo, tag: baseTag });
    // Another image for "the base image updated": busybox with one more layer.
    const altDir = fixtureDir({ Dockerfile: `FROM ${BUSYBOX_IMAGE}\nRUN echo ${RUN_ID} > /alt\n` });
    cleanup.push(() => fs.rmSync(altDir, { recursive: true, force: true }));
    const alt = await runBuild(client, { contextDir: altDir, dockerfile: 'Dockerfile', tag: `layerwise-test/next-build-base-alt:${RUN_ID}`, target: undefined, buildArgs: {}, builder: 'buildkit' });
    assert.equal(alt.ok, true, alt.error);
  });
  after(async () => {
    for (const t of [tag, BASE, `layerwise-test/next-build-base-alt:${RUN_ID}`]) await removeImage(client, t);
    cleanup.forEach((f) => f());
  });

  it('after each of 25 edits, the predicted re-runs are the steps BuildKit did not report CACHED', async (t) => {
    const dir = fixtureDir({
      Dockerfile: DOCKERFILE,
      '.dockerignore': '*.log\ntmp/\nDockerfile\n',
      'package.json': '{"name":"app"}\n',
      'lock.txt': 'lock 1\n',
      'src/app.py': 'print("one")\n',
      'src/util.py': 'def util(): return 1\n',
      'conf/app.ini': 'level=info\n',
      'assets/a.txt': 'asset one\n',
      'notes.log': 'notes\n',
      'README.md': '# app\n',
    });
    const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-next-build-'));
    cleanup.push(
      () => fs.rmSync(dir, { recursive: true, force: true }),
      () => fs.rmSync(storeDir, { recursive: true, force: true }),
    );
    const store = new BuildInputsStore(path.join(storeDir, 'inputs'));
    const timings = new TimingsStore(path.join(storeDir, 'timings'));
    const reader = new ContextReader();
    const state = { buildArgs: {} as Record<string, string> };
    const dockerfilePath = path.join(dir, 'Dockerfile');
    const inputs = (): NextBuildInputs => ({
      dockerfilePath,
      settings: { buildArgs: { ...state.buildArgs } },
      imageId: async (ref) => (await client.inspect(ref))?.Id,
      reader,
    });
    const engineFaults: string[] = [];
    const build = async (): Promise<{ steps: StepTiming[]; record: BuildRecord }> => {
      const once = async (): Promise<{ r: Awaited<ReturnType<typeof runBuild>>; steps: StepTiming[]; lines: string[] }> => {
        const steps: StepTiming[] = [];
        const lines: string[] = [];
        const r = await runBuild(
          client,
          { contextDir: dir, dockerfile: 'Dockerfile', tag, target: undefined, buildArgs: { ...state.buildArgs }, builder: 'buildkit' },
          { onStepTiming: (t) => steps.push(t), onLine: (l) => lines.push(l) },
        );
        return { r, steps, lines };
      };
      let { r, steps, lines } = await once();
      // Engine 26's image store can lose a snapshot while unpacking the result (moby/buildkit#6521):
      // every step already ran or was CACHED, so its report is BuildKit's verdict; build once more for the image.
      for (let retry = 0; !r.ok && /building again usually succeeds/.test(r.error ?? '') && retry < 2; retry++) {
        engineFaults.push(r.error!.split('\n')[0]!);
        ({ r, lines } = await once());
      }
      assert.equal(r.ok, true, `${r.error}\n${lines.slice(-30).join('\n')}`);
      await timings.record(dockerfilePath, steps);
      const record = await recordNow(inputs(), store, r.imageId);
      assert.ok(!('error' in record), JSON.stringify(record));
      return { steps, record };
    };

    assert.equal((await predictNow(inputs(), store)).kind, 'no-record');
    await build();
    const failures: string[] = [];
    let compared = 0;
    let nulls = 0;
    let reruns = 0;
    let fromSteps = 0;
    let nullsRan = 0;
    for (const e of edits(() => client)) {
      await e.apply(dir, state);
      const text = fs.readFileSync(dockerfilePath, 'utf8');
      const result = await predictNow(inputs(), store, timings);
      assert.equal(result.kind, 'prediction', e.name);
      if (result.kind !== 'prediction') continue;
      const predicted = new Map<number, StepPrediction>(result.prediction.steps.map((s) => [s.line, s]));
      const { steps: timed, record } = await build();
      const desc = describeBuild(new ParsedDocument('file:///x/Dockerfile', 0, text).model(state.buildArgs), { buildArgs: state.buildArgs }, await reader.read(dir, 'Dockerfile'));
      assert.ok(!('error' in desc));
      // Steps with the same key (the same parent and definition: the runtime stage's FROM and
      // first RUN here) are one vertex to BuildKit, reported once under either stage's name.
      const canonical = (line: number): number => {
        const key = record.steps.find((r) => r.line === line)?.key;
        return record.steps.find((r) => r.key === key)?.line ?? line;
      };
      const merged = new Set(record.steps.filter((r) => canonical(r.line) !== r.line).map((r) => r.line));
      const ran = new Map<number, boolean>(timed.map((t) => [canonical(stepLine(desc, t.step)), !t.cached]));
      assert.deepEqual(
        [...predicted.keys()].filter((l) => !merged.has(l)).sort((a, b) => a - b),
        [...ran.keys()].sort((a, b) => a - b),
        `${e.name}: the steps BuildKit ran are the steps predicted: ${timed.map((t) => t.step).join(' | ')}`,
      );
      for (const [line, p] of predicted) {
        if (merged.has(line)) continue;
        compared++;
        const actual = ran.get(line)!;
        if (p.willRun === null) {
          nulls++;
          if (actual) nullsRan++;
          // Allowed only where the step reads a stage that re-runs (or may), or builds on such a step.
          const i = desc.steps.findIndex((s) => s.line === line);
          const s = desc.steps[i]!;
          const stageMoves = s.sources.some((src) => predicted.get(desc.steps[desc.stageEnds[src]!]!.line)?.willRun !== false);
          const parentMaybe = s.parent >= 0 && predicted.get(desc.steps[s.parent]!.line)?.willRun === null;
          if (!stageMoves && !parentMaybe) failures.push(`${e.name}: line ${line} predicted "may re-run" (${p.reason}) without a stage it reads re-running`);
          continue;
        }
        if (p.willRun) reruns++;
        // Engine 20.10's image source loads a local base image again at every build and never
        // reports its FROM as CACHED; its key does not change, so nothing below it re-runs (the
        // steps above show that). The prediction says whether the base image changed.
        if (desc.steps.find((x) => x.line === line)?.keyword === 'FROM') {
          fromSteps++;
          if (!actual) failures.push(`${e.name}: line ${line} FROM reported CACHED: the base image load is cached on this engine, the exception is void`);
          continue;
        }
        if (p.willRun !== actual) failures.push(`${e.name}: line ${line} ${p.instruction}: predicted ${p.willRun ? `re-run (${p.reason})` : 'cached'}, BuildKit ${actual ? 'ran it' : 'reported CACHED'}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(fromSteps >= 25, `${fromSteps} FROM steps`);
    for (const f of engineFaults) t.diagnostic(`engine fault, built again: ${f}`);
    t.diagnostic(`${compared} step verdicts over 25 edits: ${reruns} re-runs predicted and run, ${nulls} may-re-run (${nullsRan} of them ran), ${fromSteps} FROM steps (loaded at every build)`);
    assert.ok(compared >= 25 * 10, `${compared} step verdicts compared`);
    assert.ok(reruns > 30 && nulls < compared / 4, `${reruns} re-runs, ${nulls} may-re-run among ${compared}`);
  });
});

/**
 * The classic builder's cache is not what the prediction models (it is BuildKit's): every
 * instruction is a step there, so an edit of a LABEL or an ENV re-runs the steps below it, COPY
 * included, where BuildKit keeps them cached. Asserted on Engine 20.10, so the note in
 * ARCHITECTURE stays true.
 */
const classicSkip = daemon.engine === 'podman' ? "not on Podman 4.3: its builder is buildah, whose cache keys and progress are buildah's, not the classic builder's this note is about" : false;

describe('next build: where the classic builder differs', { skip: daemon.skip || classicSkip }, () => {
  let client: DaemonClient;
  const tag = `layerwise-test/next-build-classic:${RUN_ID}`;
  let dir: string;
  let storeDir: string;

  before(async () => {
    client = await connect(daemon.host!);
    await ensureBusyboxImage(await client.streaming());
  });
  after(async () => {
    await removeImage(client, tag);
    for (const d of [dir, storeDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a LABEL or an ENV above a COPY: the classic builder re-runs the COPY, BuildKit (the prediction) does not', async () => {
    dir = fixtureDir({
      Dockerfile: [`FROM ${BUSYBOX_IMAGE}`, `RUN echo ${RUN_ID}-classic > /run-id`, 'WORKDIR /app', 'COPY package.json ./', 'RUN cat package.json > deps.txt', ''].join('\n'),
      '.dockerignore': 'Dockerfile\n',
      'package.json': '{}\n',
    });
    const dockerfilePath = path.join(dir, 'Dockerfile');
    const reader = new ContextReader();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-next-build-classic-'));
    const store = new BuildInputsStore(storeDir);
    const inputs = (): NextBuildInputs => ({ dockerfilePath, settings: { buildArgs: {} }, imageId: async (ref) => (await client.inspect(ref))?.Id, reader });
    const classic = async (): Promise<Map<string, boolean>> => {
      const steps: StepTiming[] = [];
      const r = await runBuild(client, { contextDir: dir, dockerfile: 'Dockerfile', tag, target: undefined, buildArgs: {}, builder: 'classic' }, { onStepTiming: (t) => steps.push(t) });
      assert.equal(r.ok, true, r.error);
      await recordNow(inputs(), store, r.imageId);
      // `Step 4/6 : COPY package.json ./` → ran (not "Using cache")
      return new Map(steps.map((t) => [t.step.replace(/^Step \d+\/\d+ : /, ''), !t.cached]));
    };
    await classic();
    assert.equal((await classic()).get('COPY package.json ./'), false, 'a rebuild is cached');
    for (const [name, add] of [
      ['LABEL', 'LABEL org.example.note=classic'],
      ['ENV', 'ENV MODE=classic'],
    ] as const) {
      const lines = fs.readFileSync(dockerfilePath, 'utf8').split('\n');
      lines.splice(lines.indexOf('COPY package.json ./'), 0, add);
      fs.writeFileSync(dockerfilePath, lines.join('\n'));
      const predicted = await predictNow(inputs(), store);
      assert.equal(predicted.kind, 'prediction');
      if (predicted.kind !== 'prediction') return;
      const copy = predicted.prediction.steps.find((s) => s.instruction === 'COPY package.json ./');
      assert.equal(copy?.willRun, false, `${name}: BuildKit keeps the COPY cached`);
      const ran = await classic();
      assert.equal(ran.get('COPY package.json ./'), true, `${name}: the classic builder re-runs the COPY`);
    }
  });
});
