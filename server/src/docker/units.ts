/**
 * Sizes the way `docker images` and `docker history` print them (decimal units, three
 * significant digits: 49152 → "49.2 kB"), with a space before the unit.
 */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  let text = unit === 0 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
  // Rounding can carry into the next unit (999.96 kB → "1000 kB"): move up instead.
  if (Number(text) >= 1000 && unit < UNITS.length - 1) {
    unit++;
    text = String(Number((value / 1000).toPrecision(3)));
  }
  return `${text} ${UNITS[unit]}`;
}

/** A share of the image: "42%", "2.4%", "<0.1%". */
export function share(part: number, total: number): string {
  if (total <= 0 || part <= 0) return '0%';
  const pct = (part / total) * 100;
  if (pct < 0.1) return '<0.1%';
  if (pct < 10) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}
