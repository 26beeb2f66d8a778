import type { Dockerfile, Heredoc, Instruction } from 'dockerfile-ast';
import type { Range } from 'vscode-languageserver-types';

export interface HeredocBody {
  keyword: string;
  /** From the first body line to the end of the closing delimiter. */
  range: Range;
  /** BuildKit expands variables only in COPY/ADD heredocs whose delimiter is not quoted. */
  expands: boolean;
}

/** `getHeredocs` is public on RUN and COPY only, but dockerfile-ast parses heredocs of every instruction (ADD too). */
function heredocsOf(instruction: Instruction): Heredoc[] {
  return (instruction as unknown as { getHeredocs(): Heredoc[] }).getHeredocs();
}

export function heredocBodies(dockerfile: Dockerfile, textAt: (range: Range) => string): HeredocBody[] {
  const bodies: HeredocBody[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword !== 'RUN' && keyword !== 'COPY' && keyword !== 'ADD') continue;
    for (const heredoc of heredocsOf(instruction)) {
      const content = heredoc.getContentRange();
      const end = heredoc.getDelimiterRange() ?? content;
      if (!content || !end) continue;
      const quoted = /<<-?\s*["']/.test(textAt(heredoc.getStartRange()));
      bodies.push({ keyword, range: { start: content.start, end: end.end }, expands: keyword !== 'RUN' && !quoted });
    }
  }
  return bodies;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** The same range `delta` lines further down (a kept answer moved to where its instruction is now). */
export function linesMoved(range: Range, delta: number): Range {
  return { start: { line: range.start.line + delta, character: range.start.character }, end: { line: range.end.line + delta, character: range.end.character } };
}

export function rangeContains(outer: Range, inner: Range): boolean {
  const afterStart =
    inner.start.line > outer.start.line || (inner.start.line === outer.start.line && inner.start.character >= outer.start.character);
  const beforeEnd = inner.start.line < outer.end.line || (inner.start.line === outer.end.line && inner.start.character <= outer.end.character);
  return afterStart && beforeEnd;
}
