/**
 * `npm test`: installs or names the system tools of the tiers (scripts/install-test-deps.mjs), builds
 * the bundles, starts the private engines (Docker 20.10, Podman, Docker 26; the daemon tier runs
 * once per engine, LAYERWISE_TEST_ENGINES=podman,docker26 picks some) when this machine can run them,
 * runs every test file with node:test, and stops the daemon. Tiers run fastest first.
 * `npm test -- unit` (or grammar, rules, protocol, corpus, daemon, e2e) runs one tier. The e2e tier
 * drives a real VS Code (code-server + Chromium) and skips with the reason where it cannot be set up.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINE_LABELS, pruneDanglingImages, startPrivateDaemon, TEST_ENGINES, type DaemonResult, type TestEngine } from './support/daemon';
import { startPrivateDocker26 } from './support/docker26';
import { startPrivatePodman } from './support/podman';

interface DepsModule {
  ensureTestDeps(tiers: string[], log?: (s: string) => void): { pkg: string; tool?: string; needs: string }[];
}

const TIERS = ['unit', 'grammar', 'rules', 'protocol', 'neovim', 'fuzz', 'corpus', 'daemon', 'e2e'];

function filesOf(tier: string): string[] {
  const dir = path.join('test', tier);
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const ENGINE_STARTERS: Record<TestEngine, (log: (s: string) => void) => Promise<DaemonResult>> = {
  docker20: startPrivateDaemon,
  podman: startPrivatePodman,
  docker26: startPrivateDocker26,
};

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => TIERS.includes(a));
  const tiers = wanted.length ? wanted : TIERS;
  const deps = (await import(pathToFileURL(path.resolve('scripts', 'install-test-deps.mjs')).href)) as DepsModule;
  const missing = deps.ensureTestDeps(tiers);
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) return build.status ?? 1;
  const env = { ...process.env };
  const stops: (() => Promise<void>)[] = [];
  // The daemon tier runs once per engine (LAYERWISE_TEST_ENGINES=podman,… picks some); the
  // protocol tier's daemon tests get Engine 20.10 when both tiers run.
  const engineEnv = new Map<TestEngine, NodeJS.ProcessEnv>();
  if (tiers.includes('daemon')) {
    const picked = process.env.LAYERWISE_TEST_ENGINES?.split(',').filter((e): e is TestEngine => (TEST_ENGINES as readonly string[]).includes(e));
    const engines: TestEngine[] = picked?.length ? picked : [...TEST_ENGINES];
    for (const engine of engines) {
      const log = (m: string): void => console.log(`[${engine}] ${m}`);
      const result: DaemonResult = await ENGINE_STARTERS[engine](log);
      const e: NodeJS.ProcessEnv = { ...env, LAYERWISE_TEST_ENGINE: engine };
      if (result.ok) {
        e.LAYERWISE_TEST_DOCKER_HOST = result.daemon.host;
        stops.push(() => result.daemon.stop());
        const pruned = await pruneDanglingImages(result.daemon.host);
        log(typeof pruned === 'number' ? `removed ${pruned} untagged images left by earlier runs` : `could not remove untagged images: ${pruned}`);
      } else {
        delete e.LAYERWISE_TEST_DOCKER_HOST;
        e.LAYERWISE_TEST_DOCKER_SKIP = result.reason;
        log(`SKIPPING the daemon tests on ${ENGINE_LABELS[engine]}: ${result.reason}`);
      }
      engineEnv.set(engine, e);
    }
  }
  let status = 0;
  const totals = { pass: 0, fail: 0, skipped: 0 };
  const tap = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-test-run-'));
  const runTier = (files: string[], runEnv: NodeJS.ProcessEnv, title: string): void => {
    console.log(`\n=== ${title} (${files.length} files) ===`);
    const counts = path.join(tap, `${title.replace(/\W+/g, '-')}.tap`);
    const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${counts}`];
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...reporters, ...files], { stdio: 'inherit', env: runEnv });
    if (r.status !== 0) status = r.status ?? 1;
    const text = fs.existsSync(counts) ? fs.readFileSync(counts, 'utf8') : '';
    for (const key of ['pass', 'fail', 'skipped'] as const) totals[key] += Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };
  try {
    for (const tier of tiers) {
      const files = filesOf(tier);
      if (!files.length) continue;
      if (tier === 'daemon') {
        for (const [engine, e] of engineEnv) runTier(files, e, `daemon tests on ${ENGINE_LABELS[engine]}`);
      } else {
        runTier(files, engineEnv.get('docker20') ?? env, `${tier} tests`);
      }
    }
  } finally {
    for (const stop of stops) await stop();
    fs.rmSync(tap, { recursive: true, force: true });
  }
  const why = missing.length ? ` (missing: ${missing.map((m) => m.pkg).join(', ')})` : '';
  console.log(`\n=== ${tiers.join(' ')}: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} SKIPPED${totals.skipped ? why : ''} ===`);
  return status;
}

void main().then((code) => process.exit(code));
