/**
 * `npm run bench` (part): Analyze Image on an image of many small files, generated as a stream
 * (test/support/hostile-images.ts; never stored) and analyzed in a process of its own, whose peak
 * RSS (VmHWM) is the figure. `npx tsx test/bench/analyze-many-files-bench.ts [count…]`. Writes a
 * table into docs/BENCHMARKS.md between its own markers.
 */
import * as os from 'node:os';
import { measureManyFiles } from '../support/analyze-many-files';
import { writeBenchSection, benchMarks } from './benchmarks-doc';

const COUNTS = process.argv.slice(2).map(Number).filter((n) => n > 0);
const counts = COUNTS.length ? COUNTS : [100_000, 300_000, 1_000_000];
const MB = (kib: number): string => ((kib * 1024) / 1e6).toFixed(1);

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const count of counts) {
    const r = await measureManyFiles(count);
    if (!r.ok) throw new Error(`${count} files: ${r.error}`);
    const perFile = ((r.peakKiB - r.baselineKiB) * 1024) / count;
    const line = `| ${count.toLocaleString('en-US')} | ${(r.archiveBytes! / 1e6).toFixed(0)} MB | ${(r.ms / 1000).toFixed(1)} s | ${MB(r.peakKiB)} MB | ${MB(r.baselineKiB)} MB | ${perFile.toFixed(0)} B |`;
    console.log(line);
    rows.push(line);
  }
  const { start, end } = benchMarks('analyze-many-files');
  const section = [
    start,
    '## Analyze Image: an image of many small files',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.platform()}/${os.arch()}, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, with`,
    '`npx tsx test/bench/analyze-many-files-bench.ts` (part of `npm run bench`). One layer of small files (1 to 64 bytes, 1,000',
    'per directory), its docker-archive export generated as a stream and piped into a separate process that analyzes it',
    '(test/support/analyze-many-files.ts). Time: generation and analysis together. Peak RSS: VmHWM of the analyzing',
    'process; "node alone" is its VmHWM before reading. The daemon tier asserts the 1,000,000-file peak stays under 200 MB.',
    '',
    '| files | export | time | peak RSS | node alone | peak above node, per file |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
    end,
  ].join('\n');
  writeBenchSection('analyze-many-files', section);
}

void main();
