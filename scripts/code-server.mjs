// Sets up and runs code-server (the real VS Code workbench in a browser, with a real Node extension
// host) from the npm registry, following docs/ENVIRONMENT.md. Used by `npm start`, by
// the end-to-end tests and scripts/readme-screenshot.ts (through test/e2e/support/workbench.ts).
//
//   ensureCodeServer({ log })            -> path of the code-server `package/` dir (set up once, cached)
//   startCodeServer({ folder, ... })     -> { url, port, process, stop() }
//   installExtension({ vsix, ... })      -> installs a .vsix into a private extensions dir
//   writeUserSettings(userDataDir, extra)-> settings that keep the first page free of dialogs
//
// Plain Node, no dependencies beyond what Node and npm ship with.
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { homedir, cpus } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

/** The native modules of lib/vscode that must be compiled against this Node. */
const NATIVE_MODULES = ['kerberos', 'node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid', 'native-watchdog'];

/** Debian packages needed to compile them (plus ripgrep, whose binary @vscode/ripgrep cannot download). */
const APT_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep'];

/** Written last: its presence (with a matching Node ABI) means the cached setup is complete. */
const MARKER = '.layerwise-setup-complete.json';

const defaultLog = (line) => console.log(line);

/** Where the set-up code-server lives: ~/.cache/layerwise/code-server-<version>/ (XDG_CACHE_HOME respected). */
export function codeServerCacheDir() {
  if (process.env.LAYERWISE_CODE_SERVER_DIR) return path.resolve(process.env.LAYERWISE_CODE_SERVER_DIR);
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(cacheHome, 'layerwise', `code-server-${CODE_SERVER_VERSION}`);
}

