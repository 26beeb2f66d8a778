import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { analyzeOnDaemon } from '../../server/src/analyze/run';
import { DEFAULT_SETTINGS, type DockerSettings } from '../../server/src/config';
import { runBuild } from '../../server/src/docker/build';
import { DaemonClient, DockerError, type DockerErrorKind } from '../../server/src/docker/client';
import { resolveEndpoint } from '../../server/src/docker/endpoint';
import { ImageFactsService } from '../../server/src/docker/image-facts';
import { LayerLensService, processEnvironment, type LensState } from '../../server/src/docker/service';
import { ParsedDocument } from '../../server/src/engine/document';
import type { Model } from '../../server/src/model/model';
import { initShellParser } from '../../server/src/model/shell';
import { restartPrivateDaemon, testDaemon } from '../support/daemon';
import { type Fault, faultProxy, type FaultProxy, otherEngine } from '../support/fault-proxy';
import { BUSYBOX_IMAGE, dockerFor, ensureBusyboxImage } from '../support/images';
import { LspClient } from '../support/lsp-client';
import { apiBuild, connect, fixtureDir, removeImage, RUN_ID } from './docker-fixtures';

/**
 * Every endpoint the product calls, failing every way a daemon fails: no answer, an answer that
 * stops or is cut mid-body, HTTP 500, a body that is not JSON. The real private daemon serves
 * everything else through a proxy (test/support/fault-proxy.ts) that injects the fault a real
 * daemon cannot produce on demand. Endpoints: `/_ping` and `/version` (client.ts), `/events`,
 * `/images/json`, `/images/{id}/history` (service.ts), `/images/{ref}/json` (service.ts,
 * image-facts.ts, analyze/run.ts), `/images/{ref}/get` (analyze/run.ts), `POST /session` and
 * `POST /build` (build.ts). Each fault must give a clear state; the lens service must recover by
 * itself once the fault is gone; diagnostics do not change while the daemon misbehaves.
 */

const ONLY_ENGINE_20 = 'the faults are injected in front of Engine 20.10; one engine is enough for the client side';
const daemon = testDaemon({ podman: ONLY_ENGINE_20, docker26: ONLY_ENGINE_20 });
const SKIP = daemon.skip;
const FAULTS: Fault[] = ['hang', 'hang-mid', 'close-mid', '500', 'garbage'];
/** Short deadlines, so a hanging call becomes a state within the test's patience (product defaults: 1.5 s first call, 10 s later calls). */
const CLIENT = { timeoutMs: 1500, callTimeoutMs: 2000 };
const SERVER = path.resolve('server/out/server.js');

const DOCKERFILE = [`FROM ${BUSYBOX_IMAGE}`, `RUN echo ${RUN_ID} > /marker`, 'run echo lower-case keyword', ''].join('\n');

