import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Hover } from 'vscode-languageserver-types';
import {
  cacheHover,
  cacheLenses,
  cacheSummary,
  CacheEditorService,
  diagnosticEffects,
  linesFor,
  mapOffset,
  type CacheDocument,
  type CacheResult,
} from '../../server/src/cache/editor';
import { cacheReport } from '../../server/src/cache/report';
import { TimingsStore } from '../../server/src/cache/timings';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { fsBuildContext } from '../../server/src/model/build-context';
import { ParsedDocument } from '../../server/src/engine/document';
import { lintDocument } from '../../server/src/engine/lint';
import { initShellParser } from '../../server/src/model/shell';
import { GitRepo } from '../support/git-fixture';

/**
 * The editor side of the build-cache model: the background service (results per version, one
 * computation at a time, `changed` only when the figures change), the hover, lens and status
 * texts, and the effect sentences of the lockfile-order and apt fixes, on scripted git
 * histories whose shares are exact fractions.
 */

const cleanup: (() => void)[] = [];
after(() => cleanup.forEach((f) => f()));
before(() => initShellParser());

function repo(): GitRepo {
  const r = GitRepo.create('lw-cache-editor-');
  cleanup.push(() => r.remove());
  return r;
}

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-timings-'));
  cleanup.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const IGNORE = 'README.md\nDockerfile\n.dockerignore\n';
