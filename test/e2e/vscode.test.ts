/**
 * Layerwise in a real VS Code, checked the way a user meets it: code-server with the packaged
 * .vsix installed in a fresh profile, driven through the workbench UI with Chromium. Each step
 * saves a screenshot in test-artifacts/e2e/. Waits poll for a condition with a deadline.
 *
 * Skipped, with the reason, where code-server or Chromium cannot be set up (LAYERWISE_SKIP_E2E=1
 * skips on purpose; LAYERWISE_E2E_VSIX=path uses an existing .vsix instead of `npm run package`).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { EDITOR, editorText, openFile, prepareWorkbench, runCommand, runExtensionHostSuite, until, wordBox, type Workbench } from './support/workbench';

const FIXTURE = path.join(__dirname, 'fixtures', 'workspace');

let workbench: Workbench | undefined;
let skipReason: string | undefined;
let setupError: Error | undefined;

/** Runs a step with its screenshot; a failing step leaves a screenshot named after it too. */
async function step(t: TestContext, name: string, body: (wb: Workbench) => Promise<void>): Promise<void> {
  if (skipReason) return t.skip(skipReason);
  if (setupError) throw setupError;
  const wb = workbench!;
  try {
    await body(wb);
    const file = await wb.screenshot(name);
    t.diagnostic(`screenshot: ${path.relative(process.cwd(), file)}`);
  } catch (e) {
    await wb.screenshot(`${name}-FAILED`).catch(() => undefined);
    throw e;
  }
}

