import { ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { declarations, type Inst, type Model } from '../model/model';
import { readReference, VarScope } from '../model/variables';
import { inheritedVars, splitWords } from '../rules/lib/buildkit-checks';
import type { ParsedDocument } from './document';
import { heredocBodies, rangeContains } from './heredocs';
import { ReusingValidator } from './validator-reuse';

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

const validator = new ReusingValidator(VALIDATOR_SETTINGS);

export function syntaxDiagnostics(doc: ParsedDocument, onError?: (error: unknown) => void): Diagnostic[] {
  let raw: Diagnostic[];
  const { text, renamed } = defuseStageNames(doc);
  try {
    raw = validator.validate(doc.uri, text, doc.textDocument);
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
    if (code === ValidationCode.INVALID_BUILD_STAGE_NAME) {
      const original = renamed.get(d.range.start.line);
      if (original) d.message = d.message.split(original.defused).join(original.name);
      // Measured: BuildKit and the classic builder reject `AS platform-arm/v6`, buildah (podman 4.3) builds it.
      if (isContainerfile(doc.uri)) {
        d.severity = DiagnosticSeverity.Warning;
        d.message += ' (docker build rejects it; buildah and podman build accept it)';
      }
    }
    const corrected = VARIABLE_CHECKS.has(code) ? correctVariableCheck(doc, d, code) : d;
    if (!corrected) continue;
    const adjusted: Diagnostic = { ...corrected, source: SYNTAX_SOURCE, code: syntaxCodeName(code) };
    out.push(adjusted);
  }
  out.push(...lexerErrors(doc, out));
  return out;
}

/**
 * What BuildKit's lexer rejects and dockerfile-utils does not see, each measured with `docker build` on
 * Docker 20.10: an ARG or ENV value it cannot read (`ENV A=${}`; `ARG A=${B:-a b}`, which the parser
 * splits into `A=${B:-a` and `b}` before expanding), and a variable in `COPY --from=busybox:${TAG}`
 * ("invalid reference format": --from is never expanded).
 */
function lexerErrors(doc: ParsedDocument, found: readonly Diagnostic[]): Diagnostic[] {
  const model = doc.model();
  const escape = model.escape;
  const out: Diagnostic[] = [];
  const reported = (range: Diagnostic['range']): boolean =>
    found.some((d) => d.range.start.line === range.start.line && d.range.start.character <= range.end.character && range.start.character <= d.range.end.character);
  const add = (d: Diagnostic): void => {
    if (!reported(d.range)) out.push(d);
  };
  for (const inst of model.instructions) {
    if (inst.keyword === 'ARG' || inst.keyword === 'ENV') {
      for (const { text: value, start } of declarationValues(inst, escape)) {
        const ref = references(value, escape).find((r) => r.error);
        if (!ref) continue;
        const [s, e] = inst.argsText.docSpan(start + ref.start, start + ref.end);
        // BuildKit 20.10 skips a global ARG it cannot read unless FROM uses it; the classic builder fails.
        const global = !inst.stage.from;
        add({
          range: { start: doc.textDocument.positionAt(s), end: doc.textDocument.positionAt(e) },
          severity: global ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
          source: SYNTAX_SOURCE,
          code: syntaxCodeName(ValidationCode.UNSUPPORTED_MODIFIER),
          message: `failed to process "${value}": ${ref.error}${global ? ' (the classic builder fails here; BuildKit on Docker 20.10 builds the file)' : ''}`,
        });
      }
    }
    if (inst.keyword === 'COPY') {
      const from = inst.flags.find((f) => f.name === 'from');
      if (!from?.value || !from.valueRange || !from.value.includes('$')) continue;
      if (new VarScope().expand(from.value, { escape, quotes: 'remove', closed: true }).text === from.value) continue;
      const d = fromFlagVariable(doc, { range: from.valueRange, severity: DiagnosticSeverity.Error, source: SYNTAX_SOURCE, message: '' }, escape);
      add({ ...d, code: syntaxCodeName(ValidationCode.FLAG_INVALID_FROM_VALUE) });
    }
  }
  return out;
}

/** The values of an ARG or ENV as BuildKit's parser splits them, with their offsets in `argsText`. */
function declarationValues(inst: Inst, escape: string): { text: string; start: number }[] {
  const text = inst.argsText.text;
  const lead = text.length - text.trimStart().length;
  if (inst.keyword === 'ENV' && !/^[^\s=]+=/.test(text.trim())) {
    const m = /^(\S+\s+)(\S[\s\S]*?)\s*$/.exec(text.trim());
    return m ? [{ text: m[2]!, start: lead + m[1]!.length }] : [];
  }
  return splitWords(text, escape).flatMap((w) => {
    const eq = w.text.indexOf('=');
    return eq < 0 ? [] : [{ text: w.text.slice(eq + 1), start: w.start + eq + 1 }];
  });
}

/**
 * dockerfile-utils checks a stage name with `^[a-z]([a-z0-9_\-.]*)*$`, which backtracks
 * exponentially on a long name with a bad character near its end (30 characters: 30 s). It tests
 * FROM's third argument whether or not the second is AS (`FROM image \ A=1 B=2`, a fuzz find: 10 s).
 * An invalid one is handed to it with a first character that fails at once (same length, same
 * offsets), and its message gets the name back.
 */
export function defuseStageNames(doc: ParsedDocument): { text: string; renamed: Map<number, { name: string; defused: string }> } {
  const renamed = new Map<number, { name: string; defused: string }>();
  const source = doc.analysisText;
  const parts: string[] = [];
  let done = 0;
  for (const from of doc.dockerfile.getFROMs()) {
    const third = from.getArguments()[2];
    const name = third?.getValue();
    if (!third || !name || /^[a-z][a-z0-9_\-.]*$/.test(name.toLowerCase())) continue;
    const at = doc.textDocument.offsetAt(third.getRange().start);
    parts.push(source.slice(done, at), '!');
    done = at + 1;
    renamed.set(third.getRange().start.line, { name: name.toLowerCase(), defused: `!${name.slice(1).toLowerCase()}` });
  }
  return { text: parts.length ? parts.join('') + source.slice(done) : source, renamed };
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
  return /^0+(?:\.0+)?(?:ns|us|\u00b5s|ms|s|m|h)?$/.test(value);
}

/**
 * dockerfile-utils reads `${...}` with a parser of its own that stops at the first `}` and knows
 * only `-`, `+` and `?`, and it expands variables without modifiers. These checks are redone
 * with BuildKit's lexer (model/variables.ts).
 */
const VARIABLE_CHECKS = new Set<number>([
  ValidationCode.UNSUPPORTED_MODIFIER,
  ValidationCode.BASE_NAME_EMPTY,
  ValidationCode.INVALID_SIGNAL,
  ValidationCode.INVALID_PORT,
  ValidationCode.FLAG_INVALID_FROM_VALUE,
]);

/** Instructions whose arguments BuildKit never expands (RUN, CMD and ENTRYPOINT are the shell's). */
const NOT_EXPANDED = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'SHELL', 'MAINTAINER', 'ONBUILD']);