function modelOf(text: string): Model {
  return new ParsedDocument('file:///faults/Dockerfile', 1, text).model();
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What each fault looks like to the user, per kind of call. */
const JSON_CALL_KINDS: Record<Fault, DockerErrorKind[]> = {
  hang: ['timeout'],
  'hang-mid': ['timeout'],
  // docker-modem waits for the end of a JSON body that never comes: the call's deadline ends it.
  'close-mid': ['unreachable', 'daemon', 'timeout'],
  '500': ['daemon'],
  garbage: ['daemon'],
};

describe('daemon faults at every endpoint', { skip: SKIP }, () => {
  let proxy: FaultProxy;
  let real: DaemonClient;
  const imageTag = `layerwise-test/faults:${RUN_ID}`;
  let dir: string;
  let model: Model;
  const settings = (): DockerSettings => ({ ...DEFAULT_SETTINGS.docker, host: proxy.host });

  before(async () => {
    await initShellParser();
    real = await connect(daemon.host!);
    await ensureBusyboxImage(dockerFor(daemon.host!));
    dir = fixtureDir({ Dockerfile: DOCKERFILE });
    await apiBuild(real, dir, { tag: imageTag, builder: 'buildkit' });
    model = modelOf(DOCKERFILE);
    proxy = await faultProxy(daemon.host!.replace(/^unix:\/\//, ''));
  });

  after(async () => {
    await proxy?.close();
    if (real) await removeImage(real, imageTag);
  });

  /** The first read of a daemon with many images can outlive the lens wait: "loading", then a refresh. */
  const settled = (svc: LayerLensService, docker: DockerSettings): Promise<LensState> =>
    until('a snapshot, not loading', 20_000, async () => {
      const s = await svc.lenses({ model, docker });
      return s.kind === 'loading' ? undefined : s;
    });

  const service = (log: string[] = [], refreshes: { n: number } = { n: 0 }): LayerLensService =>
    new LayerLensService({ log: (m) => log.push(m), refresh: () => refreshes.n++, client: CLIENT, recoverMs: 200, eventDebounceMs: 50 });

  const LENS_ENDPOINTS: { name: string; path: RegExp; unaffected?: Fault[] }[] = [
    // The API version is in _ping's headers: a body that stops or is cut after them changes nothing.
    { name: 'GET /_ping and /version', path: /^\/(_ping|version)$/, unaffected: ['hang-mid', 'close-mid'] },
    { name: 'GET /images/json', path: /^\/images\/json$/ },
    { name: 'GET /images/{id}/history', path: /^\/images\/[^/]+\/history$/ },
  ];

  for (const endpoint of LENS_ENDPOINTS) {
    for (const fault of FAULTS) {
      if (endpoint.unaffected?.includes(fault)) {
        it(`lenses, ${endpoint.name}, ${fault}: nothing the client needs is missing, layer sizes shown`, { timeout: 30_000 }, async () => {
          proxy.rules.splice(0, Infinity, { path: endpoint.path, fault });
          const svc = service();
          try {
            assert.equal((await settled(svc, settings())).kind, 'layers');
          } finally {
            proxy.rules.length = 0;
            svc.dispose();
          }
        });
        continue;
      }
      it(`lenses, ${endpoint.name}, ${fault}: a clear error state, then layers again by themselves`, { timeout: 30_000 }, async () => {
        proxy.rules.splice(0, Infinity, { path: endpoint.path, fault });
        const log: string[] = [];
        const refreshes = { n: 0 };
        const svc = service(log, refreshes);
        try {
          let state: LensState = await svc.lenses({ model, docker: settings() });
          // A call that outlives the lens wait is answered "loading"; the error follows with a refresh.
          if (state.kind === 'loading') state = await until('the error state', 10_000, async () => {
            const s = await svc.lenses({ model, docker: settings() });
            return s.kind === 'loading' ? undefined : s;
          });
          assert.equal(state.kind, 'error', JSON.stringify(state));
          const error = (state as Extract<LensState, { kind: 'error' }>).error;
          assert.ok(JSON_CALL_KINDS[fault].includes(error.kind), `${error.kind}: ${error.detail}`);
          assert.ok(error.detail.startsWith(proxy.host), error.detail);
          assert.ok(log.some((l) => l.startsWith('Layer sizes unavailable:')), log.join('\n'));
          const before = refreshes.n;
          proxy.rules.length = 0;
          await until('a refresh after the daemon came back', 15_000, () => (refreshes.n > before ? true : undefined));
          const back = await svc.lenses({ model, docker: settings() });
          assert.equal(back.kind, 'layers', JSON.stringify(back));
          assert.ok(log.some((l) => /answers again/.test(l)), log.join('\n'));
        } finally {
          proxy.rules.length = 0;
          svc.dispose();
        }
      });
    }
  }

  for (const fault of FAULTS) {
    it(`lenses, GET /events, ${fault}: layer sizes still shown; a stream cut short makes the service read again`, { timeout: 30_000 }, async () => {
      proxy.rules.splice(0, Infinity, { path: /^\/events$/, fault, afterBytes: 0 });
      const log: string[] = [];
      const refreshes = { n: 0 };
      const svc = service(log, refreshes);
      try {
        const state = await settled(svc, settings());
        assert.equal(state.kind, 'layers', JSON.stringify(state));
        if (fault === 'close-mid') await until('the service noticing the stream ended', 10_000, () => (log.some((l) => /event stream .* ended/.test(l)) ? true : undefined));
        proxy.rules.length = 0;
        assert.equal((await svc.lenses({ model, docker: settings() })).kind, 'layers');
      } finally {
        proxy.rules.length = 0;
        svc.dispose();
      }
    });
  }

  const client = async (options: Partial<typeof CLIENT> = CLIENT): Promise<DaemonClient> => {
    const r = resolveEndpoint(proxy.host, processEnvironment());
    assert.ok(r.ok);
    return DaemonClient.connect(r.endpoint, options);
  };
  const failure = (p: Promise<unknown>): Promise<DockerError> =>
    p.then(
      () => assert.fail('the call answered'),
      (e: unknown) => (assert.ok(e instanceof DockerError, String(e)), e),
    );

  // The product's deadlines (1.5 s to ping, 10 s per call): a stalled call asks GET /_ping after 1.5 s.
  it('a hung daemon (nothing answers, GET /_ping included): a list call says the daemon is not responding, from the ping, not from its 10 s deadline', { timeout: 30_000 }, async () => {
    const c = await client({});
    proxy.rules.splice(0, Infinity, { path: /.*/, fault: 'hang' });
    try {
      const e = await failure(c.listImages());
      assert.equal(e.kind, 'timeout');
      assert.match(e.detail, /no answer to GET \/images\/json within 1500 ms, and none to GET \/_ping within 1500 ms either: the daemon is not responding/);
    } finally {
      proxy.rules.length = 0;
    }
  });

  it('a slow daemon (history answers after 2.5 s, the ping at once) is waited for, not taken for a hung one', { timeout: 30_000 }, async () => {
    const c = await client({});
    const id = (await c.inspect(imageTag))!.Id;
    proxy.delays.splice(0, Infinity, { path: /^\/images\/[^/]+\/history$/, ms: 2_500 });
    const before = proxy.requests.length;
    try {
      assert.ok((await c.history(id)).length > 0);
      assert.ok(proxy.requests.slice(before).includes('GET /_ping'), 'the stalled call did not ask whether the daemon is alive');
    } finally {
      proxy.delays.length = 0;
    }
  });

  it('a daemon stuck on one call that still answers GET /_ping: the call\'s deadline ends it and says the ping answers', { timeout: 30_000 }, async () => {
    const c = await client({ timeoutMs: 1_500, callTimeoutMs: 4_000 });
    proxy.rules.splice(0, Infinity, { path: /^\/images\/json$/, fault: 'hang' });
    try {
      const e = await failure(c.listImages());
      assert.equal(e.kind, 'timeout');
      assert.match(e.detail, /no answer to GET \/images\/json within 4000 ms, although GET \/_ping answers: the daemon is busy, or stuck on this call/);
    } finally {
      proxy.rules.length = 0;
    }
  });

  for (const fault of FAULTS) {
    it(`Analyze Image, GET /images/{ref}/json, ${fault}: a clear error`, { timeout: 30_000 }, async () => {
      const c = await client();
      proxy.rules.splice(0, Infinity, { path: /^\/images\/[^/]+\/json$/, fault });
      try {
        const r = await analyzeOnDaemon(c, imageTag, { idleTimeoutMs: 1500 });
        assert.equal(r.ok, false);
        const error = (r as { error: string }).error;
        assert.ok(error.startsWith(proxy.host), error);
        assert.match(error, fault === 'hang' || fault === 'hang-mid' ? /no answer/ : fault === '500' ? /HTTP 500: .*injected fault/ : fault === 'garbage' ? /is not JSON/ : /closed|hang up|aborted|not JSON|no answer/);
      } finally {
        proxy.rules.length = 0;
      }
    });

    it(`Analyze Image, GET /images/{ref}/get, ${fault}: a clear error (no answer at all: cancel ends it)`, { timeout: 30_000 }, async () => {
      const c = await client();
      proxy.rules.splice(0, Infinity, { path: /^\/images\/[^/]+\/get$/, fault, afterBytes: 64 * 1024 });
      try {
        const abort = new AbortController();
        // The daemon may prepare an export for minutes before its first byte: only Cancel ends that wait.
        if (fault === 'hang') setTimeout(() => abort.abort(), 1000);
        const r = await analyzeOnDaemon(c, imageTag, { idleTimeoutMs: 1500, signal: abort.signal });
        assert.equal(r.ok, false);
        const error = (r as { error: string }).error;
        const expected: Record<Fault, RegExp> = {
          hang: /^cancelled$/,
          'hang-mid': /stopped sending the export of .* \(nothing for 2 s\)/,
          'close-mid': /The image export ended early, after \d+ bytes: the connection to the daemon closed/,
          '500': /HTTP 500: .*injected fault/,
          garbage: /Not an image export: \d+ bytes that do not make a tar archive/,
        };
        assert.match(error, expected[fault]);
      } finally {
        proxy.rules.length = 0;
      }
    });
  }

  const BUILD_FAULTS: Record<Fault, RegExp> = {
    hang: /^cancelled$/,
    'hang-mid': /^cancelled$/,
    'close-mid': /.+/,
    '500': /injected fault/,
    garbage: /.+/,
  };
  for (const fault of FAULTS) {
    it(`Build Image, POST /build, ${fault}: fails with a message, or is cancelled at once when the daemon says nothing`, { timeout: 60_000 }, async () => {
      const c = await client();
      proxy.rules.splice(0, Infinity, { method: 'POST', path: /^\/build$/, fault, afterBytes: 1 });
      const abort = new AbortController();
      const silent = fault === 'hang' || fault === 'hang-mid';
      // A build may be silent for a long time (a long RUN): no deadline, the user cancels.
      if (silent) setTimeout(() => abort.abort(), 1500);
      try {
        // A tag of its own: a tag left by another build must not pass for this one's image.
        const r = await runBuild(c, { contextDir: dir, dockerfile: 'Dockerfile', tag: `${imageTag}-${fault}`, target: undefined, buildArgs: {}, builder: 'buildkit' }, { signal: abort.signal });
        assert.equal(r.ok, false, JSON.stringify(r));
        assert.match(r.error ?? '', BUILD_FAULTS[fault]);
        if (!silent) assert.ok(!abort.signal.aborted);
      } finally {
        proxy.rules.length = 0;
        abort.abort();
        await removeImage(real, `${imageTag}-${fault}`);
      }
    });
  }

  it('Build Image, POST /session refused (a proxy without upgrades): auto falls back to the classic builder; buildkit says why', { timeout: 120_000 }, async () => {
    const c = await client();
    proxy.rules.splice(0, Infinity, { method: 'POST', path: /^\/session$/, fault: 'close-mid' });
    try {
      const plan = { contextDir: dir, dockerfile: 'Dockerfile', tag: `${imageTag}-s`, target: undefined, buildArgs: {} };
      const lines: string[] = [];
      const auto = await runBuild(c, { ...plan, builder: 'auto' }, { onLine: (l) => lines.push(l) });
      assert.ok(auto.ok, `${auto.error}\n${lines.join('\n')}`);
      assert.ok(lines.some((l) => /BuildKit could not start .*classic builder instead/.test(l)), lines.join('\n'));
    } finally {
      proxy.rules.length = 0;
      await removeImage(real, `${imageTag}-s`);
    }
  });

  for (const fault of FAULTS) {
    it(`base image facts, GET /images/{ref}/json, ${fault}: the rules know nothing and the log says why; facts come back`, { timeout: 30_000 }, async () => {
      proxy.rules.splice(0, Infinity, { path: /^\/images\/[^/]+\/json$/, fault });
      const log: string[] = [];
      const facts = new ImageFactsService({ log: (m) => log.push(m), changed: () => undefined, client: CLIENT, watch: false, retryAfterMs: 0 });
      try {
        const bad = await facts.complete(model, proxy.host);
        assert.ok(bad.error?.startsWith(proxy.host), JSON.stringify(bad));
        assert.equal([...(bad.images?.values() ?? [])].filter((v) => v).length, 0);
        assert.ok(log.some((l) => l.startsWith('Base image facts unavailable')), log.join('\n'));
        proxy.rules.length = 0;
        const good = await facts.complete(model, proxy.host);
        assert.equal(good.error, undefined);
        assert.ok([...(good.images?.values() ?? [])].some((v) => v?.id), JSON.stringify(good));
      } finally {
        proxy.rules.length = 0;
        facts.dispose();
      }
    });
  }

  it('another engine under the same socket: the service reconnects, reads the new engine, and comes back', { timeout: 60_000 }, async () => {
    const log: string[] = [];
    const refreshes = { n: 0 };
    const svc = service(log, refreshes);
    const other = await otherEngine('99.0.0-other', '1.43');
    try {
      assert.equal((await settled(svc, settings())).kind, 'layers');
      const before = refreshes.n;
      proxy.switchUpstream(other.socket);
      await until('a refresh after the event stream ended', 10_000, () => (refreshes.n > before ? true : undefined));
      const swapped = await until('the other engine read', 10_000, async () => {
        const s = await svc.lenses({ model, docker: settings() });
        return s.kind === 'no-image' ? s : undefined;
      });
      assert.equal(swapped.kind, 'no-image');
      assert.ok(log.some((l) => l.includes(proxy.host) && /API 1\.43, using 1\.43/.test(l)), log.join('\n'));
      const again = refreshes.n;
      proxy.switchUpstream(daemon.host!.replace(/^unix:\/\//, ''));
      await until('a refresh after the switch back', 10_000, () => (refreshes.n > again ? true : undefined));
      const back = await until('the daemon read again', 10_000, async () => {
        const s = await svc.lenses({ model, docker: settings() });
        return s.kind === 'layers' ? s : undefined;
      });
      assert.equal(back.kind, 'layers');
    } finally {
      svc.dispose();
      await other.close();
    }
  });

  it('diagnostics while the daemon misbehaves at every endpoint: the same as with a healthy daemon', { timeout: 240_000 }, async () => {
    const diagnosticsWith = async (host: string): Promise<Diagnostic[]> => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-home-'));
      const lsp = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], env: { PATH: process.env.PATH, HOME: home, DOCKER_HOST: host } });
      try {
        await lsp.initialize();
        const uri = pathToFileURL(path.join(home, 'Dockerfile')).href;
        const got = lsp.waitForDiagnostics(uri, { version: 1 });
        await lsp.didOpen(uri, DOCKERFILE, 1);
        void lsp.request('textDocument/codeLens', { textDocument: { uri } }).catch(() => undefined);
        return (await got).diagnostics.map((d) => ({ ...d, data: undefined }));
      } finally {
        await lsp.shutdown();
      }
    };
    const healthy = await diagnosticsWith(daemon.host!);
    assert.ok(healthy.some((d) => d.range.start.line === 2), JSON.stringify(healthy));
    for (const fault of FAULTS) {
      proxy.rules.splice(0, Infinity, { path: /.*/, fault });
      try {
        assert.deepEqual(await diagnosticsWith(proxy.host), healthy, fault);
      } finally {
        proxy.rules.length = 0;
      }
    }
  });

  it('the daemon restarts during a build: the build fails with a message, the lenses say so and come back by themselves', { timeout: 180_000 }, async () => {
    const log: string[] = [];
    const refreshes = { n: 0 };
    const svc = new LayerLensService({ log: (m) => log.push(m), refresh: () => refreshes.n++, client: CLIENT, recoverMs: 200, eventDebounceMs: 50 });
    const slow = fixtureDir({ Dockerfile: [`FROM ${BUSYBOX_IMAGE}`, `RUN echo ${RUN_ID}-slow && sleep 60`, ''].join('\n') });
    const direct = { ...DEFAULT_SETTINGS.docker, host: daemon.host! };
    try {
      assert.equal((await settled(svc, direct)).kind, 'layers');
      const lines: string[] = [];
      const building = runBuild(real, { contextDir: slow, dockerfile: 'Dockerfile', tag: `${imageTag}-slow`, target: undefined, buildArgs: {}, builder: 'buildkit' }, { onLine: (l) => lines.push(l) });
      await until('the RUN step running', 60_000, () => (lines.some((l) => /sleep 60/.test(l)) ? true : undefined));
      const before = refreshes.n;
      await restartPrivateDaemon();
      const r = await building;
      assert.equal(r.ok, false);
      assert.ok(r.error && r.error !== 'cancelled', JSON.stringify(r));
      console.log(`# build during the restart: ${r.error}`);
      await until('a refresh once the event stream ended', 30_000, () => (refreshes.n > before ? true : undefined));
      const back = await until('layer sizes again', 60_000, async () => {
        const s = await svc.lenses({ model, docker: direct });
        return s.kind === 'layers' ? s : undefined;
      });
      assert.equal(back.kind, 'layers');
      assert.ok(log.some((l) => /event stream .* ended/.test(l)), log.join('\n'));
    } finally {
      svc.dispose();
      real = await connect(daemon.host!);
    }
  });
});
