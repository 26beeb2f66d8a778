/**
 * Layerwise in a real VS Code, checked the way a user meets it: code-server with the packaged
 * .vsix installed in a fresh profile, driven through the workbench UI with Chromium. Each step
 * saves a screenshot in test-artifacts/e2e/. Waits poll for a condition with a deadline.
 *
 * Skipped, with the reason, where code-server or Chromium cannot be set up (LAYERWISE_SKIP_E2E=1
 * skips on purpose; LAYERWISE_E2E_VSIX=path uses an existing .vsix instead of `npm run package`).
 * The CodeLens test builds its image on the private daemon (LAYERWISE_TEST_DOCKER_HOST) and skips without one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { DaemonClient } from '../../server/src/docker/client';
import { humanSize, share } from '../../server/src/docker/units';
import { apiBuild, connect, fixtureDir, removeImage, RUN_ID } from '../daemon/docker-fixtures';
import { testDaemon } from '../support/daemon';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images';
import { startRegistry } from '../support/registry';
import { Pusher } from '../support/registry-fixtures';
import { machinePlatform } from '../../server/src/registry/image-info';
import { formatPlatform } from '../../server/src/rules/lib/local-images';
import { captureReadmeShot, SHOT_DOCKERFILE, SHOT_IMAGE } from './support/readme-shot';
import {
  ARTIFACTS,
  codeActionTitles,
  codeLensAbove,
  EDITOR,
  editorText,
  inWebview,
  lightBulb,
  openFile,
  prepareWorkbench,
  runCommand,
  runExtensionHostSuite,
  until,
  wordBox,
  type Workbench,
} from './support/workbench';

const FIXTURE = path.join(__dirname, 'fixtures', 'workspace');
const daemon = testDaemon();

let workbench: Workbench | undefined;
let skipReason: string | undefined;
let setupError: Error | undefined;
/** The image the CodeLens test built on the private daemon, for the tests after it. */
let layered: { client: DaemonClient; tag: string } | undefined;
/** The daemon the README picture's image was built on, to remove it after. */
let shotClient: DaemonClient | undefined;

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
    if (layered) await removeImage(layered.client, layered.tag);
    if (shotClient) await removeImage(shotClient, SHOT_IMAGE);
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

  it('shows the value of each variable, and the stage FROM and COPY --from read, as inline hints', async (t) => {
    await step(t, 'inlay-hints', async ({ page }) => {
      await page.mouse.move(1100, 700);
      await page.keyboard.press('Escape');
      await openFile(page, 'inlay.dockerfile', /ARG NODE_VERSION/);
      // Hints are injected text in the rendered lines; their padding shows as a space where the hint sits inside a word.
      const expected: [RegExp, RegExp][] = [
        [/^ARG TOKEN/, /^ARG TOKEN\s*= \?$/],
        [/^FROM node:/, /^FROM node:\$\{NODE_VERSION\}\s*= 20\.11\.1\s*-slim AS build$/],
        [/^RUN echo/, /^RUN echo "\$MODE\s*= production\s*" "\$TOKEN\s*= \?\s*"$/],
        [/^FROM build/, /^FROM build\s*→ stage 0 "build" \(line 3\)$/],
        [/^COPY --from=build/, /^COPY --from=build\s*→ stage 0 "build" \(line 3\) \/etc\/hostname \/tmp\/$/],
      ];
      let lines: string[] = [];
      await until(
        'the value and stage hints in the editor',
        async () => {
          lines = (await editorText(page)).split('\n').map((l) => l.trimEnd());
          return expected.every(([which, shown]) => lines.some((l) => which.test(l) && shown.test(l)));
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      ).catch(() => assert.fail(`the lines with their hints:\n${lines.join('\n')}`));
      for (const l of lines) t.diagnostic(l);
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
      // The rendered line may carry the inline hint of $BUILDPLATFORM (as text once VS Code shortens it to "…").
      assert.match(text, /FROM --platform=\$BUILDPLATFORM(?: \S+)? golang:1\.23 AS build/);
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

  it('shows the base image\'s compressed size and layer count from a registry on FROM, before any build', async (t) => {
    const started = await startRegistry();
    if (!started.ok) return t.skip(started.reason);
    const registry = started.registry;
    let settingsFile: string | undefined;
    try {
      await step(t, 'registry-lens', async ({ page, workspace }) => {
        const target = formatPlatform(machinePlatform());
        const pushed = await new Pusher(`http://${registry.host}`).push('e2e/base', '1.2.3', [
          { os: 'linux', architecture: 'amd64', layers: [123_456, 7_890] },
          { os: 'linux', architecture: 'arm64', variant: 'v8', layers: [111_111, 7_000] },
        ]);
        const own = pushed.platforms.find((p) => p.platform === target);
        assert.ok(own, `the test image has ${target}`);
        // Workspace trust is off in the test's code-server, so the workspace may allow registry queries (a restricted setting).
        settingsFile = path.join(workspace, '.vscode', 'settings.json');
        fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
        const current = fs.existsSync(settingsFile) ? (JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {};
        fs.writeFileSync(settingsFile, JSON.stringify({ ...current, 'layerwise.registry.enabled': true }, null, 2));
        fs.writeFileSync(path.join(workspace, 'registry.dockerfile'), `FROM ${registry.host}/e2e/base:1.2.3\nCMD ["sh"]\n`);
        await page.keyboard.press('Escape');
        await openFile(page, 'registry.dockerfile', /e2e\/base/);
        const expected = `registry: ${humanSize(own.compressedSize)} compressed · 2 layers · ${target}`;
        let shown: string | undefined;
        await until(
          'the registry lens above FROM',
          async () => {
            shown = await codeLensAbove(page, /^FROM /);
            return shown?.includes(expected);
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        ).catch(() => assert.fail(`the FROM lens: ${shown ?? '(none)'}; expected ${expected}`));
      });
    } finally {
      if (settingsFile && fs.existsSync(settingsFile)) {
        const { ['layerwise.registry.enabled']: _, ...rest } = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
        fs.writeFileSync(settingsFile, JSON.stringify(rest, null, 2));
      }
      await registry.stop();
    }
  });

  it('passes the extension-host suite (test/electron, the one `npm run test:electron` runs) in code-server\'s extension host', async (t) => {
    if (skipReason) return t.skip(skipReason);
    if (setupError) throw setupError;
    const { code, output } = await runExtensionHostSuite(workbench!, (l) => console.log(`[e2e] ${l}`));
    for (const line of output.split('\n').filter((l) => /✔|✓|passing|failing|pending|^\s+\d+\) /.test(l))) t.diagnostic(line.trim());
    assert.equal(code, 0, `the extension-host suite failed:\n${output}`);
  });

  it('the lightbulb offers the apt-merge fix, and applying it merges the RUNs', async (t) => {
    await step(t, 'apt-merge-applied', async ({ page, workspace, screenshot }) => {
      await page.keyboard.press('Escape');
      await openFile(page, 'apt-merge.dockerfile', /apt-get install -y curl/);
      const warnings = page.locator(`${EDITOR} .squiggly-warning`);
      await until('the apt warnings as squiggles', async () => (await warnings.count()) >= 2, { timeoutMs: 60_000 });
      const box = await wordBox(page, /^RUN apt-get update\s*$/, 'update');
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const bulb = lightBulb(page).first();
      await until('the lightbulb on the apt-get update line', () => bulb.isVisible(), { timeoutMs: 30_000 });
      await screenshot('apt-merge-lightbulb');

      const merge = 'Merge `apt-get update` into the RUN on line 3 (may change behaviour)'; // the rule's title, marked unsafe
      const titles = await until(
        'the merge action in the lightbulb menu',
        async () => {
          const shown = await codeActionTitles(page);
          if (shown.includes(merge)) return shown;
          if (!shown.length) await bulb.click();
          return undefined;
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      );
      t.diagnostic(`quick fixes: ${titles.join(' / ')}`);
      await screenshot('apt-merge-menu');
      // Chosen with the keyboard: the menu lays a pointer-blocking layer over itself while the mouse has not moved.
      const focused = page.locator('.action-widget .monaco-list-row.action.focused');
      await until(
        'the merge action focused in the menu',
        async () => {
          if ((await focused.innerText()).trim() === merge) return true;
          await page.keyboard.press('ArrowDown');
          return false;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      await page.keyboard.press('Enter');

      const merged = 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n';
      await until('the merged RUN in the editor', async () => (await editorText(page)).trimEnd() === merged.trimEnd(), { timeoutMs: 15_000 });
      await page.keyboard.press('Control+S');
      const file = path.join(workspace, 'apt-merge.dockerfile');
      await until('the merged file on disk', () => fs.readFileSync(file, 'utf8') === merged, { timeoutMs: 15_000 });
      // The three apt warnings (separate update, lists left behind, recommends) are all answered by the merge.
      await until('no warning squiggles left', async () => (await warnings.count()) === 0, { timeoutMs: 30_000 });
    });
  });

  it('CodeLens shows the layer sizes of an image built on the private daemon', { skip: daemon.skip }, async (t) => {
    await step(t, 'codelens', async ({ page, workspace, screenshot }) => {
      const client = await connect(daemon.host!);
      await ensureBusyboxImage(await client.streaming());
      const dockerfile = [
        `FROM ${BUSYBOX_IMAGE}`,
        `ENV LW_E2E=${RUN_ID}`,
        'RUN dd if=/dev/zero of=/one-mib.bin bs=1024 count=1024',
        'CMD ["sh"]',
        '',
      ].join('\n');
      const tag = `layerwise-test/e2e-lenses:${RUN_ID}`;
      const built = await apiBuild(client, fixtureDir({ Dockerfile: dockerfile }), { tag, builder: 'buildkit' });
      layered = { client, tag };
      const history = await client.history(built.imageId!);
      const total = history.reduce((n, e) => n + e.Size, 0);
      const base = (await client.history(BUSYBOX_IMAGE)).reduce((n, e) => n + e.Size, 0);
      const ddSize = history.find((e) => e.CreatedBy.includes('one-mib.bin'))?.Size;
      assert.equal(ddSize, 1024 * 1024, JSON.stringify(history));

      // Workspace trust is off in the test's code-server, so the workspace may choose the daemon (a restricted setting).
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'layerwise.docker.host': daemon.host }, null, 2));
      fs.writeFileSync(path.join(workspace, 'layers.dockerfile'), dockerfile);
      await page.keyboard.press('Escape');
      await openFile(page, 'layers.dockerfile', /one-mib\.bin/);

      const imageLens = `${tag} · ${humanSize(total)}`;
      const expected = {
        FROM: `${imageLens} · Analyze | base ${humanSize(base)} · ${share(base, total)}`,
        ENV: '0 B',
        RUN: `1.05 MB · ${share(ddSize, total)}`,
        CMD: '0 B',
      };
      const lensesOf = async (): Promise<Record<keyof typeof expected, string | undefined>> => ({
        FROM: await codeLensAbove(page, /^FROM /),
        ENV: await codeLensAbove(page, /^ENV /),
        RUN: await codeLensAbove(page, /^RUN dd/),
        CMD: await codeLensAbove(page, /^CMD /),
      });
      // "Reading layer sizes from Docker…" first, then a refresh replaces the lenses (not all in the same frame).
      let shown = await lensesOf();
      await until(
        'the layer size lenses',
        async () => {
          shown = await lensesOf();
          return JSON.stringify(shown) === JSON.stringify(expected);
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      ).catch(() => assert.deepEqual(shown, expected, 'the lenses above each line'));
      await screenshot('codelens-sizes');

      // A size lens opens Analyze Image at its layer: the report's row for line 3 has the focus.
      await page.locator(`${EDITOR} .codelens-decoration a`, { hasText: '1.05 MB' }).first().click();
      const chart = inWebview(page, '#layer-chart');
      await until('the report opened from the lens', () => chart.isVisible(), { timeoutMs: 120_000, intervalMs: 500 });
      const focused = inWebview(page, '.layer-row:focus');
      await until('the lens\'s layer focused in the report', () => focused.isVisible(), { timeoutMs: 10_000 });
      assert.equal(await focused.getAttribute('data-line'), '3');
      assert.match(await focused.innerText(), /1\.05 MB/);
      assert.equal(await page.locator('.tabs-container .tab', { hasText: 'Layers:' }).first().getAttribute('aria-label'), `Layers: ${tag}, Editor Group 2`);
      await screenshot('codelens-opens-report');
      // Close the report, so the palette test below opens it afresh.
      const reportTab = page.locator('.tabs-container .tab', { hasText: 'Layers:' }).first();
      await reportTab.hover();
      await reportTab.locator('.codicon-close').click();
      await until('the report closed', async () => (await page.locator('.tabs-container .tab', { hasText: 'Layers:' }).count()) === 0, { timeoutMs: 10_000 });
    });
  });

  it('"Layerwise: Analyze Image" opens the report for that image', async (t) => {
    if (skipReason) return t.skip(skipReason);
    if (setupError) throw setupError;
    const manifest = JSON.parse(fs.readFileSync(path.join(workbench!.installedExtension, 'package.json'), 'utf8')) as { contributes?: { commands?: { command: string }[] } };
    assert.ok(manifest.contributes?.commands?.some((c) => c.command === 'layerwise.analyzeImage'), 'the packaged extension contributes layerwise.analyzeImage');
    if (!layered) return t.skip('needs the image the CodeLens test builds (no private Docker daemon)');
    const image = layered;
    await step(t, 'analyze-image', async ({ page }) => {
      await openFile(page, 'layers.dockerfile', /one-mib\.bin/);
      await runCommand(page, 'Layerwise: Analyze Image');
      // The quick pick lists the image built from the active Dockerfile first.
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: image.tag }).first();
      await until('the image in the quick pick', () => row.isVisible(), { timeoutMs: 30_000 });
      await row.click();
      const chart = inWebview(page, '#layer-chart');
      await until('the layer chart of the report', () => chart.isVisible(), { timeoutMs: 120_000, intervalMs: 500 });
      assert.match(await chart.innerText(), /line 3[\s\S]*1\.05 MB/, 'the RUN line\'s layer in the chart');
    });
  });
  it('takes the README picture the way scripts/readme-screenshot.ts does: diagnostics in the Problems panel, lenses from the built image', { skip: daemon.skip }, async (t) => {
    await step(t, 'readme-screenshot', async (wb) => {
      const client = await connect(daemon.host!);
      shotClient = client;
      const out = { png: path.join(ARTIFACTS, 'readme-screenshot.png'), json: path.join(ARTIFACTS, 'readme-screenshot.json') };
      const r = await captureReadmeShot(wb, client, daemon.host!, out);
      t.diagnostic(`${r.diagnostics} problems; lenses: ${r.lenses.map((l) => `${l.line}: ${l.text}`).join(' / ')}`);
      assert.equal(r.dockerfile, SHOT_DOCKERFILE);
      assert.ok(r.diagnostics >= 3, r.problems.join('\n'));
      assert.ok(r.lenses.some((l) => l.line === 1 && l.text.includes(SHOT_IMAGE)), JSON.stringify(r.lenses));
      assert.ok(r.lenses.some((l) => l.line === 5 && /^2\.\d+ MB/.test(l.text)), JSON.stringify(r.lenses));
      assert.ok(fs.statSync(out.png).size > 10_000);
    });
  });
});