const GOOD = ['FROM node:20-slim', 'WORKDIR /app', 'COPY package.json package-lock.json ./', 'RUN npm ci', 'COPY . .', 'CMD ["node", "index.js"]', ''].join('\n');
const BAD = ['FROM node:20-slim', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', 'CMD ["node", "index.js"]', ''].join('\n');

/** 10 commits: init, 6 source edits, 2 README edits (ignored), 1 lockfile edit. */
function nodeRepo(dockerfile: string): GitRepo {
  const r = repo();
  r.commit('init', { Dockerfile: dockerfile, '.dockerignore': IGNORE, 'package.json': '{}', 'package-lock.json': '{}', 'index.js': '1' });
  for (let i = 0; i < 6; i++) r.commit(`source ${i}`, { 'index.js': String(i + 2) });
  r.commit('readme', { 'README.md': 'x' });
  r.commit('readme 2', { 'README.md': 'y' });
  r.commit('lockfile', { 'package-lock.json': '{"v":1}' });
  return r;
}

function lint(file: string, text: string): Diagnostic[] {
  const doc = new ParsedDocument(pathToFileURL(file).href, 1, text);
  return lintDocument(doc, DEFAULT_SETTINGS, { buildContext: fsBuildContext(path.dirname(file), file) });
}

function docOf(r: GitRepo, text: string, version = 1, diagnostics?: Diagnostic[]): CacheDocument {
  const file = r.path('Dockerfile');
  return { uri: pathToFileURL(file).href, file, version, text, commits: 200, buildArgs: {}, diagnostics };
}

/** A service whose `changed` calls can be awaited. */
function service(timingsDir = tempDir(), opts: { debounceMs?: number; recheckMs?: number } = {}) {
  const changes: string[] = [];
  const logs: string[] = [];
  let wake: (() => void) | undefined;
  const s = new CacheEditorService({
    log: (m) => logs.push(m),
    changed: (uri) => {
      changes.push(uri);
      wake?.();
    },
    timingsStore: new TimingsStore(timingsDir),
    debounceMs: opts.debounceMs ?? 20,
    recheckMs: opts.recheckMs,
  });
  cleanup.push(() => s.dispose());
  const nextChange = (ms = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no change reported')), ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });
  return { s, changes, logs, nextChange };
}

describe('cache editor service', () => {
  it('answers nothing at first, computes in the background, then answers the exact shares', async () => {
    const r = nodeRepo(GOOD);
    const { s, changes, nextChange } = service();
    const doc = docOf(r, GOOD);
    const changed = nextChange();
    assert.equal(s.current(doc), undefined);
    await changed;
    assert.deepEqual(changes, [doc.uri]);
    const result = s.current(doc)!;
    assert.equal(result.version, 1);
    // COPY manifests: init + lockfile; COPY . .: also the 6 source edits; README edits: nothing.
    assert.deepEqual(
      result.report.instructions.map((l) => [l.line, l.rerunShare]),
      [[1, 1 / 10], [2, 1 / 10], [3, 2 / 10], [4, 2 / 10], [5, 8 / 10], [6, 8 / 10]],
    );
    assert.equal(result.report.commits, 10);
  });

  it('settled() waits for the figures; an unchanged recomputation reports no change', async () => {
    const r = nodeRepo(GOOD);
    const { s, changes } = service(tempDir(), { recheckMs: 0 });
    const doc = docOf(r, GOOD);
    const first = await s.settled(doc);
    assert.ok(!('failure' in first));
    assert.equal(changes.length, 1);
    // recheckMs 0: every request checks HEAD again; the same HEAD gives the same figures.
    await s.settled(doc);
    assert.equal(changes.length, 1);
    r.commit('source again', { 'index.js': 'new' });
    const third = await s.settled(doc);
    assert.equal(changes.length, 2);
    assert.ok(!('failure' in third));
    assert.equal(third.report.commits, 11);
    assert.equal(third.report.instructions[4]!.rerunShare, 9 / 11);
  });

  it('timings recorded by a build: seconds per step and E[T] after invalidate()', async () => {
    const r = nodeRepo(GOOD);
    const dir = tempDir();
    const { s } = service(dir);
    const doc = docOf(r, GOOD);
    const untimed = await s.settled(doc);
    assert.ok(!('failure' in untimed));
    assert.equal(untimed.report.expectedSeconds, null);
    const summary0 = cacheSummary(untimed);
    assert.ok(summary0.available);
    assert.equal(summary0.untimedSteps, 3);
    await new TimingsStore(dir).record(r.path('Dockerfile'), [
      { step: '[3/5] RUN npm ci', seconds: 40, cached: false },
      { step: '[4/5] COPY . .', seconds: 2, cached: false },
      { step: '[2/5] COPY package.json package-lock.json ./', seconds: 1, cached: true },
    ]);
    s.invalidate();
    const timed = await s.settled(doc);
    assert.ok(!('failure' in timed));
    assert.equal(timed.report.instructions[3]!.seconds, 40);
    // E[T] = 0.2 · 40 + 0.8 · 2; the cached COPY stays untimed.
    assert.equal(timed.report.expectedSeconds, 0.2 * 40 + 0.8 * 2);
    const summary = cacheSummary(timed);
    assert.ok(summary.available);
    assert.equal(summary.untimedSteps, 1);
    assert.deepEqual(summary.steps[3], { line: 4, instruction: 'RUN npm ci', rerunShare: 0.2, seconds: 40 });
  });

  it('outside a git repository: no figures, one log line however often it is asked', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, GOOD);
    const { s, logs } = service();
    const doc: CacheDocument = { uri: pathToFileURL(file).href, file, version: 1, text: GOOD, commits: 200, buildArgs: {}, diagnostics: undefined };
    const a = await s.settled(doc);
    assert.ok('failure' in a && /not in a git repository/.test(a.failure), JSON.stringify(a));
    s.invalidate();
    await s.settled({ ...doc, version: 2 });
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /^No build-cache figures for .*Dockerfile: Dockerfile is not in a git repository/);
    assert.deepEqual(cacheSummary(a), { available: false, reason: (a as { failure: string }).failure });
  });

  it('outside a git repository, typing does not run git again; a save (invalidate) does', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'Dockerfile');
    fs.writeFileSync(file, GOOD);
    // Count the real git's runs through a shim first on PATH.
    const shim = tempDir();
    const count = path.join(shim, 'count');
    fs.writeFileSync(path.join(shim, 'git'), `#!/bin/sh\necho "$PWD $*" >> '${count}'\nexec ${execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()} "$@"\n`, { mode: 0o755 });
    // Other tests' services may still be working: count the runs in this folder only.
    const runs = (): number => (fs.existsSync(count) ? fs.readFileSync(count, 'utf8').split('\n').filter((l) => l.startsWith(`${dir} `)).length : 0);
    const saved = process.env.PATH;
    process.env.PATH = `${shim}:${saved}`;
    try {
      const { s } = service();
      const doc: CacheDocument = { uri: pathToFileURL(file).href, file, version: 1, text: GOOD, commits: 200, buildArgs: {}, diagnostics: undefined };
      await s.settled(doc);
      assert.equal(runs(), 1, fs.readFileSync(count, 'utf8'));
      for (let v = 2; v < 6; v++) s.current({ ...doc, version: v, text: `${GOOD}\n# ${v}` });
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(runs(), 1, `no git run per keystroke: ${fs.readFileSync(count, 'utf8')}`);
      s.invalidate();
      await s.settled({ ...doc, version: 6 });
      assert.equal(runs(), 2);
      s.dispose();
    } finally {
      process.env.PATH = saved;
    }
  });

  it('while typing, the last result is mapped onto the new text by instruction', async () => {
    const r = nodeRepo(GOOD);
    const { s } = service(tempDir(), { debounceMs: 60_000 });
    const doc = docOf(r, GOOD);
    const result = (await s.settled(doc)) as CacheResult;
    // Two lines inserted at the top: every instruction moves down two lines, the figures follow the text; the new ARG has none.
    const edited = `# comment\nARG X=1\n${GOOD}`;
    const stale = s.current(docOf(r, edited, 2))!;
    assert.equal(stale.version, 1);
    const model = new ParsedDocument(doc.uri, 2, edited).model();
    const lines = linesFor(stale, model);
    assert.deepEqual(lines.map((l) => l?.rerunShare), [undefined, 1 / 10, 1 / 10, 2 / 10, 2 / 10, 8 / 10, 8 / 10]);
    assert.deepEqual(
      cacheLenses(result, model).map((l) => [l.range.start.line, l.command!.title]),
      [[2, 're-runs on 10% of commits'], [3, 're-runs on 10% of commits'], [4, 're-runs on 20% of commits'], [5, 're-runs on 20% of commits'], [6, 're-runs on 80% of commits'], [7, 're-runs on 80% of commits']],
    );
  });
});

