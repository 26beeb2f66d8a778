import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { unsupportedOn } from '../support/daemon';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';

/**
 * The bundled server against daemons that are not there, refuse us, hang or fail: diagnostics
 * still arrive at once, and the layer lens shows a short state within 3 s. None of these needs
 * the real daemon: each is a socket this test controls.
 *
 * "Socket unreadable": the tests run as root, and root opens any socket whatever its mode. So
 * the server itself runs as an unprivileged user (nobody, through setpriv) against a root-owned
 * socket of mode 0600, as for a user not in the docker group: a real EACCES.
 */

const SERVER = path.resolve('server/out/server.js');
const TEXT = 'FROM busybox:latest\nrun echo hi\nCMD ["sh"]\n';
const STATE_BUDGET_MS = 3000;
const SETPRIV = '/usr/bin/setpriv';
const ONCE = 'the faults are endpoints made by this file, whatever engine runs: run once, on Engine 20.10';
const once = unsupportedOn({ podman: ONCE, docker26: ONCE });

interface Fault {
  name: string;
  /** The socket the server is pointed at (DOCKER_HOST=unix://...). */
  socket: string;
  title: RegExp;
  /** Run the server as nobody. */
  unprivileged?: boolean;
  skip?: string | false;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-faults-'));
fs.chmodSync(root, 0o755);
const servers: { close(): void }[] = [];

function listen(server: net.Server, socket: string): Promise<void> {
  return new Promise((resolve) => server.listen(socket, resolve));
}

/** A socket file that is left behind by a daemon that died: connect() is refused. */
function staleSocket(socket: string): void {
  const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.ok(fs.existsSync(socket), `stale socket left behind (${r.status})`);
}

const faults: Fault[] = [
  { name: 'no daemon (no socket at the path)', socket: path.join(root, 'missing', 'docker.sock'), title: /^Docker not reachable · Retry$/ },
  { name: 'daemon stopped (socket file, nobody listening)', socket: path.join(root, 'stale.sock'), title: /^Docker not reachable · Retry$/ },
  { name: 'a path that is not a socket', socket: path.join(root, 'plain-file'), title: /^Docker not reachable · Retry$/ },
  {
    name: 'socket permission denied (server as nobody, socket root:root 0600)',
    socket: path.join(root, 'private.sock'),
    title: /^Docker socket permission denied · Retry$/,
    unprivileged: true,
    skip: process.getuid?.() !== 0 ? 'needs root to make a socket another user cannot open' : !fs.existsSync(SETPRIV) ? `no ${SETPRIV}` : false,
  },
  { name: 'daemon accepts connections and never answers', socket: path.join(root, 'hang.sock'), title: /^Docker not responding · Retry$/ },
  { name: 'daemon accepts connections and closes them', socket: path.join(root, 'close.sock'), title: /^Docker not reachable · Retry$/ },
  { name: 'daemon answers HTTP 500', socket: path.join(root, 'error.sock'), title: /^Docker error · Retry$/ },
];

before(async () => {
  staleSocket(path.join(root, 'stale.sock'));
  fs.writeFileSync(path.join(root, 'plain-file'), 'not a socket');
  const hang = net.createServer(() => undefined);
  await listen(hang, path.join(root, 'hang.sock'));
  const close = net.createServer((s) => s.destroy());
  await listen(close, path.join(root, 'close.sock'));
  const error = http.createServer((_, res) => {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end('{"message":"the daemon is broken"}');
  });
  await listen(error as unknown as net.Server, path.join(root, 'error.sock'));
  const privateServer = http.createServer((_, res) => res.end('{}'));
  await listen(privateServer as unknown as net.Server, path.join(root, 'private.sock'));
  fs.chmodSync(path.join(root, 'private.sock'), 0o600);
  servers.push(hang, close, error, privateServer);
});

after(() => {
  for (const s of servers) s.close();
});

function startServer(socket: string, unprivileged = false): { client: LspClient; home: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-home-'));
  fs.chmodSync(home, 0o755);
  const env = { PATH: process.env.PATH, HOME: home, DOCKER_HOST: `unix://${socket}` };
  const command = unprivileged ? SETPRIV : process.execPath;
  const args = unprivileged ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, SERVER, '--stdio'] : [SERVER, '--stdio'];
  return { client: LspClient.spawn({ command, args, env }), home };
}

