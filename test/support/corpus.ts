import * as fs from 'node:fs';
import * as path from 'node:path';

export const CORPUS = path.resolve(__dirname, '../../../shared/corpus');
export const REAL = path.join(CORPUS, 'real');

/** The real-world Dockerfiles of the shared corpus, by file name. */
export function realFiles(): string[] {
  return fs
    .readdirSync(REAL)
    .filter((f) => !f.endsWith('.tsv'))
    .sort();
}

export function readReal(name: string): string {
  return fs.readFileSync(path.join(REAL, name), 'utf8');
}
