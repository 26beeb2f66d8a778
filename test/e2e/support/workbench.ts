/**
 * A real VS Code for the end-to-end tests: code-server (set up by scripts/code-server.mjs) with the
 * packaged layerwise.vsix in a fresh private profile, opened on a copy of a fixture workspace, and
 * driven through its UI by playwright-core with Debian's Chromium.
 *
 * prepareWorkbench() never throws for a machine that cannot run it: it returns the reason, and the
 * tests report themselves skipped with it. A product failure (the .vsix does not package, the
 * extension does not install) is an error.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');

interface CodeServerModule {
  ensureCodeServer(opts: { log: (line: string) => void }): Promise<string>;
  installExtension(opts: { vsix: string; extensionsDir: string; userDataDir: string; codeServerDir: string; log?: (line: string) => void }): Promise<string>;
  startCodeServer(opts: {
    folder: string;
    extensionsDir: string;
    userDataDir: string;
    codeServerDir: string;
    log?: (line: string) => void;
    output?: (line: string) => void;
    settings?: Record<string, unknown>;
    timeoutMs?: number;
  }): Promise<{ url: string; stop: () => Promise<void> }>;
}

export interface Workbench {
  page: Page;
  workspace: string;
  /** The code-server URL and the browser, for a second window. */
  url: string;
  browser: Browser;
  /** Where the .vsix was installed (the packaged extension, unpacked). */
  installedExtension: string;
  /** Saves test-artifacts/e2e/<NN>-<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export type Prepared = { ok: true; workbench: Workbench } | { ok: false; reason: string };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value; fails with `what` when the deadline passes. */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, { timeoutMs = 30_000, intervalMs = 200 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

function findChromium(): string | undefined {
  for (const candidate of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Debian's Chromium, installed with apt-get when we are root on Debian (as ../shared/docs/ENVIRONMENT.md describes). */
function ensureChromium(log: (line: string) => void): { path: string } | { reason: string } {
  const found = findChromium();
  if (found) return { path: found };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot || !apt) return { reason: 'Chromium is not installed (/usr/bin/chromium) and cannot be installed here (needs root and apt-get); set CHROMIUM to a Chromium binary' };
  log('installing Chromium (apt-get install chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync('apt-get', args, { encoding: 'utf8', env });
    if (r.status !== 0) return { reason: `apt-get ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}` };
  }
  const installed = findChromium();
  return installed ? { path: installed } : { reason: 'apt-get installed chromium but /usr/bin/chromium is missing' };
}

/** `npm run package`, or the .vsix named by LAYERWISE_E2E_VSIX (to iterate on the tests without repackaging). */
async function packageVsix(log: (line: string) => void): Promise<string> {
  if (process.env.LAYERWISE_E2E_VSIX) return path.resolve(process.env.LAYERWISE_E2E_VSIX);
  log('packaging layerwise.vsix (npm run package)');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run package failed (exit ${code}):\n${Buffer.concat(out).toString('utf8').split('\n').slice(-25).join('\n')}`)),
    );
  });
  log(`packaged in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  return path.join(ROOT, 'layerwise.vsix');
}

export async function prepareWorkbench(fixture: string, log: (line: string) => void = (l) => console.log(`[e2e] ${l}`)): Promise<Prepared> {
  if (process.env.LAYERWISE_SKIP_E2E) return { ok: false, reason: `LAYERWISE_SKIP_E2E is set (${process.env.LAYERWISE_SKIP_E2E})` };
  const browserPath = ensureChromium(log);
  if ('reason' in browserPath) return { ok: false, reason: browserPath.reason };

  const cs = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'code-server.mjs')).href)) as CodeServerModule;
  let codeServerDir: string;
  try {
    codeServerDir = await cs.ensureCodeServer({ log });
  } catch (e) {
    const lines = (e as Error).message.split('\n').map((l) => l.trim()).filter(Boolean);
    const detail = lines.slice(1).filter((l) => /\berror\b|not found|missing|needs/i.test(l) && !/^npm warn/i.test(l)).slice(0, 2);
    return { ok: false, reason: `code-server cannot be set up here: ${[lines[0], ...detail].join(' | ')}` };
  }

  const vsix = await packageVsix(log);
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  // A fresh private profile and a copy of the fixture workspace (the tests type into it).
  const base = path.join(ROOT, '.layerwise', 'e2e');
  fs.rmSync(base, { recursive: true, force: true });
  const extensionsDir = path.join(base, 'extensions');
  const userDataDir = path.join(base, 'user-data');
  const workspace = path.join(base, 'workspace');
  fs.cpSync(fixture, workspace, { recursive: true });
  await cs.installExtension({ vsix, extensionsDir, userDataDir, codeServerDir, log });

  const serverLog = fs.createWriteStream(path.join(ARTIFACTS, 'code-server.log'));
  const server = await cs.startCodeServer({
    folder: workspace,
    extensionsDir,
    userDataDir,
    codeServerDir,
    log,
    output: (line) => serverLog.write(line + '\n'),
    settings: {
      'workbench.colorTheme': 'Default Dark Modern',
      'editor.minimap.enabled': false,
      'files.autoSave': 'off',
      'editor.hover.delay': 150,
      'workbench.editor.enablePreview': false,
      'chat.commandCenter.enabled': false,
      // Set, so the one-time registry question does not open over the tests; the registry test enables it per workspace.
      'layerwise.registry.enabled': false,
    },
  });

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: browserPath.path,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleLog = fs.createWriteStream(path.join(ARTIFACTS, 'browser-console.log'));
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await until('the workbench', () => page.locator('.monaco-workbench').isVisible(), { timeoutMs: 90_000 });
    let shot = 0;
    const installed = fs.readdirSync(extensionsDir).find((d) => d.startsWith('layerwise.layerwise-'));
    const workbench: Workbench = {
      page,
      workspace,
      url: server.url,
      browser,
      installedExtension: path.join(extensionsDir, installed ?? 'layerwise.layerwise'),
      screenshot: async (name) => {
        const file = path.join(ARTIFACTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      close: async () => {
        await browser?.close().catch(() => undefined);
        await server.stop();
        serverLog.end();
        consoleLog.end();
      },
    };
    return { ok: true, workbench };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw e;
  }
}

