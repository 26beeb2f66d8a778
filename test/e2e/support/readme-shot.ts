import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DaemonClient } from '../../../server/src/docker/client';
import { apiBuild, fixtureDir } from '../../daemon/docker-fixtures';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../../support/images';
import { ARTIFACTS, codeLensAbove, openFile, ROOT, runCommand, until, type Workbench } from './workbench';

/**
 * The README's picture, taken from a real run: a Dockerfile built on the private daemon, open in
 * code-server with its layer lenses and its diagnostics in the Problems panel. Beside the PNG a JSON
 * records what that run found (test/unit/readme-screenshot.test.ts checks the committed pair; the e2e
 * tier takes the same picture into test-artifacts/ and asserts what it found).
 */
export const README_SHOT = { png: path.join(ROOT, 'docs', 'images', 'screenshot.png'), json: path.join(ROOT, 'docs', 'images', 'screenshot.json') };

export const SHOT_FILE = 'Dockerfile.web';
export const SHOT_IMAGE = 'layerwise-test/readme-web:1';
export const SHOT_DOCKERFILE = [
  `FROM ${BUSYBOX_IMAGE}`,
  'MAINTAINER dev@example.com',
  'WORKDIR /app',
  'ADD server.js /app/',
  'RUN cd /app && dd if=/dev/zero of=cache.bin bs=1024 count=2048',
  'RUN rm /app/cache.bin',
  'EXPOSE 8080',
  'CMD node server.js',
  '',
].join('\n');

export interface ShotRecord {
  png: string;
  sha256: string;
  takenAt: string;
  image: string;
  dockerfile: string;
  /** The Problems panel's rows for the file (message, source, code, position as VS Code reads them out). */
  problems: string[];
  diagnostics: number;
  /** The lens row above each instruction line that has one. */
  lenses: { line: number; text: string }[];
}

/** Builds the image, opens the file beside its lenses and the Problems panel, and saves `png` and `json`. */
export async function captureReadmeShot(wb: Workbench, client: DaemonClient, host: string, out: { png: string; json: string }): Promise<ShotRecord> {
  const { page, workspace } = wb;
  await ensureBusyboxImage(await client.streaming());
  const server = 'require("http").createServer((_, res) => res.end("ok")).listen(8080);\n';
  await apiBuild(client, fixtureDir({ Dockerfile: SHOT_DOCKERFILE, 'server.js': server }), { tag: SHOT_IMAGE, builder: 'buildkit' });

  // Workspace trust is off in the test's code-server, so the workspace may choose the daemon.
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const settings = fs.existsSync(settingsFile) ? (JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'layerwise.docker.host': host }, null, 2));
  fs.writeFileSync(path.join(workspace, SHOT_FILE), SHOT_DOCKERFILE);
  fs.writeFileSync(path.join(workspace, 'server.js'), server);

  // Edited files would stop Close All with a save prompt (the workspace is the test's own copy).
  await runCommand(page, 'File: Save All');
  await runCommand(page, 'View: Close All Editors');
  await openFile(page, SHOT_FILE, /MAINTAINER/);
  const lines = SHOT_DOCKERFILE.split('\n').filter(Boolean);
  const lensesNow = async (): Promise<{ line: number; text: string }[]> => {
    const found: { line: number; text: string }[] = [];
    for (const [i, text] of lines.entries()) {
      const lens = await codeLensAbove(page, new RegExp(`^${text.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      if (lens) found.push({ line: i + 1, text: lens });
    }
    return found;
  };
  // "Reading layer sizes from Docker…" first; the sizes replace it.
  const lenses = await until(
    'the layer lenses of the built image',
    async () => {
      const l = await lensesNow();
      return l.some((x) => x.text.includes(SHOT_IMAGE)) && l.some((x) => /MB/.test(x.text) && x.line === 5) ? l : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );

  await page.keyboard.press('Control+Shift+M');
  const rows = page.locator('.markers-panel .monaco-list-row');
  let seen: string[] = [];
  // A marker's row shows its message, then source(code) and [Ln, Col]; the file's row has no code.
  const problems = await until(
    'the diagnostics of the file in the Problems panel',
    async () => {
      seen = await rows.evaluateAll((els) => els.map((e) => ((e as unknown as { innerText: string }).innerText).replace(/\s+/g, ' ').trim()));
      const markers = seen.filter((l) => /\[Ln \d+, Col \d+\]/.test(l));
      // The file's row carries the count: every marker row must be on screen.
      const count = Number(new RegExp(`^${SHOT_FILE.replace('.', '\\.')} (\\d+)$`).exec(seen[0] ?? '')?.[1]);
      return markers.length >= 3 && markers.length === count && markers.some((l) => /json-args-recommended/.test(l)) ? markers : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  ).catch(async (e: Error) => {
    await page.screenshot({ path: path.join(ARTIFACTS, 'readme-screenshot-FAILED.png') });
    throw new Error(`${e.message}; the panel's rows: ${JSON.stringify(seen)}`);
  });
  await page.screenshot({ path: out.png });
  const record: ShotRecord = {
    png: path.basename(out.png),
    sha256: createHash('sha256').update(fs.readFileSync(out.png)).digest('hex'),
    takenAt: new Date().toISOString(),
    image: SHOT_IMAGE,
    dockerfile: SHOT_DOCKERFILE,
    problems,
    diagnostics: problems.length,
    lenses,
  };
  fs.writeFileSync(out.json, JSON.stringify(record, null, 2) + '\n');
  return record;
}
