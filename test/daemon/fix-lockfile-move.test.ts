import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { fsBuildContext } from '../../server/src/model/build-context';
import { lintDocument } from '../../server/src/engine/lint';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { runOutput } from '../support/build';
import { testDaemon } from '../support/daemon';
import { ensureDebianImage } from '../support/debian-image';
import { docOf } from '../support/docs';
import { dockerFor, TEST_IMAGE_PREFIX } from '../support/images';

const ONCE = 'the fix is proven on one real BuildKit build (its CACHED lines): run once, on Engine 20.10';
const daemon = testDaemon({ podman: ONCE, docker26: ONCE });
const DOCKER_CLI = '/usr/bin/docker';
const NODE_IMAGE = `${TEST_IMAGE_PREFIX}node-fixture:${process.versions.node}`;
/** npm beside the node binary that runs the tests (/usr/bin/node → /usr/lib/node_modules/npm). */
const NPM_DIR = path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm');
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

const skip = daemon.skip || (!fs.existsSync(DOCKER_CLI) ? `no ${DOCKER_CLI} (the 20.10 client prints BuildKit's CACHED)` : !fs.existsSync(NPM_DIR) ? `no npm at ${NPM_DIR}` : false);

interface CliBuild {
  ms: number;
  log: string;
}