function readMarker(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

function markerIsValid(dir) {
  const marker = readMarker(dir);
  return (
    marker !== undefined &&
    marker.version === CODE_SERVER_VERSION &&
    marker.nodeModulesAbi === process.versions.modules &&
    existsSync(path.join(dir, 'package', 'out', 'node', 'entry.js'))
  );
}

/**
 * Returns the path of code-server's `package/` dir, setting code-server up on first use (about two
 * minutes: npm installs plus compiling six native modules). The setup is built in a staging dir
 * next to the cache dir and renamed into place when complete, so an interrupted or concurrent run
 * never leaves a half-built cache behind.
 */
export async function ensureCodeServer({ log = defaultLog } = {}) {
  const dir = codeServerCacheDir();
  if (markerIsValid(dir)) return path.join(dir, 'package');

  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
  const step = (msg) => log(`[code-server setup +${elapsed()}] ${msg}`);

  if (existsSync(dir)) {
    const marker = readMarker(dir);
    step(
      marker && marker.nodeModulesAbi !== process.versions.modules
        ? `cached setup in ${dir} was built for another Node version; rebuilding`
        : `cached setup in ${dir} is incomplete; rebuilding`,
    );
  }
  step(`setting up code-server ${CODE_SERVER_VERSION} in ${dir} (first run only, takes about 2 minutes)`);

  await ensureSystemPackages({ log: step });
  const nodeGyp = findNodeGyp();
  const nodedir = findNodeDir();

  const parent = path.dirname(dir);
  mkdirSync(parent, { recursive: true });
  removeStaleStagingDirs(parent, path.basename(dir));
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const logFile = path.join(staging, 'setup.log');
  const run = (cmd, args, cwd, env) => runLogged(cmd, args, { cwd, logFile, env });

  try {
    const pkg = path.join(staging, 'package');
    const vscodeDir = path.join(pkg, 'lib', 'vscode');

    step(`npm pack code-server@${CODE_SERVER_VERSION}`);
    await run('npm', ['pack', `code-server@${CODE_SERVER_VERSION}`, '--pack-destination', staging], staging);
    const tarball = readdirSync(staging).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack did not produce a tarball');
    await run('tar', ['-xzf', tarball], staging);
    rmSync(path.join(staging, tarball));

    for (const [label, cwd] of [
      ['package/', pkg],
      ['package/lib/vscode', vscodeDir],
      ['package/lib/vscode/extensions', path.join(vscodeDir, 'extensions')],
    ]) {
      step(`npm install --omit=dev --ignore-scripts in ${label}`);
      await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], cwd);
    }

    const jobs = String(Math.max(1, cpus().length));
    for (const mod of NATIVE_MODULES) {
      step(`compiling native module ${mod}`);
      const args = [nodeGyp, 'rebuild', `--jobs=${jobs}`];
      if (nodedir) args.push(`--nodedir=${nodedir}`);
      await run(process.execPath, args, path.join(vscodeDir, 'node_modules', mod));
    }

    step('compiling argon2 (npm rebuild argon2 --build-from-source)');
    await run('npm', ['rebuild', 'argon2', '--build-from-source'], pkg, {
      ...process.env,
      ...(nodedir ? { npm_config_nodedir: nodedir } : {}),
    });

    const rg = findOnPath('rg');
    if (!rg) throw new Error('ripgrep (rg) is not on the PATH');
    const rgBin = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
    mkdirSync(rgBin, { recursive: true });
    forceSymlink(rg, path.join(rgBin, 'rg'));
    forceSymlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));

    step('checking that the native modules load');
    await run(
      process.execPath,
      ['-e', NATIVE_MODULES.map((m) => `require(${JSON.stringify(m)});`).join('')],
      vscodeDir,
    );

    writeFileSync(
      path.join(staging, MARKER),
      JSON.stringify(
        {
          version: CODE_SERVER_VERSION,
          node: process.version,
          nodeModulesAbi: process.versions.modules,
          finished: new Date().toISOString(),
          seconds: Math.round((Date.now() - started) / 1000),
        },
        null,
        2,
      ) + '\n',
    );

    // Move into place. If another process finished first, keep theirs.
    if (markerIsValid(dir)) {
      rmSync(staging, { recursive: true, force: true });
    } else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    }
  } catch (err) {
    const tail = tailOfFile(logFile, 40);
    const kept = `${dir}.failed.log`;
    try {
      writeFileSync(kept, readFileSync(logFile));
    } catch {
      /* no log written yet */
    }
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `code-server setup failed: ${err.message}\n` +
        (tail ? `--- last lines of the setup log (full log: ${kept}) ---\n${tail}` : ''),
    );
  }
  step(`code-server ${CODE_SERVER_VERSION} is ready (${elapsed()})`);
  return path.join(dir, 'package');
}

