/**
 * The million-file image, analyzed in a process of its own so that its peak RSS (VmHWM) is the
 * analysis' alone: `measureManyFiles(count)` bundles the child part of this file with esbuild (tsx
 * would add its compiler to the peak), runs it with node, and pipes the generated export into its
 * stdin as a daemon's socket would deliver it (analyze-many-files-child.ts prints the figures).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { hostileExport, manySmallFiles } from './hostile-images';

export const MANY_FILES_TAG = 'layerwise-test/many-files:1';

export interface ManyFilesResult {
  count: number;
  ok: boolean;
  error?: string;
  size?: number;
  added?: number;
  largest?: { path: string; size: number }[];
  expectedBytes: number;
  archiveBytes?: number;
  /** Export generation and analysis, end to end. */
  ms: number;
  /** VmHWM of the child before reading, and at the end. */
  baselineKiB: number;
  peakKiB: number;
}

let bundled: string | undefined;

/** Generates the export of `count` small files here and analyzes it in a child process. */
export async function measureManyFiles(count: number): Promise<ManyFilesResult> {
  if (!bundled) {
    bundled = path.join(mkdtempSync(path.join(os.tmpdir(), 'lw-many-')), 'many.js');
    buildSync({ entryPoints: [path.join(__dirname, 'analyze-many-files-child.ts')], bundle: true, platform: 'node', outfile: bundled, logLevel: 'warning' });
  }
  const t0 = performance.now();
  const proc = spawn(process.execPath, [bundled, String(count), MANY_FILES_TAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  let text = '';
  proc.stdout.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  const input = hostileExport({ tag: MANY_FILES_TAG, layers: [manySmallFiles(count)] });
  input.pipe(proc.stdin);
  input.on('error', () => proc.stdin.destroy());
  proc.stdin.on('error', () => input.destroy());
  await exited;
  const result = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as ManyFilesResult;
  result.ms = Math.round(performance.now() - t0);
  return result;
}
