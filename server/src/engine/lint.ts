import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { LayerwiseSettings } from '../config';
import type { ParsedDocument } from './document';
import { syntaxDiagnostics } from './syntax-validation';

/** Files with a NUL byte in their first 8 KiB are treated as binary and not analysed. */
export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

/** Every diagnostic the engine reports for one document version. */
export function lintDocument(doc: ParsedDocument, settings: LayerwiseSettings): Diagnostic[] {
  if (looksBinary(doc.text)) {
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        source: 'layerwise',
        code: 'binary-file',
        message: 'This file looks binary (it contains NUL bytes), so Layerwise does not analyse it.',
      },
    ];
  }
  return settings.validation.enable ? syntaxDiagnostics(doc) : [];
}