const capabilities = { ...DEFAULT_CLIENT_CAPABILITIES, workspace: { ...DEFAULT_CLIENT_CAPABILITIES.workspace, codeLens: { refreshSupport: true } } };

describe('layer lenses when the daemon is not usable', { skip: once }, () => {
  for (const fault of faults) {
    it(`${fault.name}: diagnostics arrive, the lens shows the state within 3 s`, { skip: fault.skip ?? false }, async () => {
      const { client, home } = startServer(fault.socket, fault.unprivileged);
      try {
        await client.initialize({ capabilities });
        let refreshes = 0;
        client.connection.onRequest('workspace/codeLens/refresh', () => {
          refreshes++;
          return null;
        });
        const uri = pathToFileURL(path.join(home, 'Dockerfile')).href;
        const diagnostics = client.waitForDiagnostics(uri, { version: 1 });
        const opened = performance.now();
        await client.didOpen(uri, TEXT, 1);
        // VS Code asks for lenses right after opening: the request is in flight while diagnostics are computed.
        const lensRequest = client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
        const d = await diagnostics;
        const diagnosticsMs = d.receivedAt - opened;
        assert.ok(d.diagnostics.some((x) => x.range.start.line === 1), JSON.stringify(d.diagnostics));
        const lenses = await lensRequest;
        const lensMs = performance.now() - opened;
        assert.ok(lensMs < STATE_BUDGET_MS, `the state lens took ${lensMs.toFixed(0)} ms`);
        assert.equal(lenses.length, 1, JSON.stringify(lenses));
        assert.equal(lenses[0]!.range.start.line, 0, 'on the first FROM');
        assert.match(lenses[0]!.command!.title, fault.title);
        assert.equal(lenses[0]!.command!.command, 'layerwise.docker.retry');
        // The details are in the server log, not in the editor.
        assert.ok(client.logs.some((l) => l.includes(fault.socket) && /Layer sizes unavailable/.test(l)), client.logs.join('\n'));
        console.log(`# ${fault.name}: diagnostics ${diagnosticsMs.toFixed(0)} ms, state lens ${lensMs.toFixed(0)} ms`);

        // Typing goes on: the state is remembered, no new attempt per version.
        const again = performance.now();
        const next = client.waitForDiagnostics(uri, { version: 2 });
        await client.didChange(uri, 2, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: 'ENV A=1\n' }]);
        const second = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
        assert.ok(performance.now() - again < 500, 'no second wait for a known state');
        assert.match(second[0]!.command!.title, fault.title);
        await next;

        // Retry asks the editor to ask again.
        await client.request('workspace/executeCommand', { command: 'layerwise.docker.retry', arguments: [] });
        const until = Date.now() + STATE_BUDGET_MS + 1000;
        while (!refreshes && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        assert.ok(refreshes > 0, 'Retry refreshes the lenses');
      } finally {
        await client.shutdown();
      }
    });
  }

  it('a call that hangs does not keep the server from shutting down cleanly', async () => {
    const { client, home } = startServer(path.join(root, 'hang.sock'));
    await client.initialize();
    const uri = pathToFileURL(path.join(home, 'Dockerfile')).href;
    await client.didOpen(uri, TEXT, 1);
    void client.request('textDocument/codeLens', { textDocument: { uri } }).catch(() => undefined);
    const exit = await client.shutdown(10_000);
    assert.deepEqual(exit, { code: 0, signal: null });
  });
});

describe('the unprivileged server really cannot open the socket', { skip: once || (faults[3]!.skip ?? false) }, () => {
  it('connect() as nobody fails with EACCES (the premise of the permission test)', async () => {
    const probe = spawn(SETPRIV, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('net').connect(${JSON.stringify(path.join(root, 'private.sock'))}).on('error', (e) => { console.log(e.code); process.exit(0) }).on('connect', () => { console.log('connected'); process.exit(0) })`]);
    let out = '';
    probe.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => probe.on('exit', r));
    assert.equal(out.trim(), 'EACCES');
  });
});
