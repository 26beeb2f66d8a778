import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';

export type FindingSeverity = 'error' | 'warning' | 'info';

/** A diagnostic as the command line reports it: 1-based lines and columns. */
export interface Finding {
  file: string;
  rule: string;
  aliases: string[];
  severity: FindingSeverity;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export function toFinding(file: string, d: Diagnostic): Finding {
  const data = d.data as { aliases?: string[] } | undefined;
  return {
    file,
    rule: typeof d.code === 'string' ? d.code : String(d.code ?? 'unknown'),
    aliases: data?.aliases ?? [],
    severity: severityName(d.severity),
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    message: d.message,
  };
}

function severityName(s: DiagnosticSeverity | undefined): FindingSeverity {
  if (s === DiagnosticSeverity.Error) return 'error';
  if (s === DiagnosticSeverity.Warning) return 'warning';
  return 'info';
}
