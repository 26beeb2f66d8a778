import { humanSize } from '../../../server/src/docker/units';
import type { ListedImage } from '../../../server/src/docker/protocol';

/** Pure text shaping for the Analyze Image command and report (no `vscode` import: unit-tested). */

export { humanSize };

/** `repo:tag`, or the short id of an untagged image (`docker images` shows 12 hex digits). */
export function imageLabel(image: Pick<ListedImage, 'id' | 'tags'>): string {
  return image.tags[0] ?? shortId(image.id);
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** "3 days ago", the way `docker images` words it (seconds since the epoch, against `nowMs`). */
export function age(createdSeconds: number, nowMs: number): string {
  const seconds = Math.max(0, Math.floor(nowMs / 1000 - createdSeconds));
  const steps: [number, string][] = [
    [365 * 86400, 'year'],
    [30 * 86400, 'month'],
    [7 * 86400, 'week'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of steps) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** The matched image first, then newest first (the order a user rebuilding an image expects). */
export function orderImages(images: ListedImage[]): ListedImage[] {
  return [...images].sort((a, b) => Number(b.matched) - Number(a.matched) || b.created - a.created);
}

/**
 * "Reading layers… 312 MB of 1.1 GB". The total is the image's size, an estimate of the export
 * (which adds tar headers and metadata): past it, only what was read is said.
 */
export function progressMessage(bytes: number, totalBytes: number | undefined): string {
  return totalBytes && bytes <= totalBytes ? `Reading layers… ${humanSize(bytes)} of ${humanSize(totalBytes)}` : `Reading layers… ${humanSize(bytes)}`;
}

/**
 * The instruction of a history entry as the Dockerfile wrote it: `RUN apt-get …` rather than
 * BuildKit's `RUN |1 A=b /bin/sh -c apt-get … # buildkit` or the classic `/bin/sh -c #(nop)  ENV …`.
 */
export function instructionLabel(createdBy: string): string {
  let text = createdBy.trim().replace(/\s+# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s+/.exec(text);
  if (nop) return text.slice(nop[0].length).trim();
  if (text.startsWith('/bin/sh -c ')) return `RUN ${text.slice('/bin/sh -c '.length)}`;
  const run = /^RUN (?:\|\d+ (?:\S+=\S* )*)?\/bin\/sh -c (.*)$/s.exec(text);
  if (run) text = `RUN ${run[1]}`;
  return text;
}
