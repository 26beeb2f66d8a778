import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { snapshotFromFiles } from '../../server/src/cache/context-snapshot';
import { describeBuild, predictBuild, recordBuild, type BuildSettings, type History, type StepPrediction } from '../../server/src/cache/next-build';
import { ParsedDocument } from '../../server/src/engine/document';

/**
 * The next-build predictor on table cases: one recorded build of a multi-stage project, then one
 * edit each, with the expected verdict (true re-runs, false cached, null may re-run) and reason
 * of every step the build runs, by line.
 */

const DOCKERFILE = [
  'FROM base:1 AS deps', // 1
  'WORKDIR /app', // 2
  'COPY package.json ./', // 3
  'RUN install', // 4
  'COPY . .', // 5
  'FROM deps AS build', // 6
  'ARG VERSION=1', // 7
  'RUN make VERSION=$VERSION', // 8
  'FROM base:1 AS runtime', // 9
  'COPY --from=build /app/out /out', // 10
  'COPY conf/ /etc/app/', // 11
  'CMD ["/out/app"]', // 12
  '',
].join('\n');

interface Project {
  dockerfile: string;
  files: Record<string, string | { text: string; mode: number }>;
  ignore: string;
  images: Record<string, string>;
  settings: BuildSettings;
}

const BASE: Project = {
  dockerfile: DOCKERFILE,
  files: { 'package.json': '{}', 'src/app.py': 'print(1)', 'notes.log': 'x', 'conf/app.ini': 'a=1' },
  ignore: '*.log\n',
  images: { 'base:1': 'sha256:aaa' },
  settings: { buildArgs: {} },
};

function describeProject(p: Project) {
  const model = new ParsedDocument('file:///ctx/Dockerfile', 0, p.dockerfile).model(p.settings.buildArgs);
  const files: Project['files'] = { ...p.files, Dockerfile: p.dockerfile, '.dockerignore': p.ignore };
  // As the session sends the context: ignored files left out (.dockerignore always goes).
  for (const f of Object.keys(files)) if (f.endsWith('.log') || (f === 'Dockerfile' && p.ignore.includes('Dockerfile'))) delete files[f];
  const context = snapshotFromFiles(files);
  const desc = describeBuild(model, p.settings, context);
  if ('error' in desc) throw new Error(desc.error);
  return { desc, context, images: (r: string) => p.images[r] };
}

function history(p: Project): History {
  const { desc, context, images } = describeProject(p);
  const rec = recordBuild(desc, p.settings, context, images);
  return { last: rec, keys: new Set(rec.steps.map((s) => s.key)), partials: new Set(rec.steps.map((s) => s.partial)) };
}

function predict(before: Project, after: Project): StepPrediction[] {
  const h = history(before);
  const { desc, context, images } = describeProject(after);
  return predictBuild(desc, after.settings, context, images, h).steps;
}

const edit = (f: (p: Project) => Partial<Project>): Project => ({ ...BASE, ...f(BASE) });
const line = (text: string, n: number, by: string): string => text.split('\n').map((l, i) => (i === n - 1 ? by : l)).join('\n');
const insert = (text: string, n: number, add: string): string => {
  const lines = text.split('\n');
  lines.splice(n - 1, 0, add);
  return lines.join('\n');
};

/** line → [willRun, reason]; steps not listed are cached. */
type Expect = Record<number, [boolean | null, string]>;

/** The same project copying only src/ instead of the whole context (which holds the Dockerfile). */
const SRC_ONLY: Project = { ...BASE, dockerfile: line(DOCKERFILE, 5, 'COPY src/ ./src/') };
const editSrcOnly = (f: (p: Project) => Partial<Project>): Project => ({ ...SRC_ONLY, ...f(SRC_ONLY) });

