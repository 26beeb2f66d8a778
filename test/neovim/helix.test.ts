/**
 * A fourth real editor: Helix, Debian 13's `hx`, run on Debian 12 through trixie's own loader and
 * libc (extracted from their .debs into a private folder by trixie-debs.ts; hx needs glibc 2.39).
 * It is configured with the README's languages.toml verbatim, finds `layerwise-language-server` on
 * PATH, and runs in a pseudo-terminal (`script`), driven by keys as a user would: hover (space k),
 * code actions on the selected line (x, space a, Enter on the first), :w and :q!. What it did is read
 * from Helix's own log at -vvv (every LSP message both ways), its screen and the saved file. Helix
 * shows no lenses (it has no CodeLens support).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { missingTool } from '../support/tools';
import { DEB_CACHE, extractDebs, MirrorUnreachable, trixieDebs } from '../support/trixie-debs';

const BIN = path.resolve('server/bin/layerwise-language-server.js');
const README = fs.readFileSync(path.resolve('README.md'), 'utf8');
/** The README's Helix configuration: the toml block after its "Helix" paragraph. */
const README_CONFIG = /^Helix [\s\S]*?```toml\n([\s\S]*?)```/m.exec(README)?.[1];
const PACKAGES = ['hx', 'libc6', 'libgcc-s1'];
const skip =
  (process.platform === 'linux' && process.arch === 'x64' ? false : 'SKIPPED: Helix from Debian trixie .debs needs Linux on amd64') ||
  missingTool('xz', 'xz-utils') ||
  missingTool('dpkg-deb', 'dpkg') ||
  missingTool('script', 'bsdutils') ||
  missingTool('setsid', 'util-linux') ||
  (fs.existsSync(path.resolve('server/out/server.js')) ? false : 'server/out/server.js is not built (npm run build)');

const CLIENT_ONLY = ['layerwise.showRuleDocumentation', 'layerwise.buildImage', 'layerwise.analyzeImage', 'layerwise.convertToMultiStage'];
const DOCKERFILE = 'FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install curl\nWORKDIR app\nCMD run\n';
const DEADLINE = 60_000;

interface Helix {
  version: string;
  /** trixie's loader with trixie's libraries for hx alone: the server it starts runs on the system's libc. */
  argv: string[];
  runtime: string;
}

async function helix(): Promise<Helix> {
  const debs = await trixieDebs(PACKAGES, (s) => console.log(`[helix] ${s}`));
  const dir = path.join(DEB_CACHE, 'helix');
  extractDebs(debs, dir);
  return {
    version: debs.find((d) => d.name === 'hx')!.version,
    argv: [path.join(dir, 'usr/lib64/ld-linux-x86-64.so.2'), '--library-path', path.join(dir, 'usr/lib/x86_64-linux-gnu'), path.join(dir, 'usr/lib/hx/hx')],
    runtime: path.join(dir, 'usr/lib/hx/runtime'),
  };
}

interface Message {
  dir: '->' | '<-';
  msg: { id?: number | string; method?: string; params?: any; result?: any; error?: unknown };
}

