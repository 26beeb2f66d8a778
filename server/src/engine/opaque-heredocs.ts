/**
 * The bodies of COPY/ADD heredocs with a quoted delimiter (`COPY <<"EOF" /x.sh`) are file
 * content that BuildKit copies as it is: no variable, no instruction, nothing to check. On a large
 * Dockerfile they are most of the text (66 of 94 KB in airflow's), and dockerfile-ast and its
 * validator spend most of their time walking them. The engine parses a copy of the text in which
 * those bodies are blanked out (every character but line breaks turned into a space), so offsets
 * and lines stay the same; rules read the bodies from the real text.
 */
const MARKER = /^[ \t]*(?:COPY|ADD)\b[^\n]*?<<(-?)(["'])([A-Za-z0-9_.-]+)\2/i;

export function blankOpaqueHeredocs(text: string): string {
  if (!text.includes('<<')) return text;
  const escape = escapeCharacter(text);
  const lines = text.split('\n');
  let changed = false;
  let continued = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const wasContinued = continued;
    continued = !/^\s*#/.test(line) && line.trimEnd().endsWith(escape);
    if (wasContinued) continue;
    const m = MARKER.exec(line);
    // One heredoc on a single-line instruction; anything else is left to the parser as it is.
    if (!m || continued || line.indexOf('<<', m.index + m[0].length) >= 0) continue;
    const stripTabs = m[1] === '-';
    const name = m[3]!;
    let end = i + 1;
    while (end < lines.length) {
      const body = lines[end]!.replace(/\r$/, '');
      if ((stripTabs ? body.replace(/^\t+/, '') : body) === name) break;
      end++;
    }
    if (end >= lines.length) continue;
    for (let k = i + 1; k < end; k++) {
      const original = lines[k]!;
      const cr = original.endsWith('\r') ? '\r' : '';
      const content = cr ? original.slice(0, -1) : original;
      if (content.trim()) {
        lines[k] = ' '.repeat(content.length) + cr;
        changed = true;
      }
    }
    i = end;
  }
  return changed ? lines.join('\n') : text;
}

const HEREDOC_INSTRUCTION = /^[ \t]*(?:ONBUILD[ \t]+)?(?:RUN|COPY|ADD)\b/i;
const FD_HEREDOC = /(^|[ \t])(\d+)(?=<<-?[ \t]*["']?[A-Za-z0-9_])/g;

/**
 * BuildKit reads `5<<FILE1` as a heredoc too (its pattern is `^(\d*)<<(-?)([^<]*)$`): the shell
 * gets the body on fd 5. dockerfile-ast only knows `<<FILE1`, and takes the bodies for
 * instructions. The parser gets the fd digits as spaces, so offsets and lines stay the same.
 */
export function blankHeredocFds(text: string): string {
  if (!/\d<</.test(text)) return text;
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

function escapeCharacter(text: string): string {
  for (const line of text.split('\n', 32)) {
    const m = /^#\s*escape\s*=\s*(\S)/i.exec(line);
    if (m) return m[1]!;
    if (!/^#\s*\w+\s*=/.test(line)) break;
  }
  return '\\';
}