// -------------------------------------------------------------------------------------------------
// UI actions. Each waits for what it caused, by polling, never by sleeping.

export const EDITOR = '.editor-instance .monaco-editor';

/**
 * Opens a file at the top of the workspace by clicking it in the Explorer, and waits until the editor
 * shows it. (Quick Open depends on the file search index and re-renders its rows while they are
 * clicked; the Explorer lists the fixture's few files directly.)
 */
export async function openFile(page: Page, name: string, expectText?: RegExp): Promise<void> {
  await until(
    `${name} in the editor`,
    async () => {
      await page.keyboard.press('Escape');
      const rows = page.locator('.explorer-folders-view .monaco-list-row');
      const index = await until(
        `${name} in the Explorer`,
        async () => {
          const names = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.label-name')?.textContent ?? ''));
          const i = names.indexOf(name);
          return i >= 0 ? i + 1 : undefined;
        },
        { timeoutMs: 15_000 },
      );
      await rows.nth(index - 1).click();
      return until(
        `the tab of ${name}`,
        async () => {
          // Every editor group has an active tab: the file's must be one of them.
          const active = await page.locator('.tabs-container .tab.active').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
          if (!active.includes(name)) return false;
          if (!expectText) return true;
          return expectText.test(await editorText(page));
        },
        { timeoutMs: 10_000 },
      );
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
}

/** The text the active editor shows (rendered lines, so only what is scrolled into view; Monaco renders blanks as U+00A0). */
export async function editorText(page: Page): Promise<string> {
  return (await page.locator(`${EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await until(
    `the command "${title}"`,
    async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      try {
        await input.waitFor({ state: 'visible', timeout: 2000 });
      } catch {
        // A focused webview (Analyze Image's report) can keep F1 from the workbench; the title bar's command center opens the same input.
        await page.locator('.command-center').first().click();
        await input.waitFor({ state: 'visible', timeout: 5000 });
      }
      await input.fill(`>${title}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 5000 });
      await row.click();
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 1000 },
  );
}

/** The on-screen span of a word on a rendered line of the active editor. */
export async function wordBox(page: Page, lineText: RegExp, word: string): Promise<{ x: number; y: number; width: number; height: number }> {
  return until(`"${word}" on screen`, async () => {
    const lines = page.locator(`${EDITOR} .view-lines .view-line`);
    const count = await lines.count();
    for (let i = 0; i < count; i++) {
      const line = lines.nth(i);
      const text = (await line.innerText()).replace(/\u00a0/g, ' ');
      if (!lineText.test(text)) continue;
      // Monaco renders one span per token; find the one holding the word, then narrow to the word.
      const box = await line.evaluate((el, w) => {
        const walker = el.ownerDocument.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const t = n.textContent ?? '';
          const at = t.replace(/\u00a0/g, ' ').indexOf(w);
          if (at < 0) continue;
          const range = el.ownerDocument.createRange();
          range.setStart(n, at);
          range.setEnd(n, at + w.length);
          const r = range.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }
        return undefined;
      }, word);
      if (box && box.width > 0) return box;
    }
    return undefined;
  });
}

