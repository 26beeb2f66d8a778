/**
 * The instruction of a history entry as the Dockerfile wrote it: `RUN apt-get …` rather than
 * BuildKit's `RUN |1 A=b /bin/sh -c apt-get … # buildkit` or the classic builder's
 * `/bin/sh -c #(nop)  ENV …`. Shared by the report, the findings and `layerwise analyze`; no
 * imports, so the client bundle can take it.
 */
export function instructionLabel(createdBy: string): string {
  let text = createdBy.trim().replace(/\s+# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s+/.exec(text);
  if (nop) return text.slice(nop[0].length).trim();
  if (/^\|\d+ /.test(text)) text = text.replace(/^\|\d+ (?:\S+=\S* )*/, '');
  if (text.startsWith('/bin/sh -c ')) return `RUN ${text.slice('/bin/sh -c '.length)}`;
  const run = /^RUN (?:\|\d+ (?:\S+=\S* )*)?\/bin\/sh -c (.*)$/s.exec(text);
  if (run) text = `RUN ${run[1]}`;
  return text;
}

/** The same on one line, cut to `max` characters. */
export function shortInstruction(createdBy: string, max: number): string {
  const t = instructionLabel(createdBy).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
