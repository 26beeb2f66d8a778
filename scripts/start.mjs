// `npm start`: builds layerwise.vsix and opens the samples/ workspace in a VS Code with the
// extension installed.
//
//   npm start                   browser VS Code (code-server) on http://127.0.0.1:8080/
//   npm start -- --port 9000    another port
//   npm start -- --code         desktop VS Code (needs `code` on the PATH)
//
// code-server is set up on first use in ~/.cache/layerwise/ (about two minutes); its extensions and
// settings are private to this repository, in .layerwise/code-server/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, findOnPath, installExtension, startCodeServer } from './code-server.mjs';
import { ensureDeps } from './ensure-deps.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vsix = path.join(repoRoot, 'layerwise.vsix');
const samples = path.join(repoRoot, 'samples');
const privateDir = path.join(repoRoot, '.layerwise', 'code-server');

const USAGE = `Usage: npm start [-- --port N] [-- --code]

  Builds layerwise.vsix and opens samples/ in VS Code with Layerwise installed.
  --port N   port for the browser VS Code on 127.0.0.1 (default 8080)
  --code     use desktop VS Code (the \`code\` command) instead of the browser VS Code
  --help     show this text`;

function parseArgs(argv) {
  const opts = { port: 8080, code: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') opts.help = true;
    else if (arg === '--code') opts.code = true;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.slice('--port='.length) : argv[++i];
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port needs a port number, got ${value ?? 'nothing'}`);
      opts.port = port;
    } else fail(`unknown option ${arg}\n\n${USAGE}`);
  }
  return opts;
}

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(2);
}

function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: 'inherit', ...options });
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`\`${cmd} ${args.join(' ')}\` failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

async function buildVsix() {
  ensureDeps();
  console.log('Building layerwise.vsix (npm run package)...');
  await run('npm', ['run', '--silent', 'package']);
  if (!existsSync(vsix)) throw new Error(`npm run package did not write ${vsix}`);
}

async function desktop() {
  const code = findOnPath('code');
  if (!code) {
    fail(
      'desktop VS Code was not found: there is no `code` command on the PATH.\n' +
        'Install VS Code and, on macOS, run "Shell Command: Install \'code\' command in PATH" from its\n' +
        'Command Palette; or run `npm start` without --code to use VS Code in the browser.',
    );
  }
  await buildVsix();
  console.log(`Installing layerwise.vsix into VS Code (${code})...`);
  await run(code, ['--install-extension', vsix, '--force']);
  await run(code, [samples]);
  console.log(`Opened ${samples} in VS Code.`);
}

async function browser(port) {
  await buildVsix();
  const codeServerDir = await ensureCodeServer({ log: (line) => console.log(line) });
  const extensionsDir = path.join(privateDir, 'extensions');
  const userDataDir = path.join(privateDir, 'user-data');
  console.log('Installing layerwise.vsix into code-server...');
  await installExtension({ vsix, extensionsDir, userDataDir, codeServerDir });
  console.log(`Starting code-server on 127.0.0.1:${port}...`);
  const server = await startCodeServer({
    folder: samples,
    extensionsDir,
    userDataDir,
    port,
    codeServerDir,
    output: (line) => console.log(`[code-server] ${line}`),
  });

  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping code-server...`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));

  console.log(
    [
      '',
      '  Layerwise is running in VS Code (code-server), with the samples/ workspace open:',
      '',
      `      ${server.url}`,
      '',
      '  Open that URL in a browser; start with node-app/Dockerfile. Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  const { code, signal } = await server.exited;
  if (!stopping) {
    console.error(`code-server exited on its own (${signal ?? `exit ${code}`}).`);
    await server.stop();
    process.exit(code || 1);
  }
}

const opts = parseArgs(process.argv.slice(2));
if (opts.help) {
  console.log(USAGE);
} else {
  try {
    if (opts.code) await desktop();
    else await browser(opts.port);
  } catch (err) {
    console.error(`\nnpm start: ${err.message}`);
    process.exit(1);
  }
}
