// Takes docs/images/screenshot.png: a real VS Code (code-server) with Layerwise installed, showing
// samples/node-app/Dockerfile, driven by playwright-core and Debian's Chromium.
//
//   node scripts/screenshot.mjs                          builds the .vsix, starts its own code-server
//   node scripts/screenshot.mjs --url http://127.0.0.1:8123/   uses a running `npm start`
//   options: --out FILE (default docs/images/screenshot.png), --file PATH (default node-app/Dockerfile,
//            relative to samples/), --chromium PATH (default /usr/bin/chromium or $CHROMIUM)
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureCodeServer, installExtension, startCodeServer } from './code-server.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = {
    url: undefined,
    out: path.join(repoRoot, 'docs', 'images', 'screenshot.png'),
    file: 'node-app/Dockerfile',
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (flag === '--url') opts.url = value();
    else if (flag === '--out') opts.out = path.resolve(value());
    else if (flag === '--file') opts.file = value();
    else if (flag === '--chromium') opts.chromium = value();
    else {
      console.error(`screenshot: unknown option ${argv[i]}`);
      process.exit(2);
    }
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or the deadline passes. */
async function until(what, check, { timeoutMs = 30_000, intervalMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

async function startOwnServer() {
  console.log('Building layerwise.vsix (npm run package)...');
  await new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`npm run package failed (exit ${code}):\n${Buffer.concat(output).toString('utf8')}`)),
    );
  });
  const codeServerDir = await ensureCodeServer({ log: (l) => console.log(l) });
  // A fresh profile every time, so no editors or panels are restored from an earlier run.
  const dir = path.join(repoRoot, '.layerwise', 'screenshot');
  rmSync(dir, { recursive: true, force: true });
  const extensionsDir = path.join(dir, 'extensions');
  const userDataDir = path.join(dir, 'user-data');
  await installExtension({ vsix: path.join(repoRoot, 'layerwise.vsix'), extensionsDir, userDataDir, codeServerDir });
  return startCodeServer({ folder: path.join(repoRoot, 'samples'), extensionsDir, userDataDir, codeServerDir, log: () => {} });
}

async function takeScreenshot(url, opts) {
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    console.log(`Opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await until('the workbench', () => page.locator('.monaco-workbench').isVisible(), { timeoutMs: 60_000 });

    // The workspace-trust dialog is disabled by the settings startCodeServer writes; a server started
    // some other way may still show it.
    const trust = page.getByRole('button', { name: /Yes, I trust the authors/i });
    if (await trust.isVisible().catch(() => false)) await trust.click();

    // Wait for the explorer to list the workspace, so Quick Open has files to offer.
    await until('the explorer to list samples/', () =>
      page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'node-app' }).first().isVisible(),
    );

    const base = path.posix.basename(opts.file);
    const dirName = path.posix.dirname(opts.file);
    console.log(`Opening ${opts.file} with Quick Open`);
    await until(
      `${opts.file} in the editor`,
      async () => {
        await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } }).catch(() => {});
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: 5000 });
        await input.fill(opts.file);
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).filter({ hasText: dirName }).first();
        await row.waitFor({ state: 'visible', timeout: 5000 });
        await row.click();
        return until(
          'the editor to show the file',
          async () => {
            const tab = await page.locator('.tabs-container .tab.active').getAttribute('aria-label');
            const text = await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText();
            return tab?.includes(base) && /\bFROM\b/.test(text);
          },
          { timeoutMs: 10_000 },
        ).catch(async (err) => {
          await page.keyboard.press('Escape');
          throw err;
        });
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );

    // The language mode comes from the extension's contribution; the extension activates on it.
    const mode = await until('the language mode in the status bar', async () => {
      const text = (await page.locator('#status\\.editor\\.mode').innerText()).trim();
      return text || undefined;
    });
    console.log(`Language mode: ${mode}`);

    // Give the language server a moment to publish diagnostics; a file with none is fine too.
    const squiggles = '.editor-instance .monaco-editor .squiggly-error, .editor-instance .monaco-editor .squiggly-warning, .editor-instance .monaco-editor .squiggly-info';
    const count = await until('diagnostics', async () => (await page.locator(squiggles).count()) || undefined, {
      timeoutMs: 15_000,
    }).catch(() => 0);
    console.log(`Diagnostics shown in the editor: ${count}`);
    if (count > 0) {
      await page.keyboard.press('Control+Shift+M'); // Problems panel
      await until('the Problems panel', () => page.locator('.markers-panel').first().isVisible(), { timeoutMs: 10_000 }).catch(
        () => {},
      );
      // Back to the editor so its cursor and highlights look normal.
      await page.locator('.editor-instance .monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
    }

    // No hover or toast in the picture.
    await page.mouse.move(900, 650); // empty editor space below the text: no hover there
    await until('notifications to clear', async () => {
      const toasts = page.locator('.notifications-toasts .notification-toast');
      if ((await toasts.count()) === 0) return true;
      await page.keyboard.press('Escape');
      return false;
    }, { timeoutMs: 5000 }).catch(() => {});
    await sleep(500); // let the last paint settle (cursor blink, fade-outs)

    mkdirSync(path.dirname(opts.out), { recursive: true });
    await page.screenshot({ path: opts.out });
    console.log(`Wrote ${path.relative(process.cwd(), opts.out) || opts.out}`);
  } finally {
    await browser.close();
  }
}

const opts = parseArgs(process.argv.slice(2));
let server;
try {
  let url = opts.url;
  if (!url) {
    server = await startOwnServer();
    url = server.url;
  }
  await takeScreenshot(url, opts);
} catch (err) {
  console.error(`screenshot: ${err.message}`);
  process.exitCode = 1;
} finally {
  await server?.stop();
}