const CASES: { name: string; before?: Project; after: Project; expect: Expect }[] = [
  { name: 'nothing changed', after: BASE, expect: {} },
  { name: 'a file .dockerignore excludes', after: edit((p) => ({ files: { ...p.files, 'notes.log': 'y' } })), expect: {} },
  {
    name: 'a source file',
    after: edit((p) => ({ files: { ...p.files, 'src/app.py': 'print(2)' } })),
    expect: { 5: [true, 'src/app.py changed'], 8: [true, 'stage `deps` re-runs'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'the manifest',
    after: edit((p) => ({ files: { ...p.files, 'package.json': '{"a":1}' } })),
    expect: { 3: [true, 'package.json changed'], 4: [true, 'line 3 re-runs'], 5: [true, 'line 3 re-runs'], 8: [true, 'stage `deps` re-runs'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'a mode change',
    after: edit((p) => ({ files: { ...p.files, 'src/app.py': { text: 'print(1)', mode: 0o755 } } })),
    expect: { 5: [true, 'src/app.py mode changed'], 8: [true, 'stage `deps` re-runs'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'a new file COPY . . takes',
    after: edit((p) => ({ files: { ...p.files, 'src/new.py': '' } })),
    expect: { 5: [true, 'src/new.py added'], 8: [true, 'stage `deps` re-runs'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'a file only the runtime stage copies',
    after: edit((p) => ({ files: { ...p.files, 'conf/app.ini': 'a=2' } })),
    // COPY . . takes conf/ too.
    expect: { 5: [true, 'conf/app.ini changed'], 8: [true, 'stage `deps` re-runs'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [true, 'conf/app.ini changed'] },
  },
  {
    name: 'a build arg',
    after: edit(() => ({ settings: { buildArgs: { VERSION: '2' } } })),
    expect: { 8: [true, 'build arg VERSION changed'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'the base image under the same tag',
    after: edit(() => ({ images: { 'base:1': 'sha256:bbb' } })),
    expect: {
      1: [true, 'base image updated'],
      2: [true, 'line 1 re-runs'],
      3: [true, 'line 1 re-runs'],
      4: [true, 'line 1 re-runs'],
      5: [true, 'line 1 re-runs'],
      8: [true, 'stage `deps` re-runs'],
      9: [true, 'base image updated'],
      10: [true, 'line 9 re-runs'],
      11: [true, 'line 9 re-runs'],
    },
  },
  {
    name: 'the install line',
    after: edit((p) => ({ dockerfile: line(p.dockerfile, 4, 'RUN install --prod') })),
    // The Dockerfile is in the context: COPY . . takes it.
    expect: { 4: [true, 'line 4 edited'], 5: [true, 'line 4 re-runs'], 8: [true, 'stage `deps` re-runs'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'the Dockerfile below the install, listed in .dockerignore',
    before: { ...BASE, ignore: '*.log\nDockerfile\n' },
    after: edit((p) => ({ ignore: '*.log\nDockerfile\n', dockerfile: line(p.dockerfile, 12, 'CMD ["/out/app", "-v"]') })),
    expect: {},
  },
  {
    name: 'the Dockerfile below the install, no step copying it',
    before: SRC_ONLY,
    after: editSrcOnly((p) => ({ dockerfile: line(p.dockerfile, 12, 'CMD ["/out/app", "-v"]') })),
    expect: {},
  },
  {
    name: 'the Dockerfile below the install, the Dockerfile in the context',
    after: edit((p) => ({ dockerfile: line(p.dockerfile, 12, 'CMD ["/out/app", "-v"]') })),
    expect: { 5: [true, 'Dockerfile changed'], 8: [true, 'stage `deps` re-runs'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'an ENV inserted above a RUN',
    before: SRC_ONLY,
    after: editSrcOnly((p) => ({ dockerfile: insert(p.dockerfile, 8, 'ENV MODE=fast') })),
    expect: { 9: [true, 'line 8 added'], 11: [null, 'may re-run: stage `build` re-runs'], 12: [null, 'may re-run: stage `build` re-runs'] },
  },
  {
    name: 'a LABEL changes no step',
    before: SRC_ONLY,
    after: editSrcOnly((p) => ({ dockerfile: insert(p.dockerfile, 3, 'LABEL a=b') })),
    expect: {},
  },
  {
    name: 'the COPY --from line itself, with its stage unchanged',
    before: SRC_ONLY,
    after: editSrcOnly((p) => ({ dockerfile: line(p.dockerfile, 10, 'COPY --from=build /app/out /opt') })),
    expect: { 10: [true, 'line 10 edited'], 11: [true, 'line 10 re-runs'] },
  },
  {
    name: '--no-cache-filter',
    after: edit(() => ({ settings: { buildArgs: {}, noCacheFilter: ['build'] } })),
    expect: { 8: [true, 'stage `build` is in --no-cache-filter'], 10: [null, 'may re-run: stage `build` re-runs'], 11: [null, 'may re-run: stage `build` re-runs'] },
  },
];

describe('next build: what re-runs, and why', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = predict(c.before ?? BASE, c.after);
      const want = got.map((s) => ({ line: s.line, v: c.expect[s.line] ?? [false, 'cached'] }));
      assert.deepEqual(
        got.map((s) => [s.line, s.willRun, s.reason]),
        want.map((w) => [w.line, w.v[0], w.v[1]]),
      );
    });
  }

  it('lists only what BuildKit runs: the target and the stages it needs, no metadata lines', () => {
    const { desc } = describeProject(edit(() => ({ settings: { buildArgs: {}, target: 'deps' } })));
    assert.deepEqual(
      desc.steps.map((s) => s.line),
      [1, 2, 3, 4, 5],
    );
  });

  it('an unknown base image ID: may re-run, never guessed', () => {
    const steps = predict(BASE, edit(() => ({ images: {} })));
    assert.deepEqual(steps.find((s) => s.line === 1), { line: 1, stage: 'deps', instruction: 'FROM base:1 AS deps', willRun: null, reason: 'may re-run: the image base:1 was not checked', seconds: null });
  });

  it('a revert to an older recorded build is cached', () => {
    const a = history(BASE);
    const changed = edit((p) => ({ files: { ...p.files, 'src/app.py': 'print(2)' } }));
    const b = history(changed);
    const both: History = { last: b.last, keys: new Set([...a.keys, ...b.keys]), partials: new Set([...a.partials, ...b.partials]) };
    const { desc, context, images } = describeProject(BASE);
    assert.ok(predictBuild(desc, BASE.settings, context, images, both).steps.every((s) => s.willRun === false));
  });
});