/** `docker build --progress=plain` with BuildKit; its progress log shows `#n CACHED` for steps it did not run. */
function buildkit(host: string, dockerfile: string, context: string, tag: string): CliBuild {
  const started = Date.now();
  const r = spawnSync(DOCKER_CLI, ['build', '--progress=plain', '-f', dockerfile, '-t', tag, context], {
    env: { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: '1', DOCKER_CONFIG: fs.mkdtempSync(path.join(os.tmpdir(), 'lw-cli-')) },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const log = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `docker build of ${tag} failed:\n${log.slice(-3000)}`);
  return { ms: Date.now() - started, log };
}

/** How BuildKit's plain progress reports the step whose line is `RUN <text>`: `CACHED`, or the seconds it ran. */
function stepResult(log: string, run: string): { cached: boolean; seconds: number | undefined } {
  const head = log.split('\n').find((l) => /^#\d+ \[.*\] RUN /.test(l) && l.includes(run));
  assert.ok(head, `no step "RUN ${run}" in the progress:\n${log}`);
  const n = /^#(\d+) /.exec(head)![1]!;
  const cached = new RegExp(`^#${n} CACHED\\s*$`, 'm').test(log);
  const done = new RegExp(`^#${n} DONE ([\\d.]+)s`, 'm').exec(log);
  return { cached, seconds: done ? Number(done[1]) : undefined };
}

/**
 * A Debian base with the node and npm that run these tests, and the host's CA bundle: npm reaches the registry only
 * through a TLS proxy whose CA the host trusts (a fixture concern, never something the fix writes).
 */
function ensureNodeImage(host: string, base: string): string {
  const listed = spawnSync(DOCKER_CLI, ['image', 'inspect', NODE_IMAGE], { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' });
  if (listed.status === 0) return NODE_IMAGE;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-node-image-'));
  try {
    fs.copyFileSync(process.execPath, path.join(dir, 'node'));
    fs.cpSync(NPM_DIR, path.join(dir, 'npm'), { recursive: true });
    fs.copyFileSync(HOST_CA, path.join(dir, 'ca.crt'));
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        `FROM ${base}`,
        'COPY node /usr/local/bin/node',
        'COPY npm /usr/local/lib/node_modules/npm',
        'COPY ca.crt /etc/ssl/certs/ca-certificates.crt',
        'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && node --version && npm --version',
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false',
        '',
      ].join('\n'),
    );
    buildkit(host, path.join(dir, 'Dockerfile'), dir, NODE_IMAGE);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return NODE_IMAGE;
}

/** A small web app: express and its ~65 packages make `npm ci` a step worth caching. */
const PACKAGE_JSON = JSON.stringify({ name: 'lockfile-move-fixture', version: '1.0.0', private: true, dependencies: { express: '4.21.2', ms: '2.1.3' } }, null, 2);

/** The lockfile move, proven with BuildKit on the private daemon: after the fix a source edit no longer re-installs. */
describe('lockfile move fix on a real BuildKit build', { skip }, () => {
  const host = daemon.host ?? '';
  let nodeImage = '';
  let work = '';
  before(async () => {
    await initShellParser();
    const base = await ensureDebianImage(dockerFor(host));
    nodeImage = ensureNodeImage(host, base);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-lockfile-move-'));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('before the fix a source edit re-runs npm ci; after it the install is CACHED, and the app prints the same', { timeout: 600_000 }, async (t) => {
    const ctxDir = path.join(work, 'context');
    fs.mkdirSync(path.join(ctxDir, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(ctxDir, 'package.json'), PACKAGE_JSON);
    // The lock file, resolved by the host's npm (the registry is reachable from the host and, through the proxy, from builds).
    const lock = spawnSync(process.execPath, [path.join(NPM_DIR, 'bin', 'npm-cli.js'), 'install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: ctxDir, encoding: 'utf8', timeout: 120_000 });
    if (lock.status !== 0) return t.skip(`npm could not resolve the fixture's lock file: ${(lock.stderr || lock.stdout).slice(-500)}`);
    fs.writeFileSync(path.join(ctxDir, '.dockerignore'), 'node_modules\n');
    fs.writeFileSync(
      path.join(ctxDir, 'server.js'),
      "const express = require('express');\nconst ms = require('ms');\nconst app = express();\napp.get('/', (req, res) => res.send('ok'));\nconsole.log(require('./lib/greet')(), ms(90000), typeof app.listen);\n",
    );
    fs.writeFileSync(path.join(ctxDir, 'lib', 'greet.js'), "module.exports = () => 'hello from the fixture';\n");
    // Every run edits with its own mark, so BuildKit's cache from an earlier run cannot hide a re-install.
    const mark = `${process.pid}-${Date.now()}`;
    let edits = 0;
    const editSource = (): void => fs.appendFileSync(path.join(ctxDir, 'lib', 'greet.js'), `// edit ${mark}-${++edits}\n`);

    const beforeText = [`FROM ${nodeImage}`, 'WORKDIR /app', 'COPY . .', 'RUN npm ci --no-audit --no-fund', 'CMD ["node", "server.js"]', ''].join('\n');
    const doc = docOf(beforeText);
    const d = lintDocument(doc, DEFAULT_SETTINGS, { buildContext: fsBuildContext(ctxDir) }).find((x) => x.code === 'dependency-install-after-source-copy');
    assert.ok(d, 'dependency-install-after-source-copy reported');
    const fix = (d.data as RuleDiagnosticData).fixes[0];
    assert.ok(fix, `a fix is offered: ${d.message}`);
    assert.equal(fix.safe, true, fix.title);
    const afterText = TextDocument.applyEdits(doc.textDocument, fix.edits);
    assert.equal(afterText, [`FROM ${nodeImage}`, 'WORKDIR /app', 'COPY package.json package-lock.json ./', 'RUN npm ci --no-audit --no-fund', 'COPY . .', 'CMD ["node", "server.js"]', ''].join('\n'));
    const beforeFile = path.join(work, 'Dockerfile.before');
    const afterFile = path.join(work, 'Dockerfile.after');
    fs.writeFileSync(beforeFile, beforeText);
    fs.writeFileSync(afterFile, afterText);

    // Before the fix: build, edit a source file, rebuild. The install runs again.
    const b1 = buildkit(host, beforeFile, ctxDir, 'layerwise-test/lockfile-move:before');
    editSource();
    const b2 = buildkit(host, beforeFile, ctxDir, 'layerwise-test/lockfile-move:before');
    const installBefore = stepResult(b2.log, 'npm ci');
    assert.equal(installBefore.cached, false, `npm ci was CACHED before the fix:\n${b2.log}`);

    // After the fix: build, edit a source file, rebuild. The install is CACHED; only the source COPY runs.
    const a1 = buildkit(host, afterFile, ctxDir, 'layerwise-test/lockfile-move:after');
    editSource();
    const a2 = buildkit(host, afterFile, ctxDir, 'layerwise-test/lockfile-move:after');
    const installAfter = stepResult(a2.log, 'npm ci');
    assert.equal(installAfter.cached, true, `npm ci was not CACHED after the fix:\n${a2.log}`);

    const docker = dockerFor(host);
    const outBefore = await runOutput(docker, 'layerwise-test/lockfile-move:before');
    const outAfter = await runOutput(docker, 'layerwise-test/lockfile-move:after');
    assert.equal(outAfter, outBefore);
    assert.equal(outBefore.trim(), 'hello from the fixture 2m function');

    const figures = {
      fix: 'lockfile-move',
      beforeFirstBuildMs: b1.ms,
      beforeRebuildMs: b2.ms,
      beforeRebuildInstallSeconds: installBefore.seconds,
      afterFirstBuildMs: a1.ms,
      afterRebuildMs: a2.ms,
      afterRebuildInstall: 'CACHED',
    };
    console.log(
      `lockfile move: rebuild after a source edit ${(b2.ms / 1000).toFixed(1)} s before the fix (npm ci ran, ${installBefore.seconds ?? '?'} s), ` +
        `${(a2.ms / 1000).toFixed(1)} s after it (npm ci CACHED)`,
    );
    if (process.env.LAYERWISE_RECORD_FIX_PROOF) fs.appendFileSync(process.env.LAYERWISE_RECORD_FIX_PROOF, JSON.stringify(figures) + '\n');
  });
});
