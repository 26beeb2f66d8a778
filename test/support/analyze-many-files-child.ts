/**
 * The child half of `measureManyFiles` (analyze-many-files.ts): analyzes the export arriving on
 * stdin and prints one JSON line with the figures and this process' peak RSS (VmHWM).
 */
import { readFileSync } from 'node:fs';
import { analyzeExport } from '../../server/src/analyze/analyze';
import type { ManyFilesResult } from './analyze-many-files';
import { manySmallFilesBytes } from './hostile-images';

function vmHwmKiB(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function main(count: number, tag: string): Promise<void> {
  const baselineKiB = vmHwmKiB();
  const out: ManyFilesResult = { count, ok: false, expectedBytes: manySmallFilesBytes(count), ms: 0, baselineKiB, peakKiB: 0 };
  try {
    const a = await analyzeExport(process.stdin, { image: tag });
    Object.assign(out, { ok: true, size: a.size, added: a.layers[0]?.added, largest: a.largestFiles.slice(0, 3).map((f) => ({ path: f.path, size: f.size })), archiveBytes: a.archiveSize });
  } catch (e) {
    out.error = (e as Error).message;
  }
  out.peakKiB = vmHwmKiB();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

void main(Number(process.argv[2]), process.argv[3] ?? '');