/** The diagnostic as BuildKit would have it, or undefined when BuildKit accepts the file. */
function correctVariableCheck(doc: ParsedDocument, d: Diagnostic, code: number): Diagnostic | undefined {
  const model = doc.model();
  const at = doc.textDocument.offsetAt(d.range.start);
  const outer = model.instructions.find((i) => doc.textDocument.offsetAt(i.range.start) <= at && at <= doc.textDocument.offsetAt(i.range.end));
  if (!outer) return d;
  const inst = outer.trigger && at >= doc.textDocument.offsetAt(outer.trigger.range.start) ? outer.trigger : outer;
  switch (code) {
    case ValidationCode.UNSUPPORTED_MODIFIER:
      return unsupportedModifier(doc, d, inst, at, model.escape);
    case ValidationCode.BASE_NAME_EMPTY:
      return baseNameEmpty(model, d, inst);
    case ValidationCode.INVALID_SIGNAL:
      return expandsTo(inst, inst.argsText.text, model.escape, (words) => words.length === 1 && isSignal(words[0]!)) ? undefined : withExpanded(d, inst, model.escape);
    case ValidationCode.INVALID_PORT:
      return expandsTo(inst, doc.textDocument.getText(d.range), model.escape, (words) => words.every((w) => PORT.test(w))) ? undefined : d;
    case ValidationCode.FLAG_INVALID_FROM_VALUE:
      return fromFlagVariable(doc, d, model.escape);
  }
  return d;
}

/**
 * BuildKit rejects a reference only in the instructions it expands, outside single quotes, when
 * its own lexer cannot read it; `${v/p/r}`, `${v#p}`, `${v%%p}` and words nested in words are fine.
 * An ONBUILD trigger is expanded by the builds FROM this image, not by this one: a warning.
 */
function unsupportedModifier(doc: ParsedDocument, d: Diagnostic, inst: Inst, at: number, escape: string): Diagnostic | undefined {
  if (NOT_EXPANDED.has(inst.keyword)) return undefined;
  const text = inst.argsText.text;
  // The first character at or after the finding (document offsets grow along the text).
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (inst.argsText.docOffset(mid) < at) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= text.length) return d;
  const index = lo;
  let refs = REFERENCES.get(inst);
  if (!refs) REFERENCES.set(inst, (refs = references(text, escape)));
  const ref = refs.find((r) => r.start <= index && index < r.end);
  if (!ref?.error) return undefined;
  const [start, end] = inst.argsText.docSpan(ref.start, ref.end);
  const corrected: Diagnostic = {
    ...d,
    range: { start: doc.textDocument.positionAt(start), end: doc.textDocument.positionAt(end) },
    message: `failed to process "${text.slice(ref.start, ref.end)}": ${ref.error}`,
  };
  if (!inst.inOnbuild) return corrected;
  return { ...corrected, severity: DiagnosticSeverity.Warning, message: `${corrected.message} (when an image built FROM this one runs the ONBUILD trigger)` };
}