describe('hover, lens and status texts', () => {
  const text = ['FROM node:20-slim', 'WORKDIR /app', 'RUN npm ci', ''].join('\n');
  const model = new ParsedDocument('file:///x/Dockerfile', 1, text).model();
  const result: CacheResult = {
    version: 1,
    text,
    effects: new Map(),
    report: {
      dockerfile: '/x/Dockerfile',
      commits: 200,
      head: 'abc',
      expectedSeconds: 35.67,
      untimedSteps: 0,
      instructions: [
        { line: 1, instruction: 'FROM node:20-slim', rerunShare: 0.01, seconds: null },
        { line: 2, instruction: 'WORKDIR /app', rerunShare: 0.01, seconds: null },
        { line: 3, instruction: 'RUN npm ci', rerunShare: 0.87, seconds: 41 },
      ],
    },
  };

  it('the hover of a keyword gets a section below the documentation; elsewhere nothing changes', () => {
    const docs: Hover = { contents: { kind: 'markdown', value: 'RUN docs' } };
    const h = cacheHover(result, model, { line: 2, character: 1 }, docs)!;
    assert.deepEqual(h.contents, { kind: 'markdown', value: 'RUN docs\n\n---\n\n**Build cache:** re-runs on 87% of the last 200 commits · last build 41 s' });
    assert.equal(cacheHover(result, model, { line: 2, character: 6 }, docs), docs);
    assert.equal(cacheHover(undefined, model, { line: 2, character: 1 }, docs), docs);
    const own = cacheHover(result, model, { line: 0, character: 0 }, null)!;
    assert.deepEqual(own.contents, { kind: 'markdown', value: '**Build cache:** re-runs on 1.0% of the last 200 commits' });
    const plain = cacheHover(result, model, { line: 2, character: 0 }, { contents: 'plain' })!;
    assert.deepEqual(plain.contents, ['plain', '**Build cache:** re-runs on 87% of the last 200 commits · last build 41 s']);
  });

  it('an untimed RUN says how to measure it', () => {
    const untimed: CacheResult = { ...result, report: { ...result.report, instructions: result.report.instructions.map((l) => ({ ...l, seconds: null })) } };
    const h = cacheHover(untimed, model, { line: 2, character: 2 }, null)!;
    assert.equal((h.contents as { value: string }).value, '**Build cache:** re-runs on 87% of the last 200 commits · duration unknown: build it from the editor to measure');
  });

  it('lenses: one per instruction at the keyword, a label without a command', () => {
    const lenses = cacheLenses(result, model);
    assert.deepEqual(
      lenses.map((l) => [l.range, l.command]),
      [
        [model.instructions[0]!.keywordRange, { title: 're-runs on 1.0% of commits', command: '' }],
        [model.instructions[1]!.keywordRange, { title: 're-runs on 1.0% of commits', command: '' }],
        [model.instructions[2]!.keywordRange, { title: 're-runs on 87% of commits · 41 s', command: '' }],
      ],
    );
  });
});

