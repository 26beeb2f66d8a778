/**
 * `npm test`: builds the bundles, starts the private Docker daemon (when this machine can run one),
 * runs every test file with node:test, and stops the daemon. Tiers run fastest first.
 * `npm test -- unit` (or grammar, rules, protocol, corpus, daemon, e2e) runs one tier. The e2e tier
 * drives a real VS Code (code-server + Chromium) and skips with the reason where it cannot be set up.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPrivateDaemon } from './support/daemon';

interface DepsModule {
  ensureTestDeps(tiers: string[], log?: (s: string) => void): { pkg: string; tool?: string; needs: string }[];
}

const TIERS = ['unit', 'grammar', 'rules', 'protocol', 'fuzz', 'corpus', 'daemon', 'e2e'];

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

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => TIERS.includes(a));
  const tiers = wanted.length ? wanted : TIERS;
  const deps = (await import(pathToFileURL(path.resolve('scripts', 'install-test-deps.mjs')).href)) as DepsModule;
  const missing = deps.ensureTestDeps(tiers);
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) return build.status ?? 1;
  const env = { ...process.env };
  let stop: (() => Promise<void>) | undefined;
  if (tiers.includes('daemon')) {
    const result = await startPrivateDaemon((s) => console.log(`[daemon] ${s}`));
    if (result.ok) {
      env.LAYERWISE_TEST_DOCKER_HOST = result.daemon.host;
      stop = () => result.daemon.stop();
    } else {
      env.LAYERWISE_TEST_DOCKER_SKIP = result.reason;
      console.log(`[daemon] SKIPPING daemon tests: ${result.reason}`);
    }
  }
  let status = 0;
  const totals = { pass: 0, fail: 0, skipped: 0 };
  const tap = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-test-run-'));
  try {
    for (const tier of tiers) {
      const files = filesOf(tier);
      if (!files.length) continue;
      console.log(`\n=== ${tier} tests (${files.length} files) ===`);
      const counts = path.join(tap, `${tier}.tap`);
      const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${counts}`];
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...reporters, ...files], { stdio: 'inherit', env });
      if (r.status !== 0) status = r.status ?? 1;
      const text = fs.existsSync(counts) ? fs.readFileSync(counts, 'utf8') : '';
      for (const key of ['pass', 'fail', 'skipped'] as const) totals[key] += Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    }
  } finally {
    await stop?.();
    fs.rmSync(tap, { recursive: true, force: true });
  }
  const why = missing.length ? ` (missing: ${missing.map((m) => m.pkg).join(', ')})` : '';
  console.log(`\n=== ${tiers.join(' ')}: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} SKIPPED${totals.skipped ? why : ''} ===`);
  return status;
}

void main().then((code) => process.exit(code));
