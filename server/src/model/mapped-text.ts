/**
 * Text cut out of a Dockerfile (a RUN's shell script, a heredoc body) that remembers where
 * each of its characters came from, so a finding inside the script lands on the exact
 * Dockerfile range through line continuations, comment lines inside continuations and the
 * `# escape=` character.
 */
export class MappedText {
  private constructor(
    readonly text: string,
    /**
     * Where each character came from, as runs: character `runText[k] + j` of the run is at
     * Dockerfile offset `runDoc[k] + j`. A slice or a logical line is a few runs, where one
     * entry per character made every instruction cost four bytes a character.
     */
    private readonly runText: Int32Array,
    private readonly runDoc: Int32Array,
    /** The Dockerfile offset of the end (one past the last character). */
    private readonly endDoc: number,
  ) {}

  docOffset(index: number): number {
    const i = Math.max(0, Math.min(index, this.text.length));
    if (i === this.text.length) return this.endDoc;
    let lo = 0;
    let hi = this.runText.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runText[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.runDoc[lo]! + (i - this.runText[lo]!);
  }

  /** Dockerfile offsets of [start, end) in this text: the end is one past the last character. */
  docSpan(start: number, end: number): [number, number] {
    if (end <= start) return [this.docOffset(start), this.docOffset(start)];
    return [this.docOffset(start), this.docOffset(end - 1) + 1];
  }

  static concat(parts: MappedText[], separator = '\n'): MappedText {
    if (parts.length === 1) return parts[0]!;
    const b = new Builder();
    parts.forEach((p, i) => {
      if (i > 0) for (let k = 0; k < separator.length; k++) b.add(separator[k]!, p.docOffset(0));
      for (let r = 0; r < p.runText.length; r++) {
        const from = p.runText[r]!;
        const to = r + 1 < p.runText.length ? p.runText[r + 1]! : p.text.length;
        b.add(p.text.slice(from, to), p.runDoc[r]!);
      }
    });
    return MappedText.finish(b, parts.length ? parts[parts.length - 1]!.endDoc : 0);
  }

  private static finish(b: Builder, endDoc: number): MappedText {
    if (!b.runText.length) {
      b.runText.push(0);
      b.runDoc.push(endDoc);
    }
    return new MappedText(b.pieces.join(''), Int32Array.from(b.runText), Int32Array.from(b.runDoc), endDoc);
  }

  /** A slice of the document, with the `\r` of CRLF line ends left out. */
  static slice(doc: string, start: number, end: number): MappedText {
    const b = new Builder();
    let from = start;
    for (let cr = doc.indexOf('\r\n', start); cr >= 0 && cr < end; cr = doc.indexOf('\r\n', cr + 2)) {
      b.add(doc.slice(from, cr), from);
      from = cr + 1;
    }
    b.add(doc.slice(from, end), from);
    return MappedText.finish(b, end);
  }

  /**
   * The logical line BuildKit sees for an instruction's arguments in [start, end): each escape
   * character that ends a line is removed with the newline, and comment or blank lines inside
   * the continuation are dropped.
   */
  static joinContinuations(doc: string, start: number, end: number, escape: string): MappedText {
    const b = new Builder();
    let pos = start;
    let first = true;
    while (pos < end) {
      let lineEnd = doc.indexOf('\n', pos);
      if (lineEnd < 0 || lineEnd > end) lineEnd = end;
      let contentEnd = lineEnd;
      if (contentEnd > pos && doc[contentEnd - 1] === '\r') contentEnd--;
      const line = doc.slice(pos, contentEnd);
      if (!first && /^\s*(#.*)?$/.test(line)) {
        pos = lineEnd + 1;
        continue;
      }
      first = false;
      const m = continuationPattern(escape).exec(line);
      const keep = m && lineEnd < end ? m.index : line.length;
      b.add(line.slice(0, keep), pos);
      // A line that is not continued ends the logical line (only heredoc bodies may follow).
      if (!(m && lineEnd < end)) return MappedText.finish(b, pos + keep);
      pos = lineEnd + 1;
    }
    return MappedText.finish(b, Math.min(pos, end));
  }
}

/** Collects text pieces, each contiguous in the Dockerfile, merging a piece that continues the last run. */
class Builder {
  readonly pieces: string[] = [];
  readonly runText: number[] = [];
  readonly runDoc: number[] = [];
  private length = 0;

  add(piece: string, docStart: number): void {
    if (!piece.length) return;
    const last = this.runText.length - 1;
    if (last < 0 || this.runDoc[last]! + (this.length - this.runText[last]!) !== docStart) {
      this.runText.push(this.length);
      this.runDoc.push(docStart);
    }
    this.pieces.push(piece);
    this.length += piece.length;
  }
}

const patterns = new Map<string, RegExp>();

function continuationPattern(escape: string): RegExp {
  let p = patterns.get(escape);
  if (!p) patterns.set(escape, (p = new RegExp(`${escapeRegExp(escape)}[ \\t]*$`)));
  return p;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
