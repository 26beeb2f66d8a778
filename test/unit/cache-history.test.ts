import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { cacheReport, fixEffect } from '../../server/src/cache/report';
import { GitRepo } from '../support/git-fixture';

/**
 * rerunShare from scripted git histories: each commit's effect is known, so every share is an
 * exact fraction. Lines are 1-based; the comment after each instruction is its index.
 */

const repos: GitRepo[] = [];
after(() => repos.forEach((r) => r.remove()));

function repo(): GitRepo {
  const r = GitRepo.create();
  repos.push(r);
  return r;
}

async function shares(r: GitRepo, opts: { commits?: number; file?: string; text?: string } = {}): Promise<Record<number, number>> {
  const report = await cacheReport(r.path(opts.file ?? 'Dockerfile'), { commits: opts.commits, text: opts.text });
  return Object.fromEntries(report.instructions.map((l) => [l.line, l.rerunShare]));
}

const NODE_DOCKERFILE = [
  'FROM node:20-slim', // 1
  'WORKDIR /app', // 2
  'COPY package.json package-lock.json ./', // 3
  'RUN npm ci', // 4
  'COPY . .', // 5
  'RUN npm run build', // 6
  'CMD ["node", "dist/index.js"]', // 7
  '',
].join('\n');

/** .dockerignore leaves out the README, the Dockerfile and itself: their edits reach no COPY. */
const IGNORE = 'README.md\nDockerfile\n.dockerignore\n';

function nodeRepo(): GitRepo {
  const r = repo();
  r.commit('init', {
    Dockerfile: NODE_DOCKERFILE,
    '.dockerignore': IGNORE,
    'package.json': '{"name":"app"}',
    'package-lock.json': '{"lockfileVersion":3}',
    'src/index.js': 'console.log(1)',
    'README.md': '# app',
  });
  return r;
}

