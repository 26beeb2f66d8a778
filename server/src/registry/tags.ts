/**
 * Reading a repository's tag list: which tags continue the line of a tag (`3.19.1` → `3.19.4`) and
 * which are variants of the same version (`3.12` → `3.12-slim`, `3.12-alpine`). Pure.
 */

export interface TagVersion {
  tag: string;
  prefix: string;
  /** `3.19.1` → [3, 19, 1]. */
  numbers: number[];
  /** What follows the version: `-slim-bookworm` → `slim-bookworm`; '' for none. */
  suffix: string;
}

/** `v3.19.1-alpine` → version 3.19.1, suffix `alpine`; undefined for tags that are not a version (`latest`, `bookworm`). */
export function parseTag(tag: string): TagVersion | undefined {
  const m = /^(v?)(\d+(?:\.\d+){0,3})(?:-(.+))?$/.exec(tag);
  if (!m) return undefined;
  const numbers = m[2]!.split('.').map(Number);
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  return { tag, prefix: m[1]!, numbers, suffix: m[3] ?? '' };
}

/**
 * Newer tags of the same line, newest first: the same number of parts, all but the last equal,
 * the same suffix, a higher last part. A one-part tag (`20`) has no line to continue within.
 */
export function newerTags(tag: string, all: readonly string[]): string[] {
  const t = parseTag(tag);
  if (!t || t.numbers.length < 2) return [];
  const line = t.numbers.slice(0, -1);
  const last = t.numbers[t.numbers.length - 1]!;
  return all
    .map(parseTag)
    .filter((o): o is TagVersion => !!o && o.prefix === t.prefix && o.suffix === t.suffix && o.numbers.length === t.numbers.length)
    .filter((o) => line.every((n, i) => o.numbers[i] === n) && o.numbers[o.numbers.length - 1]! > last)
    .sort((a, b) => b.numbers[b.numbers.length - 1]! - a.numbers[a.numbers.length - 1]!)
    .map((o) => o.tag);
}

/** Other tags of exactly the same version with another suffix (`3.12` → `3.12-slim`, `3.12-alpine3.20`), in tag-list order. */
export function variantTags(tag: string, all: readonly string[]): string[] {
  const t = parseTag(tag);
  if (!t) return [];
  const version = `${t.prefix}${t.numbers.join('.')}`;
  return all.filter((o) => o !== tag && o.startsWith(`${version}-`) && o.length > version.length + 1);
}

/** musl or glibc, and whether there is a shell, as far as a suffix says (unknown: glibc with a shell, the Debian default). */
function flavour(suffix: string): { musl: boolean; shell: boolean } {
  const s = suffix.toLowerCase();
  return { musl: /(^|-)alpine/.test(s) || s.includes('musl'), shell: !/distroless|chiseled|nanoserver/.test(s) };
}

/**
 * Whether moving from one tag to the other may change what RUN and the program do: another C
 * library (Alpine's musl for Debian's glibc) or no shell (distroless, chiseled).
 */
export function mayChangeBehaviour(from: string, to: string): string | undefined {
  const a = flavour(parseTag(from)?.suffix ?? from);
  const b = flavour(parseTag(to)?.suffix ?? to);
  if (a.musl !== b.musl) return b.musl ? 'musl instead of glibc' : 'glibc instead of musl';
  if (a.shell && !b.shell) return 'no shell';
  return undefined;
}