/**
 * BuildKit rejects any variable in `COPY --from` (it lexes the value with no variable set and
 * compares); buildah, which also builds a Containerfile, expands it: there it is a warning.
 */
function fromFlagVariable(doc: ParsedDocument, d: Diagnostic, escape: string): Diagnostic {
  const value = doc.textDocument.getText(d.range);
  if (!value.includes('$') || new VarScope().expand(value, { escape, quotes: 'remove', closed: true }).text === value) return d;
  const message = 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround';
  if (!isContainerfile(doc.uri)) return { ...d, message };
  return { ...d, severity: DiagnosticSeverity.Warning, message: `${message} (docker build rejects it; buildah and podman build expand it)` };
}

/** A file buildah and podman build too (`Containerfile`, `Containerfile.dev`). */
function isContainerfile(uri: string): boolean {
  return /(^|\/)(containerfile[^/]*|[^/]*\.containerfile)$/i.test(uri);
}

/** Per instruction, once: a line with many flagged references is read once, not once per finding. */
const REFERENCES = new WeakMap<Inst, Reference[]>();

interface Reference {
  start: number;
  end: number;
  error?: string;
}

/** The `${...}` references BuildKit's lexer reads in an instruction's arguments: none inside single quotes. */
function references(text: string, escape: string): Reference[] {
  const out: Reference[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      continue;
    }
    if (c === escape) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = quote === c ? undefined : (quote ?? c);
      continue;
    }
    if (c !== '$' || text[i + 1] !== '{') continue;
    const ref = readReference(text, i, escape);
    out.push({ start: i, ...ref });
    i = Math.max(i, ref.end - 1);
  }
  return out;
}

/**
 * `FROM ${X}` is blank only when the global ARGs make it so: an ARG without a default may be
 * passed with --build-arg, and `${X:-image}`, `${X#p}` or `${X/p/r}` of a declared X are not blank.
 */
function baseNameEmpty(model: Model, d: Diagnostic, inst: Inst): Diagnostic | undefined {
  const base = model.stages.find((s) => s.from === inst)?.base;
  if (!base) return d;
  const scope = new VarScope();
  for (const arg of model.globalArgs) {
    for (const [name, value] of declarations(arg)) {
      if (value === undefined) {
        if (!scope.has(name)) scope.set(name, { kind: 'arg', value: undefined });
        continue;
      }
      const e = scope.expand(value, { escape: model.escape, closed: true });
      scope.set(name, { kind: 'arg', value: e.certain ? e.text : undefined });
    }
  }
  for (const name of AUTOMATIC_ARGS) if (!scope.has(name)) scope.set(name, { kind: 'predefined', value: undefined });
  const e = scope.expand(base.raw, { escape: model.escape, quotes: 'remove', closed: true });
  if (e.error) return { ...d, message: e.error };
  return e.certain && e.text === '' ? d : undefined;
}

/** ARGs BuildKit sets in FROM's scope whatever the Dockerfile says. */
const AUTOMATIC_ARGS = ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'TARGETOSVERSION', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'BUILDOSVERSION', 'TARGETSTAGE'];

/** Whether `text` in `inst`, as BuildKit expands and splits it, passes `ok`; an unknown value passes. */
function expandsTo(inst: Inst, text: string, escape: string, ok: (words: string[]) => boolean): boolean {
  let e = inst.scope.expandWords(text, { escape });
  if (!e.certain && e.unresolved.length === 0) {
    // Names nobody declared: unset, where the base image is one whose ENV is known and lacks them.
    const known = inheritedVars(inst.stage);
    if (known && e.undeclared.every((n) => !known.has(n))) e = inst.scope.expandWords(text, { escape, closed: true });
  }
  if (e.error) return false;
  return !e.certain || ok(e.words.map((w) => w.text));
}

/** dockerfile-utils names the value it could not expand as empty: say what BuildKit gets. */
function withExpanded(d: Diagnostic, inst: Inst, escape: string): Diagnostic {
  const e = inst.scope.expand(inst.argsText.text.trim(), { escape, quotes: 'remove' });
  return e.certain && /: $/.test(d.message) ? { ...d, message: d.message + e.text } : d;
}

/** `[ip:][hostPort:]containerPort[-end][/proto]` as dockerfile-utils checks it after expansion. */
const PORT = /^([0-9])+(-[0-9]+)?(:([0-9])+(-[0-9]*)?)?(\/(\w*))?(\/\w*)*$/;

/** moby's signal.ParseSignal: a number above 0 or a Linux signal name, with or without SIG. */
function isSignal(value: string): boolean {
  if (/^[+-]?\d+$/.test(value)) return Number(value) > 0;
  return SIGNALS.has(value.toUpperCase().replace(/^SIG/, ''));
}

const SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT',
  'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ',
  ...Array.from({ length: 31 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 30 }, (_, i) => `RTMAX-${i + 1}`),
  'RTMIN', 'RTMAX',
]);
