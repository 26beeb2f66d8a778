/**
 * `npm run test:electron`: runs the extension-host suite (test/electron/suite, Mocha against the
 * `vscode` API) in desktop VS Code through @vscode/test-electron. Where VS Code cannot be downloaded
 * (no internet, as on the project's build machines) it says so and exits 0. The same suite also runs
 * in code-server's extension host in the e2e tier of `npm test` (test/e2e/vscode.test.ts).
 *
 *   npm run test:electron                    VS Code stable
 *   VSCODE_VERSION=1.91.0 npm run test:electron
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, '.layerwise', 'electron');

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000}s`)), ms).unref())]);
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<number> {
  const version = process.env.VSCODE_VERSION || 'stable';
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await withTimeout(downloadAndUnzipVSCode({ version, cachePath: path.join(ROOT, '.layerwise', 'vscode-test') }), 10 * 60_000, 'the download');
  } catch (e) {
    const reason = ((e as Error).message || String(e)).split('\n')[0]!.replace(/- Resolving version\.\.\.$/, '').trim();
    console.log(`skipped: cannot download VS Code ${version} (${reason})`);
    return 0;
  }

  // Electron needs a display on Linux: re-run under xvfb-run when there is none.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    if (!process.env.LAYERWISE_UNDER_XVFB && hasCommand('xvfb-run')) {
      const r = spawnSync('xvfb-run', ['-a', process.execPath, ...process.execArgv, __filename], { stdio: 'inherit', env: { ...process.env, LAYERWISE_UNDER_XVFB: '1' } });
      return r.status ?? 1;
    }
    if (!process.env.LAYERWISE_UNDER_XVFB) {
      console.log('skipped: no X display for VS Code (install xvfb to run the extension-host suite headless)');
      return 0;
    }
  }

  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) return build.status ?? 1;

  fs.rmSync(WORK, { recursive: true, force: true });
  const suite = path.join(WORK, 'suite', 'index.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'suite', 'index.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    sourcemap: true,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const workspace = path.join(WORK, 'workspace');
  fs.cpSync(path.join(ROOT, 'test', 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });

  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${path.join(WORK, 'user-data')}`],
    });
    return 0;
  } catch (e) {
    console.error(`the extension-host suite failed: ${(e as Error).message}`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
