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

export { instructionLabel } from '../../../server/src/analyze/labels';
