import type { TextEdit } from 'vscode-languageserver-types';
import { withTriggers } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'no-empty-continuation',
    severity: 'warning',
    category: 'maintainability',
    description: 'An instruction continued with `\\` must not contain empty lines.',
    docs: {
      why:
        'Inside an instruction continued with the escape character, the builder skips empty lines, so `RUN apk add \\`, an empty line, ' +
        'and `curl` still install curl. That is deprecated and will become an error in a future release; meanwhile it looks as if the instruction ' +
        'ended at the empty line. Delete the empty line, or put a `#` comment there if it separates groups.',
      bad: 'FROM alpine\nRUN apk add --no-cache \\\n\n    curl',
      good: 'FROM alpine\nRUN apk add --no-cache \\\n    # tools\n    curl',
    },
    fix: 'safe',
    aliases: { buildkit: 'NoEmptyContinuation' },
  },
  (ctx) => {
    const model = ctx.model;
    // The text after the last line break is not a line when it is empty.
    const lines = model.lines.length > 1 && model.lines[model.lines.length - 1] === '' ? model.lines.slice(0, -1) : model.lines;
    const heredocLines = new Set<number>();
    for (const inst of withTriggers(model)) {
      for (const h of inst.heredocs) for (let l = h.range.start.line + 1; l <= h.range.end.line; l++) heredocLines.add(l);
    }
    const esc = model.escape.replace(/[\\\]^-]/g, '\\$&');
    // BuildKit's lineContinuationRegex: the escape character, not itself escaped, at the end of the line.
    const continued = new RegExp(`[^${esc}][${esc}][ \\t]*$`);
    let inInstruction = false;
    let contLine = -1;
    let empties: number[] = [];
    const flush = (): void => {
      if (!empties.length) return;
      const last = empties[empties.length - 1]!;
      const contText = lines[contLine]!;
      const escCol = contText.replace(/[ \t]*$/, '').length - 1;
      const edits: TextEdit[] = empties.map((l) => {
        const start = model.offsetAt({ line: l, character: 0 });
        const end = l + 1 < lines.length ? model.offsetAt({ line: l + 1, character: 0 }) : model.text.length;
        return { range: model.range(start, end), newText: '' };
      });
      ctx.report({
        range: { start: { line: contLine, character: escCol }, end: { line: last, character: lines[last]!.length } },
        message: `Empty ${empties.length > 1 ? 'lines' : 'line'} inside a continued instruction: the builder skips ${empties.length > 1 ? 'them' : 'it'} today, but this is deprecated and will become an error. Delete ${empties.length > 1 ? 'them' : 'it'} (or use a \`#\` comment line).`,
        fixes: [{ title: `Remove the empty continuation ${empties.length > 1 ? 'lines' : 'line'}`, safe: true, edits }],
      });
      empties = [];
    };
    for (let l = 0; l < lines.length; l++) {
      if (heredocLines.has(l)) {
        flush();
        inInstruction = false;
        continue;
      }
      const line = lines[l]!;
      const trimmed = line.trim();
      if (!inInstruction) {
        if (!trimmed || trimmed.startsWith('#')) continue;
        if (continued.test(line.trimStart())) {
          inInstruction = true;
          contLine = l;
        }
        continue;
      }
      if (trimmed.startsWith('#')) continue;
      if (!trimmed) {
        empties.push(l);
        continue;
      }
      flush();
      if (continued.test(line)) contLine = l;
      else inInstruction = false;
    }
    flush();
  },
);