/**
 * The text of the CodeLens row drawn right above a rendered line of the active editor (several
 * lenses on one line read "a | b"), or undefined while there is none. A lens is a content widget
 * that knows nothing of its line in the DOM, so lens and line are paired by their positions.
 */
export async function codeLensAbove(page: Page, lineText: RegExp): Promise<string | undefined> {
  const editor = page.locator(EDITOR).first();
  return editor.evaluate(
    (root, { source, flags }) => {
      const line = [...root.querySelectorAll('.view-lines .view-line')].find((l) => new RegExp(source, flags).test((l.textContent ?? '').replace(/\u00a0/g, ' ')));
      if (!line) return undefined;
      const top = line.getBoundingClientRect().top;
      let best: { text: string; gap: number } | undefined;
      for (const lens of root.querySelectorAll('.codelens-decoration')) {
        const box = lens.getBoundingClientRect();
        const gap = top - box.bottom;
        if (box.height === 0 || gap < -1 || gap > box.height) continue;
        if (!best || gap < best.gap) best = { text: (lens.textContent ?? '').replace(/\u00a0/g, ' ').trim(), gap };
      }
      return best?.text || undefined;
    },
    { source: lineText.source, flags: lineText.flags },
  );
}

/** The lightbulb of the active editor: the content widget, or its gutter form (a glyph margin decoration) when the line's text is in the way. */
export function lightBulb(page: Page) {
  return page.locator(`${EDITOR} .lightBulbWidget .codicon, ${EDITOR} .cgmr[class*="codicon-gutter-lightbulb"]`).filter({ visible: true });
}

/** The rows of the open code action menu (quick fix / refactor), by their visible titles. */
export async function codeActionTitles(page: Page): Promise<string[]> {
  const rows = page.locator('.action-widget .monaco-list-row.action');
  return (await rows.allInnerTexts()).map((t) => t.replace(/\u00a0/g, ' ').trim());
}

/**
 * An element inside the content of the most recently opened webview (a report panel): the
 * workbench puts each webview in an iframe whose document hosts the extension's HTML in a second
 * iframe, #active-frame, once it has loaded.
 */
export function inWebview(page: Page, selector: string) {
  return page.locator('iframe.webview.ready').last().contentFrame().locator('iframe#active-frame').contentFrame().locator(selector);
}

/**
 * Runs the extension-host suite of test/electron (Mocha against the `vscode` API) inside
 * code-server's extension host: a second window opened in extension-test mode (the workbench's
 * `payload` of extensionDevelopmentPath and extensionTestsPath), with the installed .vsix as the
 * extension under development. Resolves with the exit code and the suite's output.
 */
export async function runExtensionHostSuite(wb: Workbench, log: (line: string) => void): Promise<{ code: number; output: string }> {
  const esbuild = await import('esbuild');
  const dir = path.join(ROOT, '.layerwise', 'e2e', 'extension-host-suite');
  fs.rmSync(dir, { recursive: true, force: true });
  const suite = path.join(dir, 'index.js');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'test', 'electron', 'suite', 'index.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode', 'mocha'], // mocha resolves from the repository's node_modules
    logLevel: 'warning',
  });
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(path.join(ROOT, 'test', 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });

  const authority = new URL(wb.url).host;
  const remote = (p: string): string => `vscode-remote://${authority}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(wb.installedExtension)],
    ['extensionTestsPath', remote(suite)],
    ['skipWelcome', 'true'],
  ]);
  const page = await wb.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const output: string[] = [];
  let exit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  // The extension host's console, as the workbench forwards it in test mode (printf-style arguments).
  await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown) => {
    const list = Array.isArray(args) ? [...args] : [args];
    let line = typeof list[0] === 'string' ? String(list.shift()) : '';
    line = line.replace(/%[sdifjoOc]/g, (spec) => {
      const value = list.shift();
      return spec === '%c' ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    });
    output.push([line, ...list.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))].join(' ').replace(/\u001b\[[0-9;]*m/g, ''));
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
  try {
    const url = `${wb.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
    log(`opening a window in extension-test mode`);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const code = await Promise.race([
      exited,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`the extension-host suite did not finish within 180s; output so far:\n${output.join('\n')}`)), 180_000).unref()),
    ]);
    fs.writeFileSync(path.join(ARTIFACTS, 'extension-host-suite.log'), output.join('\n') + '\n');
    return { code, output: output.join('\n') };
  } finally {
    await page.close().catch(() => undefined);
  }
}