/** Checks the build prerequisites; installs them with apt-get when we are root on Debian, or explains what is missing. */
async function ensureSystemPackages({ log }) {
  const missingTools = ['make', 'g++', 'python3', 'tar'].filter((t) => !findOnPath(t));
  const hasDpkg = !!findOnPath('dpkg-query');
  let missingPkgs = [];
  if (hasDpkg) {
    missingPkgs = APT_PACKAGES.filter((p) => {
      const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
      return r.status !== 0 || !r.stdout.includes('install ok installed');
    });
  } else {
    // Not Debian: check for the libraries through pkg-config and for rg on the PATH.
    const pc = findOnPath('pkg-config');
    if (!pc) missingPkgs.push('pkg-config');
    else {
      for (const [lib, name] of [
        ['krb5-gssapi', 'Kerberos development files (libkrb5-dev / krb5-devel)'],
        ['x11', 'X11 development files (libx11-dev / libX11-devel)'],
        ['xkbfile', 'xkbfile development files (libxkbfile-dev / libxkbfile-devel)'],
        ['libsecret-1', 'libsecret development files (libsecret-1-dev / libsecret-devel)'],
      ]) {
        if (spawnSync(pc, ['--exists', lib]).status !== 0) missingPkgs.push(name);
      }
    }
    if (!findOnPath('rg')) missingPkgs.push('ripgrep');
  }
  const aptForTools = { make: 'build-essential', 'g++': 'build-essential', python3: 'python3', tar: 'tar' };
  if (missingPkgs.length === 0 && missingTools.length === 0) return;

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (hasDpkg && isRoot && findOnPath('apt-get')) {
    const pkgs = [...new Set([...missingPkgs, ...missingTools.map((t) => aptForTools[t])])];
    log(`installing Debian packages: ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await runLogged('apt-get', ['update'], { env });
    await runLogged('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env });
    return;
  }
  const lines = ['code-server needs these to be installed first:'];
  if (missingPkgs.length) lines.push(`  packages: ${missingPkgs.join(', ')}`);
  if (missingTools.length) lines.push(`  build tools on the PATH: ${missingTools.join(', ')}`);
  if (hasDpkg) {
    const pkgs = [...new Set([...missingPkgs, ...missingTools.map((t) => aptForTools[t])])];
    lines.push(`On Debian/Ubuntu: sudo apt-get install -y ${pkgs.join(' ')}`);
  }
  throw new Error(lines.join('\n'));
}

/** npm's bundled node-gyp (no separate install, no download). */
function findNodeGyp() {
  const candidates = [
    path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  const root = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  if (root.status === 0 && root.stdout.trim()) {
    candidates.push(path.join(root.stdout.trim(), 'npm/node_modules/node-gyp/bin/node-gyp.js'));
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`npm's bundled node-gyp was not found (looked in: ${candidates.join(', ')})`);
  return found;
}

/**
 * The Node headers of the running Node, so node-gyp does not try to download them: Debian's
 * nodejs puts them in /usr/include/node, official tarballs in <prefix>/include/node.
 */
function findNodeDir() {
  for (const dir of [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) return dir;
  }
  return undefined; // node-gyp falls back to downloading headers
}

function removeStaleStagingDirs(parent, base) {
  for (const name of readdirSync(parent)) {
    const m = name.startsWith(`${base}.partial-`) && /\.partial-(\d+)$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

function forceSymlink(target, link) {
  try {
    lstatSync(link);
    unlinkSync(link);
  } catch {
    /* did not exist */
  }
  symlinkSync(target, link);
}

export function findOnPath(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, cmd);
    try {
      if (statSync(full).isFile()) return full;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function tailOfFile(file, lines) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Runs a command, appending its output to logFile (or keeping it in memory); rejects with the output tail on failure. */
function runLogged(cmd, args, { cwd, env, logFile } = {}) {
  return new Promise((resolve, reject) => {
    const out = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    out?.write(`\n$ (cd ${cwd ?? process.cwd()} && ${cmd} ${args.join(' ')})\n`);
    const chunks = [];
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d) => {
      if (out) out.write(d);
      else chunks.push(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      out?.end();
      reject(new Error(`${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      const text = Buffer.concat(chunks).toString('utf8');
      const finish = () => {
        if (code === 0) resolve(text);
        else
          reject(
            new Error(
              `\`${cmd} ${args.join(' ')}\` failed in ${cwd ?? process.cwd()} (${signal ?? `exit ${code}`})` +
                (text ? `\n${text.split('\n').slice(-30).join('\n')}` : ''),
            ),
          );
      };
      if (out) out.end(finish);
      else finish();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Running code-server

/** The settings that keep the first page free of dialogs and phone-home traffic. */
export const DEFAULT_USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  // The workspace usually sits inside a bigger repository (samples/ in this one): no prompt about it.
  'git.openRepositoryInParentFolders': 'never',
};

/** Merges settings into <userDataDir>/User/settings.json (creating it). */
export function writeUserSettings(userDataDir, extra = {}) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  mkdirSync(path.dirname(file), { recursive: true });
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    current = {}; // missing, or JSON with comments: rewritten
  }
  const settings = { ...current, ...DEFAULT_USER_SETTINGS, ...extra };
  writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
  return file;
}

/** Environment for code-server: without the VSCODE_* variables of an enclosing VS Code terminal (with
 * VSCODE_IPC_HOOK_CLI set, code-server would hand the folder to that other instance instead). */
function childEnv(extra, userDataDir) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  // code-server keeps its own logs and heartbeat file in $XDG_DATA_HOME/code-server whatever
  // --user-data-dir says: keep those inside the private dir too, not in ~/.local/share.
  if (userDataDir) env.XDG_DATA_HOME = path.join(path.resolve(userDataDir), 'xdg-data');
  return { ...env, ...extra };
}

function entryArgs(codeServerDir, { extensionsDir, userDataDir }) {
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(userDataDir, { recursive: true });
  // A config file of our own, so code-server never writes ~/.config/code-server/config.yaml.
  const config = path.join(userDataDir, 'code-server-config.yaml');
  if (!existsSync(config)) writeFileSync(config, 'auth: none\ncert: false\n');
  return [
    path.join(codeServerDir, 'out', 'node', 'entry.js'),
    '--config',
    config,
    '--extensions-dir',
    path.resolve(extensionsDir),
    '--user-data-dir',
    path.resolve(userDataDir),
  ];
}

/** Installs a packaged extension (.vsix) into extensionsDir, replacing any installed version. */
export async function installExtension({ vsix, extensionsDir, userDataDir, codeServerDir, log = defaultLog, env } = {}) {
  if (!vsix || !existsSync(vsix)) throw new Error(`no .vsix at ${vsix}`);
  const dir = codeServerDir ?? (await ensureCodeServer({ log }));
  const args = [...entryArgs(dir, { extensionsDir, userDataDir }), '--install-extension', path.resolve(vsix), '--force'];
  const output = await runLogged(process.execPath, args, { cwd: dir, env: childEnv(env, userDataDir) });
  if (/failed|error/i.test(output) && !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} failed:\n${output}`);
  }
  log(`installed ${path.basename(vsix)} into ${extensionsDir}`);
  return output;
}

/** A free TCP port on 127.0.0.1 (port 0 asks the kernel). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts code-server on 127.0.0.1 with no authentication, opening `folder`, and resolves once it
 * answers HTTP. The server runs in its own process group; stop() ends the whole group.
 *
 * Options: folder, extensionsDir, userDataDir, port (0/undefined: a free one), log (progress),
 * output (called with each line code-server prints; default: kept for error messages only),
 * env (extra environment), settings (extra user settings), timeoutMs (default 60 s).
 */
export async function startCodeServer({
  folder,
  extensionsDir,
  userDataDir,
  port,
  log = defaultLog,
  output,
  env,
  settings,
  codeServerDir,
  timeoutMs = 60_000,
} = {}) {
  if (!extensionsDir || !userDataDir) throw new Error('startCodeServer needs extensionsDir and userDataDir');
  const dir = codeServerDir ?? (await ensureCodeServer({ log }));
  if (!port) port = await freePort();
  else if (!(await portIsFree(port))) {
    throw new Error(`port ${port} on 127.0.0.1 is already in use (choose another one with --port N)`);
  }
  writeUserSettings(userDataDir, settings);

  const args = [
    ...entryArgs(dir, { extensionsDir, userDataDir }),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
  ];
  if (folder) args.push(path.resolve(folder));

  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: childEnv(env, userDataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() reaches the extension host and terminals too
  });
  const recent = [];
  const onLine = (line) => {
    recent.push(line);
    if (recent.length > 50) recent.shift();
    output?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      lines.forEach(onLine);
    });
  }
  let exited;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  // If this Node process exits without calling stop(), do not leave code-server behind.
  const killOnExit = () => killGroup(child.pid, 'SIGKILL');
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      killGroup(child.pid, 'SIGTERM');
      const done = await Promise.race([exitPromise, sleep(5000).then(() => undefined)]);
      if (!done) killGroup(child.pid, 'SIGKILL');
    }
    // Children of the group (extension host, pty host) may outlive the main process briefly.
    killGroup(child.pid, 'SIGKILL');
    await Promise.race([exitPromise, sleep(2000)]);
  };

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      process.off('exit', killOnExit);
      throw new Error(
        `code-server exited before it was ready (${exited.signal ?? `exit ${exited.code}`}):\n${recent.join('\n')}`,
      );
    }
    if (await answers(`${url}healthz`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000}s:\n${recent.join('\n')}`);
    }
    await sleep(200);
  }
  return { url, port, process: child, stop, exited: exitPromise };
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}
