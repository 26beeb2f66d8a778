/**
 * What each line of a Dockerfile is, decided the way BuildKit's parser decides it
 * (moby/buildkit frontend/dockerfile/parser/parser.go): parser directives at the top, the escape
 * character, continuation lines, the comment and empty lines dropped inside a continuation, and
 * heredoc bodies read after the instruction. The grammar test checks the TextMate grammar against it.
 */

export type LineKind =
  | 'directive'
  | 'comment'
  | 'blank'
  | 'instruction'
  | 'continuation'
  | 'continuation-comment'
  | 'continuation-blank'
  | 'heredoc-body'
  | 'heredoc-end';

export interface LineInfo {
  kind: LineKind;
  /** The instruction the line belongs to, upper case (for ONBUILD X: X). */
  keyword?: string;
  /** Column of the keyword on an instruction line. */
  keywordColumn?: number;
  /** Heredoc lines: the heredoc is the first word of a RUN (its body is a script). */
  heredocFirst?: boolean;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const VALID_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;

/** Words as BuildKit's shell lexer splits a line (quotes kept, escapes kept): enough to find heredoc words. */
function words(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      word += c;
      if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    word += c;
    if (c === '\\' && i + 1 < line.length) word += line[++i];
    else if (c === '"' || c === "'") quote = c;
  }
  if (inWord) out.push(word);
  return out;
}

function unquote(word: string): string {
  return word.replace(/\\(.)/g, '$1').replace(/["']/g, '');
}

export interface Heredoc {
  name: string;
  chomp: boolean;
}

export function heredocsOf(line: string): Heredoc[] {
  const docs: Heredoc[] = [];
  for (const w of words(line)) {
    const m = HEREDOC_WORD.exec(w);
    if (!m || !m[3]) continue;
    const rest = words(m[3]);
    if (rest.length !== 1) continue;
    docs.push({ name: unquote(rest[0]!), chomp: m[2] === '-' });
  }
  return docs;
}

function isJsonArray(args: string): boolean {
  if (!args.trimStart().startsWith('[')) return false;
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string');
  } catch {
    return false;
  }
}

/**
 * Classifies every line; returns undefined when BuildKit would reject the file's structure
 * (an unterminated heredoc), since the grammar has no answer to compare with then.
 */
export function classifyLines(text: string): LineInfo[] | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const info: LineInfo[] = lines.map(() => ({ kind: 'blank' }));
  let escape = '\\';
  let directivesDone = false;
  const continuationOf = (line: string): boolean => {
    const e = escape === '\\' ? '\\\\' : '`';
    return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`).test(line);
  };
  const isComment = (raw: string): boolean => /^#/.test(raw.trimStart());

  let i = 0;
  while (i < lines.length) {
    const raw = lines[i]!;
    const trimmed = raw.trimStart();
    if (!directivesDone) {
      const m = DIRECTIVE.exec(trimmed);
      if (m && VALID_DIRECTIVES.has(m[1]!.toLowerCase())) {
        if (m[1]!.toLowerCase() === 'escape') escape = m[2]!;
        info[i] = { kind: 'directive' };
        i++;
        continue;
      }
      directivesDone = true;
    }
    if (trimmed === '') {
      info[i] = { kind: 'blank' };
      i++;
      continue;
    }
    if (isComment(raw)) {
      info[i] = { kind: 'comment' };
      i++;
      continue;
    }
    // An instruction: its first line, then its continuation lines.
    const kwMatch = /^([ \t]*)(\S+)/.exec(raw)!;
    let keyword = kwMatch[2]!.toUpperCase();
    let keywordColumn = kwMatch[1]!.length;
    const stripCont = (l: string): string => l.replace(new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`), '');
    // Keywords end at a blank; a keyword directly followed by the escape character ends there too.
    if (keyword.endsWith(escape)) keyword = keyword.slice(0, -1);
    let logical = stripCont(trimmed);
    let continued = continuationOf(trimmed);
    info[i] = { kind: 'instruction', keyword, keywordColumn };
    const start = i;
    i++;
    while (continued && i < lines.length) {
      const l = lines[i]!;
      if (isComment(l)) {
        info[i] = { kind: 'continuation-comment', keyword };
      } else if (l.trim() === '') {
        info[i] = { kind: 'continuation-blank', keyword };
      } else {
        info[i] = { kind: 'continuation', keyword };
        continued = continuationOf(l);
        logical += continued ? stripCont(l) : l;
      }
      i++;
    }
    let effective = keyword;
    let args = logical.replace(/^\s*\S+/, '');
    if (keyword === 'ONBUILD') {
      const m = /^\s*(\S+)(.*)$/s.exec(args);
      if (m) {
        effective = m[1]!.toUpperCase();
        args = m[2]!;
      }
      info[start]!.keyword = keyword;
    }
    if (!['RUN', 'COPY', 'ADD'].includes(effective)) continue;
    if (isJsonArray(args.trim())) continue;
    // Flags come first; the heredoc is "first" when it is the first word after them.
    const argWords = words(args);
    const firstCommand = argWords.find((w) => !w.startsWith('--'));
    for (const doc of heredocsOf(logical)) {
      const first = effective === 'RUN' && firstCommand !== undefined && HEREDOC_WORD.test(firstCommand) && heredocsOf(firstCommand)[0]?.name === doc.name;
      let terminated = false;
      while (i < lines.length) {
        const l = lines[i]!;
        const candidate = doc.chomp ? l.replace(/^\t+/, '') : l;
        if (candidate === doc.name) {
          info[i] = { kind: 'heredoc-end', keyword: effective, heredocFirst: first };
          i++;
          terminated = true;
          break;
        }
        info[i] = { kind: 'heredoc-body', keyword: effective, heredocFirst: first };
        i++;
      }
      if (!terminated) return undefined;
    }
  }
  return info;
}