describe('Layerwise in VS Code (code-server)', () => {
  before(async () => {
    const started = Date.now();
    try {
      const prepared = await prepareWorkbench(FIXTURE);
      if (prepared.ok) workbench = prepared.workbench;
      else {
        skipReason = prepared.reason;
        console.log(`[e2e] SKIPPING the end-to-end tests: ${prepared.reason}`);
      }
    } catch (e) {
      setupError = e as Error;
    }
    console.log(`[e2e] setup took ${((Date.now() - started) / 1000).toFixed(0)}s`);
  });

  after(async () => {
    await workbench?.close();
  });

  it('opens a Dockerfile as Dockerfile and highlights it with the Layerwise grammar (shell in RUN heredocs, text in COPY heredocs)', async (t) => {
    await step(t, 'grammar-copy-heredoc', async ({ page, screenshot }) => {
      await openFile(page, 'Dockerfile', /FROM debian/);
      await until('the Dockerfile language mode', async () => (await page.locator('#status\\.editor\\.mode').innerText()).trim() === 'Dockerfile');

      const inspect = async (line: RegExp, word: string): Promise<string> => {
        const box = await wordBox(page, line, word);
        await page.mouse.click(box.x + 1, box.y + box.height / 2);
        await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
        const widget = page.locator('.token-inspect-widget');
        return until(
          `the token inspector on "${word}"`,
          async () => {
            if (!(await widget.isVisible())) return undefined;
            const text = await widget.innerText();
            return /textmate scopes/i.test(text) ? text : undefined; // "Loading..." first
          },
          { timeoutMs: 15_000 },
        );
      };
      const runBody = await inspect(/a RUN heredoc is a shell script/, 'echo');
      assert.match(runBody, /meta\.embedded\.heredoc\.shell\.dockerfile/, runBody);
      assert.match(runBody, /entity\.name\.command\.shell/, runBody);
      assert.match(runBody, /language\s*shellscript/i, runBody);
      await screenshot('grammar-run-heredoc');
      await page.keyboard.press('Escape');
      const copyBody = await inspect(/Hello from a COPY heredoc/, 'Hello');
      assert.match(copyBody, /string\.unquoted\.heredoc\.dockerfile/, copyBody);
      assert.doesNotMatch(copyBody, /source\.shell/, copyBody);
      assert.match(copyBody, /language\s*dockerfile/i, copyBody);
    });
  });

  it('shows diagnostics as squiggles and in the Problems panel', async (t) => {
    await step(t, 'diagnostics', async ({ page }) => {
      await page.keyboard.press('Escape');
      await openFile(page, 'Dockerfile', /FROM debian/);
      const squiggles = page.locator(`${EDITOR} .squiggly-warning`);
      await until('warning squiggles in the editor', async () => (await squiggles.count()) >= 2, { timeoutMs: 60_000 });
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      const text = await until(
        'apt-update-separate and json-args-recommended in the Problems panel',
        async () => {
          if (!(await panel.first().isVisible())) return undefined;
          const t = await panel.first().innerText();
          return /apt-update-separate/.test(t) && /json-args-recommended/.test(t) ? t : undefined;
        },
        { timeoutMs: 30_000 },
      );
      assert.match(text, /Layerwise|layerwise/);
    });
  });

  it('completes instructions while typing', async (t) => {
    await step(t, 'completion', async ({ page }) => {
      await page.keyboard.press('Control+J'); // hide the panel again
      await openFile(page, 'completion.dockerfile', /FROM alpine/);
      await page.locator(`${EDITOR} .view-lines`).first().click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('RU');
      const row = page.locator('.editor-widget.suggest-widget .monaco-list-row', { hasText: 'RUN' }).first();
      await until(
        'RUN in the suggest widget',
        async () => {
          if (await row.isVisible()) return true;
          await page.keyboard.press('Control+Space');
          return false;
        },
        { timeoutMs: 30_000, intervalMs: 1500 },
      );
    });
  });

  it('shows the documentation of an instruction on hover', async (t) => {
    await step(t, 'hover', async ({ page }) => {
      await page.keyboard.press('Escape');
      await openFile(page, 'Dockerfile', /FROM debian/);
      const box = await wordBox(page, /^FROM debian/, 'FROM');
      const hover = page.locator('.monaco-hover:not(.hidden)').first();
      let nudge = 0;
      const text = await until(
        'the hover of FROM',
        async () => {
          await page.mouse.move(box.x + box.width / 2 + (nudge++ % 3), box.y + box.height / 2);
          if (!(await hover.isVisible())) return undefined;
          const t = await hover.innerText();
          return /base ?image/i.test(t) ? t : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      assert.match(text, /base ?image/i);
    });
  });

  it('expands a snippet (multistage-go) into a whole Dockerfile', async (t) => {
    await step(t, 'snippet', async ({ page }) => {
      await page.mouse.move(1100, 700);
      await page.keyboard.press('Escape');
      await openFile(page, 'Dockerfile.snippet');
      await page.locator(`${EDITOR} .view-lines`).first().click();
      await page.keyboard.type('multistage-go');
      const focused = page.locator('.editor-widget.suggest-widget .monaco-list-row.focused');
      await until(
        'the multistage-go snippet selected in the suggest widget',
        async () => {
          if ((await focused.count()) && /^multistage-go\b/.test((await focused.first().getAttribute('aria-label')) ?? '')) return true;
          await page.keyboard.press('Control+Space');
          return false;
        },
        { timeoutMs: 30_000, intervalMs: 1500 },
      );
      await page.keyboard.press('Enter');
      const text = await until('the expanded snippet', async () => {
        const t = await editorText(page);
        return /FROM scratch/.test(t) && /ca-certificates\.crt/.test(t) ? t : undefined;
      });
      assert.match(text, /FROM --platform=\$BUILDPLATFORM golang/);
      await page.keyboard.press('Escape'); // leave snippet mode
      // The expanded snippet lints clean: the tab stops reporting problems (and stays so for 2 s).
      const tabLabel = page.locator('.tabs-container .tab.active .monaco-icon-label').first();
      let clean = 0;
      await until(
        'no problems in the expanded snippet',
        async () => {
          const label = (await tabLabel.getAttribute('aria-label')) ?? '';
          clean = /problem/i.test(label) ? 0 : clean + 1;
          return clean >= 5;
        },
        { timeoutMs: 30_000, intervalMs: 400 },
      );
    });
  });

  it('passes the extension-host suite (test/electron, the one `npm run test:electron` runs) in code-server\'s extension host', async (t) => {
    if (skipReason) return t.skip(skipReason);
    if (setupError) throw setupError;
    const { code, output } = await runExtensionHostSuite(workbench!, (l) => console.log(`[e2e] ${l}`));
    for (const line of output.split('\n').filter((l) => /✔|✓|passing|failing|pending|^\s+\d+\) /.test(l))) t.diagnostic(line.trim());
    assert.equal(code, 0, `the extension-host suite failed:\n${output}`);
  });

  it('the lightbulb offers the apt-merge fix, and applying it merges the RUNs', { todo: 'needs the apt-merge quick fix (a later issue)' });
  it('CodeLens shows the layer sizes of an image built on the private daemon', { todo: 'needs issue 5 (layer sizes from the Docker daemon)' });
  it('"Layerwise: Analyze Image" opens the report for that image', { todo: 'needs the Analyze Image command (a later issue)' });
});