describe('rerunShare from git history', () => {
  it('README only (ignored), lockfile, source, a Dockerfile edit: exact shares per line', async () => {
    const r = nodeRepo();
    r.commit('readme', { 'README.md': '# app\nmore' }); // nothing re-runs
    r.commit('source', { 'src/index.js': 'console.log(2)' }); // COPY . . and below (5, 6, 7)
    r.commit('lockfile', { 'package-lock.json': '{"lockfileVersion":3,"x":1}' }); // COPY of the manifests and below (3..7)
    r.commit('edit line 6', { Dockerfile: NODE_DOCKERFILE.replace('RUN npm run build', 'RUN npm run build -- --prod') }); // 6, 7
    r.commit('readme again', { 'README.md': '# app\n' });
    // 6 commits: init re-runs everything.
    assert.deepEqual(await shares(r), { 1: 1 / 6, 2: 1 / 6, 3: 2 / 6, 4: 2 / 6, 5: 3 / 6, 6: 4 / 6, 7: 4 / 6 });
  });

  it('N smaller than the history: only the last N commits count', async () => {
    const r = nodeRepo();
    r.commit('source', { 'src/index.js': 'console.log(2)' });
    r.commit('readme', { 'README.md': 'x' });
    r.commit('lockfile', { 'package-lock.json': '{}' });
    const report = await cacheReport(r.path('Dockerfile'), { commits: 2 });
    assert.equal(report.commits, 2);
    assert.equal(report.head, r.head());
    assert.deepEqual(
      report.instructions.map((l) => [l.line, l.rerunShare]),
      [[1, 0], [2, 0], [3, 1 / 2], [4, 1 / 2], [5, 1 / 2], [6, 1 / 2], [7, 1 / 2]],
    );
    // More than there are: every commit, counted once.
    assert.equal((await cacheReport(r.path('Dockerfile'), { commits: 50 })).commits, 4);
  });

  it('a changed ENV line re-runs everything below it, nothing above', async () => {
    const r = repo();
    const df = (v: string): string => ['FROM busybox', 'ARG FLAVOUR=plain', `ENV MODE=${v}`, 'LABEL a=b', 'RUN echo $MODE', 'COPY app.sh /app.sh', ''].join('\n');
    r.commit('init', { Dockerfile: df('a'), '.dockerignore': 'Dockerfile\n', 'app.sh': 'echo' });
    r.commit('mode b', { Dockerfile: df('b') });
    r.commit('mode c', { Dockerfile: df('c') });
    r.commit('script', { 'app.sh': 'echo 2' });
    assert.deepEqual(await shares(r), { 1: 1 / 4, 2: 1 / 4, 3: 3 / 4, 4: 3 / 4, 5: 3 / 4, 6: 4 / 4 });
  });

  it('multi-stage: COPY --from depends on the stage it copies from, not on the stages beside it', async () => {
    const r = repo();
    r.commit('init', {
      Dockerfile: [
        'FROM busybox AS build', // 1
        'WORKDIR /src', // 2
        'COPY src/ ./src/', // 3
        'RUN make', // 4
        'FROM busybox', // 5
        'COPY config/ /etc/app/', // 6
        'COPY --from=build /src/out /app', // 7
        'CMD ["/app"]', // 8
        '',
      ].join('\n'),
      '.dockerignore': 'docs\n',
      'src/main.c': 'int main(){}',
      'config/app.conf': 'a=1',
      'docs/guide.md': 'guide',
    });
    r.commit('code', { 'src/main.c': 'int main(){return 0;}' }); // 3, 4, 7, 8
    r.commit('config', { 'config/app.conf': 'a=2' }); // 6, 7, 8
    r.commit('docs', { 'docs/guide.md': 'more' }); // ignored folder: nothing
    r.commit('code again', { 'src/util.c': 'void f(){}' }); // 3, 4, 7, 8
    assert.deepEqual(await shares(r), { 1: 1 / 5, 2: 1 / 5, 3: 3 / 5, 4: 3 / 5, 5: 1 / 5, 6: 2 / 5, 7: 4 / 5, 8: 4 / 5 });
  });

  it('a merge commit counts once, with what it brings over its first parent; branch commits are not counted', async () => {
    const r = nodeRepo(); // main: init
    r.checkout('feature', true);
    r.commit('feature source', { 'src/feature.js': 'x' });
    r.commit('feature readme', { 'README.md': 'feature' });
    r.checkout('main');
    r.commit('main lockfile', { 'package-lock.json': '{"v":2}' }); // 3..7
    r.merge('feature'); // brings src/feature.js and README: 5, 6, 7
    // First-parent history: init, main lockfile, merge.
    assert.deepEqual(await shares(r), { 1: 1 / 3, 2: 1 / 3, 3: 2 / 3, 4: 2 / 3, 5: 3 / 3, 6: 3 / 3, 7: 3 / 3 });
  });

  it('.dockerignore: an edit counts for a COPY only when it changes what the COPY takes', async () => {
    const r = nodeRepo();
    r.commit('docs', { 'docs/a.md': 'a' }); // HEAD's .dockerignore decides, and it leaves docs out: nothing
    r.commit('ignore docs', { '.dockerignore': IGNORE + 'docs\n' }); // COPY . . loses docs/a.md: 5, 6, 7
    r.commit('ignore nothing new', { '.dockerignore': IGNORE + 'docs\n*.tmp\n' }); // no file matches *.tmp: nothing
    r.commit('docs edit', { 'docs/a.md': 'b' }); // ignored now: nothing
    assert.deepEqual(await shares(r), { 1: 1 / 5, 2: 1 / 5, 3: 1 / 5, 4: 1 / 5, 5: 2 / 5, 6: 2 / 5, 7: 2 / 5 });
  });

  it('without a .dockerignore, COPY . . takes the Dockerfile itself: any edit of it re-runs COPY . . (as Docker does)', async () => {
    const r = repo();
    const df = (cmd: string): string => ['FROM busybox', 'COPY . /app', `CMD ${cmd}`, ''].join('\n');
    r.commit('init', { Dockerfile: df('["a"]'), 'a.txt': 'a' });
    r.commit('cmd', { Dockerfile: df('["b"]') });
    assert.deepEqual(await shares(r), { 1: 1 / 2, 2: 2 / 2, 3: 2 / 2 });
  });

  it('Dockerfile edits are followed line by line: an inserted line, and uncommitted edits in the editor', async () => {
    const r = nodeRepo();
    const lines = NODE_DOCKERFILE.split('\n');
    const inserted = [...lines.slice(0, 2), 'RUN apk add git', ...lines.slice(2)].join('\n');
    r.commit('insert line 3', { Dockerfile: inserted }); // the new RUN (3) and below
    r.commit('edit npm ci', { Dockerfile: inserted.replace('RUN npm ci', 'RUN npm ci --omit=dev') }); // npm ci (5) and below
    // Lines 1 FROM, 2 WORKDIR, 3 RUN apk, 4 COPY manifests, 5 RUN npm ci, 6 COPY . ., 7 RUN build, 8 CMD.
    assert.deepEqual(await shares(r), { 1: 1 / 3, 2: 1 / 3, 3: 2 / 3, 4: 2 / 3, 5: 3 / 3, 6: 3 / 3, 7: 3 / 3, 8: 3 / 3 });
    // An unsaved buffer with a new second step: history still maps to the moved lines; the new line has none of its own.
    const edited = ['FROM node:20-slim', 'ENV CI=1', ...inserted.replace('RUN npm ci', 'RUN npm ci --omit=dev').split('\n').slice(1)].join('\n');
    assert.deepEqual(await shares(r, { text: edited }), { 1: 1 / 3, 2: 1 / 3, 3: 1 / 3, 4: 2 / 3, 5: 2 / 3, 6: 3 / 3, 7: 3 / 3, 8: 3 / 3, 9: 3 / 3 });
  });

  it('wildcards, folders and ignored exceptions: a changed file counts where it matches a source', async () => {
    const r = repo();
    r.commit('init', {
      Dockerfile: ['FROM busybox', 'COPY *.json ./', 'COPY lib/ /lib/', 'RUN true', ''].join('\n'),
      '.dockerignore': 'Dockerfile\nlib/*.log\n!lib/keep.log\n',
      'a.json': '{}',
      'lib/x.sh': 'x',
      'lib/debug.log': 'x',
      'lib/keep.log': 'x',
      'sub/b.json': '{}',
    });
    r.commit('a.json', { 'a.json': '{"a":1}' }); // 2, 3, 4
    r.commit('sub/b.json', { 'sub/b.json': '{"b":1}' }); // *.json is the root only: nothing
    r.commit('debug log', { 'lib/debug.log': 'y' }); // ignored: nothing
    r.commit('keep log', { 'lib/keep.log': 'y' }); // brought back by !: 3, 4
    r.commit('new json', { 'c.json': '{}' }); // matches *.json: 2, 3, 4
    assert.deepEqual(await shares(r), { 1: 1 / 6, 2: 3 / 6, 3: 4 / 6, 4: 4 / 6 });
  });

  it('a Dockerfile in a sub-folder: its folder is the context, paths outside it do not count', async () => {
    const r = repo();
    r.commit('init', { 'svc/Dockerfile': 'FROM busybox\nCOPY . /app\n', 'svc/.dockerignore': 'Dockerfile\n', 'svc/a.txt': 'a', 'other/b.txt': 'b' });
    r.commit('outside', { 'other/b.txt': 'c' });
    r.commit('inside', { 'svc/a.txt': 'b' });
    assert.deepEqual(await shares(r, { file: 'svc/Dockerfile' }), { 1: 1 / 3, 2: 2 / 3 });
  });

  it('is cached per HEAD: a new commit is seen, the same HEAD is not scanned again', async () => {
    const r = nodeRepo();
    const first = await cacheReport(r.path('Dockerfile'));
    assert.equal(first.commits, 1);
    r.commit('source', { 'src/index.js': 'x' });
    const second = await cacheReport(r.path('Dockerfile'));
    assert.equal(second.commits, 2);
    assert.equal(second.instructions[4]!.rerunShare, 1);
    // With the objects hidden, git still resolves HEAD but cannot log or read files: only a cached scan answers.
    const objects = r.path('.git/objects');
    fs.renameSync(objects, `${objects}.hidden`);
    fs.mkdirSync(objects);
    try {
      const third = await cacheReport(r.path('Dockerfile'));
      assert.deepEqual(third, second);
    } finally {
      fs.rmSync(objects, { recursive: true });
      fs.renameSync(`${objects}.hidden`, objects);
    }
  });

  it('fixEffect: npm ci re-runs on fewer commits once the lockfile is copied first', async () => {
    const r = repo();
    const bad = ['FROM node:20-slim', 'WORKDIR /app', 'COPY . .', 'RUN npm ci', 'CMD ["node", "index.js"]', ''].join('\n');
    const good = ['FROM node:20-slim', 'WORKDIR /app', 'COPY package.json package-lock.json ./', 'RUN npm ci', 'COPY . .', 'CMD ["node", "index.js"]', ''].join('\n');
    r.commit('init', { Dockerfile: bad, '.dockerignore': IGNORE, 'package.json': '{}', 'package-lock.json': '{}', 'index.js': '1' });
    for (let i = 0; i < 6; i++) r.commit(`source ${i}`, { 'index.js': String(i + 2) });
    r.commit('readme', { 'README.md': 'x' });
    r.commit('readme 2', { 'README.md': 'y' });
    r.commit('lockfile', { 'package-lock.json': '{"v":1}' });
    // 10 commits: init, 6 source edits, 2 README (ignored), 1 lockfile.
    const effect = await fixEffect(r.path('Dockerfile'), { fixedText: good, line: 4 });
    assert.deepEqual(effect, { before: 8 / 10, after: 2 / 10, commits: 10 });
  });
});
