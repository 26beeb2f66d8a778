import { pathToFileURL } from 'node:url';
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver-types';
import type { Fix } from '../rules/rule';
import type { ParsedDocument } from './document';
import type { RuleDiagnosticData } from './rule-runner';

export const SHOW_RULE_DOCS_COMMAND = 'layerwise.showRuleDocumentation';
/** The server's own way to open a rule's page, for clients that cannot run the VS Code client's. */
export const SERVER_RULE_DOCS_COMMAND = 'layerwise.server.showRuleDocumentation';

function dataOf(d: Diagnostic): RuleDiagnosticData | undefined {
  const data = d.data as Partial<RuleDiagnosticData> | undefined;
  return data && typeof data.rule === 'string' && d.source === 'layerwise' ? (data as RuleDiagnosticData) : undefined;
}

/**
 * Code actions for rule diagnostics: the rule's own fixes (safe ones preferred), ignoring the
 * rule for the instruction or the file with a `# layerwise ignore=` comment, and its documentation.
 */
export function ruleCodeActions(doc: ParsedDocument, diagnostics: Diagnostic[], docsCommand: string = SHOW_RULE_DOCS_COMMAND): CodeAction[] {
  const actions: CodeAction[] = [];
  const text = doc.text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const seenRules = new Set<string>();
  for (const d of diagnostics) {
    const data = dataOf(d);
    if (!data) continue;
    for (const fix of data.fixes) {
      actions.push({
        title: fix.safe ? fix.title : `${fix.title} (may change behaviour)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: fix.safe,
        edit: workspaceEditOf(doc, fix),
      });
    }
    const instruction = doc.dockerfile.getInstructions().find((i) => i.getRange().start.line <= d.range.start.line && d.range.start.line <= i.getRange().end.line);
    if (instruction) {
      const line = instruction.getRange().start.line;
      const lineText = doc.textDocument.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
      const indent = /^[ \t]*/.exec(lineText)?.[0] ?? '';
      const above = line > 0 ? doc.textDocument.getText({ start: { line: line - 1, character: 0 }, end: { line, character: 0 } }) : '';
      const existing = /^([ \t]*#\s*layerwise\s+ignore\s*=\s*)([^#\r\n]*?)(\s*(?:#.*)?)\r?$/m.exec(above.replace(/\r?\n$/, ''));
      let edit: TextEdit;
      if (existing) {
        const end = existing[1]!.length + existing[2]!.length;
        edit = { range: { start: { line: line - 1, character: end }, end: { line: line - 1, character: end } }, newText: `,${data.rule}` };
      } else {
        edit = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}# layerwise ignore=${data.rule}${eol}` };
      }
      actions.push({ title: `Ignore ${data.rule} for this instruction`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [doc.uri]: [edit] } } });
    }
    if (seenRules.has(data.rule)) continue;
    seenRules.add(data.rule);
    const firstInstruction = doc.dockerfile.getInstructions()[0]?.getRange().start.line ?? 0;
    const directives = doc.dockerfile.getDirectives();
    const at = directives.length ? directives[directives.length - 1]!.getRange().end.line + 1 : Math.min(firstInstruction, 0);
    actions.push({
      title: `Ignore ${data.rule} in this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      edit: { changes: { [doc.uri]: [{ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: `# layerwise global ignore=${data.rule}${eol}` }] } },
    });
    actions.push({
      title: `Show documentation for ${data.rule}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      command: { title: `Show documentation for ${data.rule}`, command: docsCommand, arguments: [data.rule] },
    });
  }
  return actions;
}

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.layerwise`;

/**
 * Every safe fix of the given diagnostics that does not overlap another, as one edit list.
 * Unsafe fixes (those that may change what the image does) are never included.
 */
export function fixAllEdits(diagnostics: Diagnostic[]): TextEdit[] {
  const taken: TextEdit[] = [];
  const overlaps = (a: TextEdit, b: TextEdit): boolean => {
    const before = (p: TextEdit['range']['start'], q: TextEdit['range']['start']): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
    const same = (p: TextEdit['range']['start'], q: TextEdit['range']['start']): boolean => p.line === q.line && p.character === q.character;
    // Two insertions at the same point would interleave; two ranges that share more than an end point overlap.
    if (same(a.range.start, b.range.start)) return true;
    return before(a.range.start, b.range.end) && before(b.range.start, a.range.end);
  };
  for (const d of diagnostics) {
    const data = dataOf(d);
    for (const fix of data?.fixes ?? []) {
      if (!fix.safe || fix.files?.length) continue;
      if (fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
      taken.push(...fix.edits);
      break;
    }
  }
  return taken;
}

export function fixAllAction(doc: ParsedDocument, diagnostics: Diagnostic[]): CodeAction | undefined {
  const edits = fixAllEdits(diagnostics);
  if (!edits.length) return undefined;
  return { title: 'Fix all auto-fixable Layerwise problems', kind: FIX_ALL_KIND, edit: { changes: { [doc.uri]: edits } } };
}

/** A fix as a WorkspaceEdit: creating files needs `documentChanges`, plain edits use `changes`. */
export function workspaceEditOf(doc: ParsedDocument, fix: Fix): WorkspaceEdit {
  if (!fix.files?.length) return { changes: { [doc.uri]: fix.edits } };
  const documentChanges: NonNullable<WorkspaceEdit['documentChanges']> = [];
  if (fix.edits.length) documentChanges.push({ textDocument: { uri: doc.uri, version: doc.version }, edits: fix.edits });
  for (const f of fix.files) {
    const uri = pathToFileURL(f.path).href;
    if (f.create) documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
    documentChanges.push({ textDocument: { uri, version: null }, edits: f.edits });
  }
  return { documentChanges };
}
