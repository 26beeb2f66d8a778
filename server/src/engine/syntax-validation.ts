import { validate, ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { ParsedDocument } from './document';
import { heredocBodies, rangeContains } from './heredocs';

/**
 * The syntax and instruction checks of `dockerfile-utils`, corrected where they disagree with
 * BuildKit: a Dockerfile that `docker build` accepts must not get an error. Each correction
 * names the BuildKit behaviour it follows.
 */
export const SYNTAX_SOURCE = 'layerwise';
const VALIDATOR_SETTINGS: ValidatorSettings = {
  // BuildKit builds these; they are style, and our own rules cover them with docs and aliases.
  deprecatedMaintainer: ValidationSeverity.IGNORE,
  instructionCasing: ValidationSeverity.WARNING,
  directiveCasing: ValidationSeverity.WARNING,
  emptyContinuationLine: ValidationSeverity.WARNING,
  instructionCmdMultiple: ValidationSeverity.IGNORE,
  instructionEntrypointMultiple: ValidationSeverity.IGNORE,
  instructionHealthcheckMultiple: ValidationSeverity.IGNORE,
  instructionJSONInSingleQuotes: ValidationSeverity.WARNING,
  instructionWorkdirRelative: ValidationSeverity.WARNING,
};

/** Flags that BuildKit's Dockerfile frontend accepts and `dockerfile-utils` 0.16 does not know. */
const BUILDKIT_FLAGS: Record<string, readonly string[]> = {
  ADD: ['unpack'],
};

export function syntaxDiagnostics(doc: ParsedDocument, onError?: (error: unknown) => void): Diagnostic[] {
  let raw: Diagnostic[];
  try {
    raw = validate(doc.analysisText, VALIDATOR_SETTINGS);
  } catch (e) {
    // dockerfile-utils throws on some inputs (a stage named `constructor`); the rules still run.
    onError?.(e);
    return [];
  }
  const opaque = heredocBodies(doc.dockerfile, (r) => doc.textDocument.getText(r)).filter((h) => !h.expands);
  const out: Diagnostic[] = [];
  for (const d of raw) {
    if (opaque.some((h) => rangeContains(h.range, d.range))) continue;
    const code = typeof d.code === 'number' ? d.code : -1;
    const covered = doc.textDocument.getText(d.range);
    if (code === ValidationCode.UNKNOWN_ADD_FLAG || code === ValidationCode.UNKNOWN_COPY_FLAG) {
      const keyword = code === ValidationCode.UNKNOWN_ADD_FLAG ? 'ADD' : 'COPY';
      const name = covered.replace(/^--/, '').split('=')[0] ?? '';
      if (BUILDKIT_FLAGS[keyword]?.includes(name)) continue;
    }
    // Rules report these with docs, aliases and fixes: copy-multi-source-no-slash (DL3021),
    // onbuild-trigger-disallowed (DL3043), instruction-before-from (DL3061, when a FROM follows).
    if (code === ValidationCode.INVALID_DESTINATION || code === ValidationCode.ONBUILD_CHAINING_DISALLOWED || code === ValidationCode.ONBUILD_TRIGGER_DISALLOWED) continue;
    if (code === ValidationCode.NO_SOURCE_IMAGE && doc.dockerfile.getFROMs().length > 0) continue;
    if (code === ValidationCode.FLAG_LESS_THAN_1MS && isZeroDuration(flagValueAfter(doc, d))) continue; // BuildKit: 0 means "inherit"
    if (code === ValidationCode.FLAG_AT_LEAST_ONE && /\bretries\b/.test(d.message) && /\(not 0\)/.test(d.message)) continue; // BuildKit only rejects negative retries
    const adjusted: Diagnostic = { ...d, source: SYNTAX_SOURCE, code: syntaxCodeName(code) };
    out.push(adjusted);
  }
  return out;
}

/** `UNKNOWN_ADD_FLAG` → `syntax/unknown-add-flag`: a readable code that maps back to the library's number. */
export function syntaxCodeName(code: number): string {
  const name = ValidationCode[code];
  return name ? `syntax/${name.toLowerCase().replace(/_/g, '-')}` : 'syntax';
}

export function syntaxCodeNumber(code: unknown): number | undefined {
  if (typeof code !== 'string' || !code.startsWith('syntax/')) return undefined;
  const key = code.slice('syntax/'.length).toUpperCase().replace(/-/g, '_') as keyof typeof ValidationCode;
  const n = ValidationCode[key];
  return typeof n === 'number' ? n : undefined;
}

/** The `=value` that follows a flag name whose range a diagnostic covers. */
function flagValueAfter(doc: ParsedDocument, d: Diagnostic): string {
  const rest = doc.textDocument.getText({ start: d.range.end, end: { line: d.range.end.line + 1, character: 0 } });
  return /^=(\S*)/.exec(rest)?.[1] ?? '';
}

function isZeroDuration(value: string): boolean {
  return /^0+(?:\.0+)?(?:ns|us|µs|ms|s|m|h)?$/.test(value);
}
