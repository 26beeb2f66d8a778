/**
 * The bodies of COPY/ADD heredocs with a quoted delimiter (`COPY <<"EOF" /x.sh`) are file
 * content that BuildKit copies as it is: no variable, no instruction, nothing to check. On a large
 * Dockerfile they are most of the text (66 of 94 KB in airflow's), and dockerfile-ast and its
 * validator spend most of their time walking them. The engine parses a copy of the text in which
 * those bodies are blanked out (every character but line breaks turned into a space), so offsets
 * and lines stay the same; rules read the bodies from the real text.
 */
const MARKER = /^[ \t]*(?:COPY|ADD)\b[^\n]*?<<(-?)(["'])([A-Za-z0-9_.-]+)\2/gim;

/** Every character but CR and LF turned into a space: whole lines at a time. */
function blank(body: string): string {
  return body
    .split('\n')
    .map((line) => (line.endsWith('\r') ? ' '.repeat(line.length - 1) + '\r' : ' '.repeat(line.length)))
    .join('\n');
}

/** A line without its line break (and the CR before it). */
function lineAt(text: string, start: number): { content: string; end: number } {
  const nl = text.indexOf('\n', start);
  const end = nl < 0 ? text.length : nl;
  return { content: text.slice(start, text[end - 1] === '\r' ? end - 1 : end), end };
}

/**
 * Only the lines the marker pattern finds are looked at (a large file has few): a marker line
 * counts when the line before it does not continue an instruction and it does not continue
 * itself, and its body ends at the first line equal to the delimiter.
 */
export function blankOpaqueHeredocs(text: string): string {
  if (!text.includes('<<')) return text;
  const escape = escapeCharacter(text);
  const continues = (content: string): boolean => !/^\s*#/.test(content) && content.trimEnd().endsWith(escape);
  const parts: string[] = [];
  let done = 0;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) {
    const start = m.index;
    // `^` with the m flag also matches after a lone CR; a line here ends at LF only.
    if ((start > 0 && text[start - 1] !== '\n') || start < done) continue;
    const { content: line, end: lineEnd } = lineAt(text, start);
    MARKER.lastIndex = lineEnd;
    if (start > 0 && continues(lineAt(text, text.lastIndexOf('\n', start - 2) + 1).content)) continue;
    if (continues(line) || line.indexOf('<<', m[0].length) >= 0) continue;
    const stripTabs = m[1] === '-';
    const name = m[3]!;
    let bodyEnd = -1;
    for (let at = lineEnd + 1; at <= text.length && lineEnd < text.length; ) {
      const { content, end } = lineAt(text, at);
      if ((stripTabs ? content.replace(/^\t+/, '') : content) === name) {
        bodyEnd = at;
        break;
      }
      if (end >= text.length) break;
      at = end + 1;
    }
    if (bodyEnd < 0) continue;
    parts.push(text.slice(done, lineEnd + 1));
    parts.push(blank(text.slice(lineEnd + 1, bodyEnd)));
    done = bodyEnd;
    MARKER.lastIndex = bodyEnd + lineAt(text, bodyEnd).content.length;
  }
  if (!parts.length) return text;
  parts.push(text.slice(done));
  return parts.join('');
}

const HEREDOC_INSTRUCTION = /^[ \t]*(?:ONBUILD[ \t]+)?(?:RUN|COPY|ADD)\b/i;
const FD_HEREDOC = /(^|[ \t])(\d+)(?=<<-?[ \t]*["']?[A-Za-z0-9_])/g;

/**
 * BuildKit reads `5<<FILE1` as a heredoc too (its pattern is `^(\d*)<<(-?)([^<]*)$`): the shell
 * gets the body on fd 5. dockerfile-ast only knows `<<FILE1`, and takes the bodies for
 * instructions. The parser gets the fd digits as spaces, so offsets and lines stay the same.
 */
export function blankHeredocFds(text: string): string {
  if (!hasFdHeredoc(text)) return text;
  const escape = escapeCharacter(text);
  const lines = text.split('\n');
  let changed = false;
  let inInstruction = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!inInstruction && !HEREDOC_INSTRUCTION.test(line)) continue;
    const replaced = line.replace(FD_HEREDOC, (_m, before: string, digits: string) => before + ' '.repeat(digits.length));
    if (replaced !== line) {
      lines[i] = replaced;
      changed = true;
    }
    inInstruction = !/^\s*#/.test(line) && line.replace(/\r$/, '').trimEnd().endsWith(escape);
  }
  return changed ? lines.join('\n') : text;
}

/** `/\d<</.test(text)`, with indexOf's speed on a large text. */
function hasFdHeredoc(text: string): boolean {
  for (let at = text.indexOf('<<', 1); at >= 0; at = text.indexOf('<<', at + 2)) {
    const c = text.charCodeAt(at - 1);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function escapeCharacter(text: string): string {
  for (const line of text.split('\n', 32)) {
    const m = /^#\s*escape\s*=\s*(\S)/i.exec(line);
    if (m) return m[1]!;
    if (!/^#\s*\w+\s*=/.test(line)) break;
  }
  return '\\';
}
