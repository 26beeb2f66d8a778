/**
 * Text cut out of a Dockerfile (a RUN's shell script, a heredoc body) that remembers where
 * each of its characters came from, so a finding inside the script lands on the exact
 * Dockerfile range through line continuations, comment lines inside continuations and the
 * `# escape=` character.
 */
export class MappedText {
  private constructor(
    readonly text: string,
    /** Dockerfile offset of each character of `text`, plus one entry for the end. */
    private readonly offsets: Int32Array,
  ) {}

  docOffset(index: number): number {
    const i = Math.max(0, Math.min(index, this.offsets.length - 1));
    return this.offsets[i]!;
  }

  /** Dockerfile offsets of [start, end) in this text: the end is one past the last character. */
  docSpan(start: number, end: number): [number, number] {
    if (end <= start) return [this.docOffset(start), this.docOffset(start)];
    return [this.docOffset(start), this.docOffset(end - 1) + 1];
  }

  static concat(parts: MappedText[], separator = '\n'): MappedText {
    if (parts.length === 1) return parts[0]!;
    let text = '';
    const offsets: number[] = [];
    parts.forEach((p, i) => {
      if (i > 0) {
        text += separator;
        for (let k = 0; k < separator.length; k++) offsets.push(p.docOffset(0));
      }
      text += p.text;
      for (let k = 0; k < p.text.length; k++) offsets.push(p.offsets[k]!);
    });
    offsets.push(parts.length ? parts[parts.length - 1]!.docOffset(parts[parts.length - 1]!.text.length) : 0);
    return new MappedText(text, Int32Array.from(offsets));
  }

  /** A slice of the document, with the `\r` of CRLF line ends left out. */
  static slice(doc: string, start: number, end: number): MappedText {
    let text = '';
    const offsets: number[] = [];
    for (let i = start; i < end; i++) {
      if (doc[i] === '\r' && doc[i + 1] === '\n') continue;
      text += doc[i];
      offsets.push(i);
    }
    offsets.push(end);
    return new MappedText(text, Int32Array.from(offsets));
  }

  /**
   * The logical line BuildKit sees for an instruction's arguments in [start, end): each escape
   * character that ends a line is removed with the newline, and comment or blank lines inside
   * the continuation are dropped.
   */
  static joinContinuations(doc: string, start: number, end: number, escape: string): MappedText {
    let text = '';
    const offsets: number[] = [];
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
      for (let i = 0; i < keep; i++) {
        text += line[i];
        offsets.push(pos + i);
      }
      if (!(m && lineEnd < end)) {
        // A line that is not continued ends the logical line (only heredoc bodies may follow).
        offsets.push(pos + keep);
        return new MappedText(text, Int32Array.from(offsets));
      }
      pos = lineEnd + 1;
    }
    offsets.push(Math.min(pos, end));
    return new MappedText(text, Int32Array.from(offsets));
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