describe('the effect of the cache fixes on diagnostics', () => {
  it('mapOffset: an insertion at the offset goes before it, a replacement loses it', () => {
    const doc = TextDocument.create('file:///a', 'dockerfile', 0, 'abcdef');
    const at = (o: number) => doc.positionAt(o);
    assert.equal(mapOffset(doc, [{ range: { start: at(2), end: at(2) }, newText: 'XY' }], 2), 4);
    assert.equal(mapOffset(doc, [{ range: { start: at(0), end: at(1) }, newText: '' }], 3), 2);
    assert.equal(mapOffset(doc, [{ range: { start: at(2), end: at(4) }, newText: 'Z' }], 3), undefined);
    assert.equal(mapOffset(doc, [{ range: { start: at(4), end: at(5) }, newText: 'Z' }], 3), 3);
  });

  it('lockfile order: "`npm ci` would re-run on 20% of the last 10 commits instead of 80%", from the rule\'s own fix', async () => {
    const r = nodeRepo(BAD);
    const file = r.path('Dockerfile');
    const diagnostics = lint(file, BAD);
    const d = diagnostics.find((x) => x.code === 'dependency-install-after-source-copy');
    assert.ok(d, JSON.stringify(diagnostics.map((x) => x.code)));
    const options = { commits: 200, buildArgs: {} };
    const effects = await diagnosticEffects(file, BAD, diagnostics, options, await cacheReport(file, { ...options, text: BAD }));
    assert.deepEqual([...effects.values()], ['With the fix, `npm ci` would re-run on 20% of the last 10 commits instead of 80%.']);

    // Through the service: the published diagnostics get the sentence once the result lands.
    const { s } = service();
    const doc = docOf(r, BAD, 1, diagnostics);
    assert.equal(s.withEffects(doc.uri, BAD, diagnostics), diagnostics);
    await s.settled(doc);
    const amended = s.withEffects(doc.uri, BAD, diagnostics);
    const i = diagnostics.indexOf(d);
    assert.equal(amended[i]!.message, `${d.message} With the fix, \`npm ci\` would re-run on 20% of the last 10 commits instead of 80%.`);
    assert.deepEqual(amended[i]!.data, d.data);
    for (let k = 0; k < diagnostics.length; k++) if (k !== i) assert.equal(amended[k], diagnostics[k]);
    // An edit not analyzed yet: the same diagnostic, moved, keeps the last figure; another message gets none.
    const moved = diagnostics.map((x) => ({ ...x, range: { start: { ...x.range.start, line: x.range.start.line + 1 }, end: { ...x.range.end, line: x.range.end.line + 1 } } }));
    assert.equal(s.withEffects(doc.uri, `# x\n${BAD}`, moved)[i]!.message, amended[i]!.message);
    const reworded = [{ ...d, message: 'other' }];
    assert.equal(s.withEffects(doc.uri, `# x\n${BAD}`, reworded)[0], reworded[0]);
  });

  it('apt: the update re-ran on 1 of 4 commits, the install on 3 of 4; merged, it runs with every install', async () => {
    const r = repo();
    const df = (pkgs: string) => ['FROM debian:bookworm', 'RUN apt-get update', `RUN apt-get install -y --no-install-recommends ${pkgs}`, ''].join('\n');
    r.commit('init', { Dockerfile: df('curl') });
    r.commit('add wget', { Dockerfile: df('curl wget') });
    r.commit('readme', { 'README.md': 'x' });
    r.commit('add git', { Dockerfile: df('curl wget git') });
    const text = df('curl wget git');
    const file = r.path('Dockerfile');
    const diagnostics = lint(file, text);
    assert.ok(diagnostics.some((x) => x.code === 'apt-update-separate'));
    const options = { commits: 200, buildArgs: {} };
    const report = await cacheReport(file, { ...options, text });
    // README is not ignored here: COPY-less Dockerfile, so it re-runs nothing.
    assert.deepEqual(report.instructions.map((l) => l.rerunShare), [1 / 4, 1 / 4, 3 / 4]);
    const effects = await diagnosticEffects(file, text, diagnostics, options, report);
    assert.deepEqual([...effects.values()], ['With the fix, `apt-get update` would run with every install: on 75% of the last 4 commits instead of 25%.']);
  });

  it('no sentence where the fix changes nothing, nor for diagnostics without a fix', async () => {
    const r = repo();
    const text = ['FROM debian:bookworm', 'RUN apt-get update', 'RUN apt-get install -y --no-install-recommends curl', ''].join('\n');
    r.commit('init', { Dockerfile: text });
    r.commit('readme', { 'README.md': 'x' });
    const file = r.path('Dockerfile');
    const diagnostics = lint(file, text);
    const options = { commits: 200, buildArgs: {} };
    const effects = await diagnosticEffects(file, text, diagnostics, options, await cacheReport(file, { ...options, text }));
    assert.equal(effects.size, 0);
  });
});
