/**
 * The bodies of COPY/ADD heredocs with a quoted delimiter (`COPY <<"EOF" /x.sh`) are file
 * content that BuildKit copies as it is: no variable, no instruction, nothing to check. On a large
 * Dockerfile they are most of the text (66 of 94 KB in airflow's), and dockerfile-ast and its
 * validator spend most of their time walking them. The engine parses a copy of the text in which
 * those bodies are blanked out (every character but line breaks turned into a space), so offsets
 * and lines stay the same; rules read the bodies from the real text.
 */
const MARKER = /^[ \t]*(?:COPY|ADD)\b[^\n]*?<<(-?)(["'])([A-Za-z0-9_.-]+)\2/i;

/** Blanked bodies of recent versions (an edit elsewhere leaves a body as it was), up to this many characters. */
const KEPT_BODY_CHARS = 1 << 20;
const keptBodies = new Map<string, string>();
let keptChars = 0;

function flatCopy(s: string): string {
  return (` ${s}`).slice(1);
}

/** Every character but CR and LF turned into a space: whole lines at a time. */
function blank(body: string): string {
  const kept = keptBodies.get(body);
  if (kept !== undefined) return kept;
  const blanked = body
    .split('\n')
    .map((line) => (line.endsWith('\r') ? ' '.repeat(line.length - 1) + '\r' : ' '.repeat(line.length)))
    .join('\n');
  if (body.length * 2 > KEPT_BODY_CHARS) return blanked;
  // A copy: a slice would keep the whole text of its version alive.
  keptBodies.set(flatCopy(body), blanked);
  keptChars += body.length * 2;
  for (const [k, v] of keptBodies) {
    if (keptChars <= KEPT_BODY_CHARS) break;
    keptBodies.delete(k);
    keptChars -= k.length + v.length;
  }
  return blanked;
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
  // Only lines with a `<<` can hold a marker: indexOf finds them, the pattern reads each once.
  for (let from = 0, at = text.indexOf('<<'); at >= 0; at = text.indexOf('<<', from)) {
    const start = text.lastIndexOf('\n', at - 1) + 1;
    const { content: line, end: lineEnd } = lineAt(text, start);
    from = lineEnd + 1;
    const m = MARKER.exec(line);
    if (!m) continue;
    if (start > 0 && continues(lineAt(text, text.lastIndexOf('\n', start - 2) + 1).content)) continue;
    if (continues(line) || line.indexOf('<<', m[0].length) >= 0) continue;
    const name = m[3]!.replace(/\./g, '\\.');
    const terminator = new RegExp(`\\n${m[1] === '-' ? '\\t*' : ''}${name}\\r?(?=\\n|$)`, 'g');
    terminator.lastIndex = lineEnd;
    const t = terminator.exec(text);
    if (!t) continue;
    const bodyEnd = t.index + 1;
    parts.push(text.slice(done, lineEnd + 1));
    parts.push(blank(text.slice(lineEnd + 1, bodyEnd)));
    done = bodyEnd;
    from = t.index + t[0].length;
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