const plain = (s: string): string => s.replace(/\x1b\[[0-9;?<>=]*[ -/]*[@-~]/g, '').replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '').replace(/\x1b[()][A-Z0-9]/g, '');
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Every JSON-RPC message of the language server `layerwise` in Helix's log, both ways. */
function messages(log: string): Message[] {
  const out: Message[] = [];
  for (const m of log.matchAll(/helix_lsp::transport \[INFO\] layerwise (->|<-) (\{.*)$/gm)) {
    try {
      const msg = JSON.parse(m[2]!) as Message['msg'] & { jsonrpc?: string };
      if (msg.jsonrpc) out.push({ dir: m[1] as Message['dir'], msg });
    } catch {
      /* a value line (Helix logs a response's result again on its own) */
    }
  }
  return out;
}

/** Helix in a pseudo-terminal of 40x120, its screen kept, its log at -vvv. */
class Session {
  screen = '';
  exit: number | null | undefined;
  private readonly proc: ChildProcessWithoutNullStreams;

  constructor(hx: Helix, args: string[], readonly logFile: string, cwd: string, env: NodeJS.ProcessEnv) {
    const command = `stty rows 40 cols 120 && exec ${[...hx.argv, '-vvv', '--log', logFile, ...args].map(quote).join(' ')}`;
    this.proc = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env });
    this.proc.stdout.on('data', (d: Buffer) => (this.screen += d.toString('utf8')));
    this.proc.stderr.on('data', (d: Buffer) => (this.screen += d.toString('utf8')));
    this.proc.on('exit', (code) => (this.exit = code));
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  messages(): Message[] {
    return messages(this.log());
  }

  keys(k: string): number {
    const mark = this.screen.length;
    this.proc.stdin.write(k);
    return mark;
  }

  /** Polls `probe` until it gives a value; fails with the screen and the log's end after the deadline. */
  async until<T>(what: string, probe: () => T | undefined, afterExit = false): Promise<T> {
    const deadline = Date.now() + DEADLINE;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline || (this.exit !== undefined && !afterExit)) {
        const tail = this.log().split('\n').filter((l) => l.includes('helix_lsp') || l.includes('ERROR')).slice(-15).join('\n');
        throw new Error(`waiting for ${what}: ${this.exit !== undefined ? `hx exited (${this.exit})` : 'no answer'}\nscreen: ${plain(this.screen).slice(-1500)}\nlog: ${tail}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  screenSince(mark: number): string {
    return plain(this.screen.slice(mark));
  }

  kill(): void {
    if (this.exit === undefined) this.proc.kill('SIGKILL');
  }
}

interface Seen {
  health: string;
  messages: Message[];
  diagnostics: { code: string; line: number }[];
  hoverScreen: string;
  actionsScreen: string;
  saved: string;
  hxExit: number | null | undefined;
  serverExit: string;
}

describe('Helix (Debian 13) with the README configuration', { skip }, () => {
  let unreachable: string | undefined;
  let seen: Seen;

  before(async () => {
    assert.ok(README_CONFIG, 'the README has a Helix configuration block');
    let hx: Helix;
    try {
      hx = await helix();
    } catch (e) {
      if (!(e instanceof MirrorUnreachable)) throw e;
      unreachable = `SKIPPED: the Debian mirror cannot be reached for trixie's hx: ${e.message}`;
      console.log(unreachable);
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-helix-'));
    const bin = path.join(dir, 'bin');
    const serverExit = path.join(dir, 'server-exit');
    fs.mkdirSync(bin);
    // `layerwise-language-server` on PATH, as `npm install -g` of the package puts it. The server
    // runs in its own session so that the terminal's hangup when hx quits does not end it before it
    // exits by itself; its exit status is the evidence of a clean shutdown.
    fs.writeFileSync(
      path.join(bin, 'layerwise-language-server'),
      `#!/bin/sh\nexec 3<&0\nsetsid sh -c '"$0" "$@" <&3 3<&-; echo $? > ${quote(serverExit)}' ${quote(process.execPath)} ${quote(BIN)} "$@" &\nwait\n`,
      { mode: 0o755 },
    );
    fs.mkdirSync(path.join(dir, 'config', 'helix'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config', 'helix', 'languages.toml'), README_CONFIG);
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    const dockerfile = path.join(work, 'Dockerfile');
    fs.writeFileSync(dockerfile, DOCKERFILE);
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: path.join(dir, 'home'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_CACHE_HOME: path.join(dir, 'cache'),
      XDG_DATA_HOME: path.join(dir, 'data'),
      HELIX_RUNTIME: hx.runtime,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      DOCKER_HOST: `unix://${path.join(dir, 'no-daemon.sock')}`,
    };

    const health = spawnSync(hx.argv[0]!, [...hx.argv.slice(1), '--health', 'dockerfile'], { env, encoding: 'utf8', timeout: DEADLINE });
    assert.equal(health.status, 0, health.stderr);

    const uri = `file://${dockerfile}`;
    const hxSession = new Session(hx, ['Dockerfile'], path.join(dir, 'helix.log'), work, env);
    try {
      const published = (): Message | undefined =>
        hxSession
          .messages()
          .filter((m) => m.dir === '<-' && m.msg.method === 'textDocument/publishDiagnostics' && m.msg.params.uri === uri)
          .at(-1);
      const first = await hxSession.until('the diagnostics of the Dockerfile', published);
      const response = (method: string): (() => Message | undefined) => () => {
        const all = hxSession.messages();
        const request = all.filter((m) => m.dir === '->' && m.msg.method === method).at(-1);
        return request && all.find((m) => m.dir === '<-' && m.msg.id === request.msg.id && !m.msg.method);
      };

      // Hover at the start of line 1 (FROM).
      let mark = hxSession.keys(' k');
      await hxSession.until('the hover response', response('textDocument/hover'));
      const hoverScreen = await hxSession.until('the hover on screen', () => (hxSession.screenSince(mark).includes('FROM baseImage') ? hxSession.screenSince(mark) : undefined));

      // Line 3 selected (apt-get install without -y), its code actions, Enter on the first.
      mark = hxSession.keys('3ggx a');
      await hxSession.until('the code actions response', response('textDocument/codeAction'));
      const actionsScreen = await hxSession.until('the code action menu on screen', () => (hxSession.screenSince(mark).includes('Add -y to apt-get install') ? hxSession.screenSince(mark) : undefined));
      hxSession.keys('\r');
      await hxSession.until('the edit (didChange)', () => hxSession.messages().find((m) => m.dir === '->' && m.msg.method === 'textDocument/didChange'));
      hxSession.keys(':w\r');
      await hxSession.until('the save (didSave)', () => hxSession.messages().find((m) => m.dir === '->' && m.msg.method === 'textDocument/didSave'));
      hxSession.keys(':q!\r');
      await hxSession.until('hx to quit', () => (hxSession.exit !== undefined ? true : undefined)).catch(() => undefined);
      const hxExit = hxSession.exit;
      await hxSession.until('the server to exit', () => (fs.existsSync(serverExit) && fs.readFileSync(serverExit, 'utf8').trim() !== '' ? true : undefined), true).catch(() => undefined);
      seen = {
        health: plain(health.stdout),
        messages: hxSession.messages(),
        diagnostics: (first.msg.params.diagnostics as { code: string; range: { start: { line: number } } }[]).map((d) => ({ code: d.code, line: d.range.start.line })),
        hoverScreen,
        actionsScreen,
        saved: fs.readFileSync(dockerfile, 'utf8'),
        hxExit,
        serverExit: fs.existsSync(serverExit) ? fs.readFileSync(serverExit, 'utf8').trim() : 'never exited',
      };
    } finally {
      hxSession.kill();
    }
  });

  it('hx --health dockerfile names the README\'s server and finds it on PATH (not Helix\'s default docker-langserver)', (t) => {
    if (unreachable) return t.skip(unreachable);
    assert.match(seen.health, /✓ layerwise-language-server: \/\S+\/bin\/layerwise-language-server/, seen.health);
    assert.doesNotMatch(seen.health, /docker-langserver/, seen.health);
  });

  it('starts the server for the Dockerfile: initialize answered, diagnostics with the rules\' codes arrive', (t) => {
    if (unreachable) return t.skip(unreachable);
    const init = seen.messages.find((m) => m.dir === '->' && m.msg.method === 'initialize');
    const answer = init && seen.messages.find((m) => m.dir === '<-' && m.msg.id === init.msg.id && !m.msg.method);
    assert.ok(answer, 'no answer to initialize');
    assert.equal(answer.msg.error, undefined);
    assert.equal(answer.msg.result.serverInfo?.name, 'layerwise');
    assert.ok(seen.messages.some((m) => m.dir === '->' && m.msg.method === 'initialized'));
    const codes = seen.diagnostics.map((d) => `${d.line}:${d.code}`);
    for (const c of ['1:apt-update-separate', '2:apt-missing-yes', '3:workdir-relative-path']) assert.ok(codes.includes(c), codes.join(' '));
  });

  it('answers hover, and Helix shows it', (t) => {
    if (unreachable) return t.skip(unreachable);
    const hover = seen.messages.find((m) => m.dir === '<-' && typeof m.msg.result?.contents?.value === 'string');
    assert.match(hover?.msg.result.contents.value ?? '', /FROM baseImage/);
    assert.match(seen.hoverScreen, /FROM baseImage/);
  });

  it('applies the quick fix Helix lists first on the line: the saved file has -y', (t) => {
    if (unreachable) return t.skip(unreachable);
    assert.match(seen.actionsScreen, /Add -y to apt-get install/);
    assert.equal(seen.saved, DOCKERFILE.replace('apt-get install curl', 'apt-get install -y curl'));
  });

  it('offers no command Helix cannot run: every action edits or runs a server command', (t) => {
    if (unreachable) return t.skip(unreachable);
    const init = seen.messages.find((m) => m.dir === '<-' && m.msg.result?.capabilities);
    const serverCommands = (init?.msg.result.capabilities.executeCommandProvider?.commands ?? []) as string[];
    const request = seen.messages.find((m) => m.dir === '->' && m.msg.method === 'textDocument/codeAction');
    const actions = (seen.messages.find((m) => m.dir === '<-' && m.msg.id === request?.msg.id && !m.msg.method)?.msg.result ?? []) as {
      title: string;
      edit?: unknown;
      command?: string | { command: string };
    }[];
    assert.ok(actions.length > 1, JSON.stringify(actions));
    for (const a of actions) {
      const command = typeof a.command === 'string' ? a.command : a.command?.command;
      assert.ok(!command || !CLIENT_ONLY.includes(command), `${a.title}: ${command}`);
      assert.ok(a.edit || (command && serverCommands.includes(command)), `${a.title}: ${command}`);
    }
  });

  it('quits: shutdown answered, hx exits 0, and the server exits 0 by itself (0 only after shutdown)', (t) => {
    if (unreachable) return t.skip(unreachable);
    const shutdown = seen.messages.find((m) => m.dir === '->' && m.msg.method === 'shutdown');
    const answer = shutdown && seen.messages.find((m) => m.dir === '<-' && m.msg.id === shutdown.msg.id && !m.msg.method);
    assert.ok(answer, 'no answer to shutdown');
    assert.equal(answer.msg.error, undefined);
    assert.equal(seen.hxExit, 0);
    assert.equal(seen.serverExit, '0');
  });
});
