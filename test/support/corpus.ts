import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The shared corpus sits beside the repository (`../shared/corpus`); a checkout elsewhere can
 * point at it with LAYERWISE_CORPUS, and /work/shared/corpus is the machines' own copy.
 */
export const CORPUS = [process.env.LAYERWISE_CORPUS, path.resolve(__dirname, '../../../shared/corpus'), '/work/shared/corpus'].find(
  (p): p is string => !!p && fs.existsSync(path.join(p, 'real')),
) ?? path.resolve(__dirname, '../../../shared/corpus');
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
