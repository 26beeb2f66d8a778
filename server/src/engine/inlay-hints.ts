import type { CodeLens, InlayHint, InlayHintLabelPart, MarkupContent, Position, Range } from 'vscode-languageserver-types';
import { MappedText } from '../model/mapped-text';
import { declarations, rootOf, type Inst, type Model, type Stage } from '../model/model';
import { PLATFORM_ARGS, VarScope, type Expansion } from '../model/variables';
import type { ParsedDocument } from './document';

/**
 * Inline hints (LSP `textDocument/inlayHint`) from the rules' model, a pure function of one
 * document version:
 * - after each variable use in the instructions BuildKit expands (and in RUN, whose environment
 *   holds the ARGs and ENVs in scope): the value it has there, `= ?` with the reason where it
 *   cannot be known, never a guess;
 * - after a bare or overridden `ARG`: the value it really takes;
 * - after `FROM <stage>`, `COPY --from=<stage>` and a RUN mount's `from=`: the stage it resolves to;
 * - at the end of an instruction: lenses (layer sizes, re-run shares) the server moved inline.
 */

export interface InlayHintOptions {
  /** `layerwise.buildArgs`: the model was built with them; tooltips say where a value came from. */
  buildArgs: Record<string, string>;
  variables: boolean;
  stages: boolean;
  /** CodeLenses to show at the end of their instruction instead (`layerwise.layers.display`). */
  lenses?: CodeLens[];
  /** Explain each value in a tooltip (default). Off: the client resolves them (`resolveInlayHint`). */
  tooltips?: boolean;
}

/** A hint whose tooltip is written only when asked for: most hints are never hovered. */
type Draft = InlayHint & { explain?: () => MarkupContent };

/** Longer values are cut in the label; the tooltip has them whole. */
const MAX_VALUE = 40;

/** Instructions whose arguments BuildKit expands (RUN is the shell's, handled apart). */
const EXPANDED = new Set(['FROM', 'COPY', 'ADD', 'WORKDIR', 'USER', 'ENV', 'ARG', 'EXPOSE', 'LABEL', 'VOLUME', 'STOPSIGNAL']);
/** Flags whose values BuildKit expands, per instruction. */
const EXPANDED_FLAGS: Record<string, string[]> = { FROM: ['platform'], COPY: ['chown', 'chmod'], ADD: ['chown', 'chmod'] };

export function inlayHints(doc: ParsedDocument, range: Range, options: InlayHintOptions): InlayHint[] {
  const model = doc.model(options.buildArgs);
  const hints: Draft[] = [];
  const inRange = (p: Position): boolean => !before(p, range.start) && !before(range.end, p);
  for (const inst of model.instructions) {
    if (inst.range.end.line < range.start.line || inst.range.start.line > range.end.line) continue;
    if (options.variables) hints.push(...variableHints(model, inst, options.buildArgs));
    if (options.stages) hints.push(...stageHints(model, inst));
  }
  if (options.lenses?.length) hints.push(...lensHints(options.lenses, model));
  return hints
    .filter((h) => inRange(h.position))
    .sort((a, b) => compare(a.position, b.position))
    .map(({ explain, ...h }) => {
      // Inside a word (`${V}-slim`), a gap after the hint keeps the value apart from the text.
      const next = model.text[model.offsetAt(h.position)];
      const padded = next !== undefined && !/\s/.test(next) ? { ...h, paddingRight: true } : h;
      return explain && options.tooltips !== false ? { ...padded, tooltip: explain() } : padded;
    });
}

/** The hint with its tooltip, for `inlayHint/resolve`: the same hint computed again with its explanation. */
export function resolveInlayHint(doc: ParsedDocument, hint: InlayHint, options: InlayHintOptions): InlayHint {
  const line = { start: { line: hint.position.line, character: 0 }, end: { line: hint.position.line + 1, character: 0 } };
  const same = inlayHints(doc, line, { ...options, lenses: undefined, tooltips: true }).find(
    (h) => compare(h.position, hint.position) === 0 && JSON.stringify(h.label) === JSON.stringify(hint.label),
  );
  return same?.tooltip ? { ...hint, tooltip: same.tooltip } : hint;
}

// ---------------------------------------------------------------------------------------------
// Variables

interface Reference {
  /** Offsets in the scanned text. */
  start: number;
  end: number;
  text: string;
}

/**
 * `$NAME` and `${NAME…}` (nested `${…}` included) outside single quotes and not escaped, the way
 * BuildKit's lexer and the shell both skip them.
 */
export function variableReferences(text: string, escape: string): Reference[] {
  const out: Reference[] = [];
  let single = false;
  let double = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (single) {
      if (c === "'") single = false;
      continue;
    }
    if (c === escape) {
      i++;
      continue;
    }
    if (c === '"') double = !double;
    else if (c === "'" && !double) single = true;
    if (c !== '$') continue;
    const end = referenceEnd(text, i, escape);
    if (end < 0) continue;
    out.push({ start: i, end, text: text.slice(i, end) });
    i = end - 1;
  }
  return out;
}

function referenceEnd(text: string, i: number, escape: string): number {
  if (text[i + 1] !== '{') {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1, i + 257));
    return m ? i + 1 + m[0].length : -1;
  }
  if (!/[A-Za-z_]/.test(text[i + 2] ?? '')) return -1;
  let depth = 1;
  for (let j = i + 2; j < text.length; j++) {
    const c = text[j]!;
    if (c === escape) j++;
    else if (c === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (c === '}' && --depth === 0) return j + 1;
  }
  return -1;
}

function namesIn(reference: string): string[] {
  return [...new Set([...reference.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!))];
}

/** Whether the expansion changes when the base image sets these names (to an empty or any other value). */
function dependsOn(scope: VarScope, reference: string, escape: string, names: string[], value: string): boolean {
  // A scope of only the names the reference reads: copying the instruction's scope costs more.
  const read = new VarScope();
  for (const n of namesIn(reference)) {
    const v = scope.get(n);
    if (v) read.set(n, v);
  }
  for (const probe of ['', '\u0001']) {
    const probed = new VarScope(read);
    for (const n of names) probed.set(n, { kind: 'env', value: probe });
    if (probed.expand(reference, escape).text !== value) return true;
  }
  return false;
}

function isPlatform(name: string): boolean {
  return (PLATFORM_ARGS as readonly string[]).includes(name);
}

/** What a position in a stage can know about variables nobody declared. */
function undeclaredIsEmpty(inst: Inst): boolean {
  // FROM reads only the global ARGs; a stage built from scratch has no ENV of a base image.
  if (inst.keyword === 'FROM' || !inst.stage.from) return true;
  return rootOf(inst.stage).base?.scratch === true;
}

function scopeOf(model: Model, inst: Inst): VarScope {
  return inst.keyword === 'FROM' ? model.globalScope : inst.scope;
}

function variableHints(model: Model, inst: Inst, buildArgs: Record<string, string>): Draft[] {
  const out: Draft[] = [];
  if (inst.keyword === 'RUN') return runHints(model, inst, buildArgs);
  if (!EXPANDED.has(inst.keyword)) return out;
  const scope = scopeOf(model, inst);
  const emit = (mapped: MappedText, refs: Reference[]): void => {
    for (const ref of refs) {
      const hint = valueHint(model, inst, scope, ref.text, model.escape, buildArgs, false);
      if (hint) out.push({ ...hint, position: model.range(...mapped.docSpan(ref.start, ref.end)).end });
    }
  };
  for (const flag of inst.flags) {
    if (!flag.value || !flag.valueRange || flag.valueRange.start.line !== flag.valueRange.end.line) continue;
    if (!(EXPANDED_FLAGS[inst.keyword] ?? []).includes(flag.name)) continue;
    const mapped = MappedText.slice(model.text, model.offsetAt(flag.valueRange.start), model.offsetAt(flag.valueRange.end));
    emit(mapped, variableReferences(mapped.text, model.escape));
  }
  emit(inst.argsText, variableReferences(inst.argsText.text, model.escape));
  if (inst.keyword === 'ARG') out.push(...argDeclarationHints(model, inst, buildArgs));
  return out;
}

/**
 * RUN: the shell expands the variables, with the ARGs and ENVs in scope as its environment. A
 * name the script assigns itself, or that the Dockerfile does not declare (the base image's ENV,
 * the shell's own), gets no hint.
 */
function runHints(model: Model, inst: Inst, buildArgs: Record<string, string>): Draft[] {
  const run = inst.run;
  if (!run?.script || run.execForm || !run.shell) return [];
  const assigned = assignedInScript(run.script.text, run.commands);
  const seen = new Set<number>();
  const out: Draft[] = [];
  for (const cmd of run.commands) {
    const words = [cmd.nameWord, ...cmd.wrappers, ...cmd.args];
    for (const word of words) {
      for (const ref of variableReferences(word.raw, '\\')) {
        const start = word.start + ref.start;
        if (seen.has(start) || namesIn(ref.text).some((n) => assigned.has(n))) continue;
        seen.add(start);
        const hint = valueHint(model, inst, inst.scope, ref.text, '\\', buildArgs, true);
        if (hint) out.push({ ...hint, position: model.scriptRange(run, start, start + ref.text.length).end });
      }
    }
  }
  return out;
}

/** Names a shell script gives a value of its own: `X=…`, `export X=…`, `for X in`, `read X`. */
function assignedInScript(script: string, commands: NonNullable<Inst['run']>['commands']): Set<string> {
  const names = new Set<string>();
  for (const m of script.matchAll(/(?:^|[\s;&|({`])(?:(?:export|local|readonly|declare|typeset)(?:\s+-\w+)*\s+)?([A-Za-z_][A-Za-z0-9_]*)\+?=/g)) names.add(m[1]!);
  for (const m of script.matchAll(/\b(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  for (const cmd of commands) {
    for (const a of cmd.assignments) names.add(a.name);
    if (cmd.name === 'read' || cmd.name === 'getopts' || cmd.name === 'mapfile' || cmd.name === 'readarray') {
      for (const w of cmd.args) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.text)) names.add(w.text);
    }
  }
  return names;
}

type ValueHint = Omit<Draft, 'position'>;

function valueHint(model: Model, inst: Inst, scope: VarScope, reference: string, escape: string, buildArgs: Record<string, string>, run: boolean): ValueHint | undefined {
  const exp: Expansion = scope.expand(reference, escape);
  const names = namesIn(reference);
  const undeclared = names.filter((n) => scope.get(n) === undefined);
  const unknown = [...exp.unresolved];
  if (undeclared.length) {
    if (run) {
      // Only a global or platform ARG the stage forgot to declare is worth a `?`; the shell's own
      // variables and the base image's ENV are not the Dockerfile's.
      const hidden = undeclared.filter((n) => isPlatform(n) || globalDeclaration(model, n));
      if (hidden.length < undeclared.length) return undefined;
      unknown.push(...hidden);
    } else if (!undeclaredIsEmpty(inst) && dependsOn(scope, reference, escape, undeclared, exp.text)) {
      unknown.push(...undeclared);
    }
  }
  // The expander being rewritten reports words BuildKit rejects (`${X:?}` of an unset X).
  const error = (exp as { error?: string }).error;
  const certain = !error && unknown.length === 0 && (exp.certain || (exp.unresolved.length === 0 && exp.undeclared.length > 0));
  const inherited = certain ? names.map((n) => (scope.get(n) ? readsBaseEnv(model, inst, n, buildArgs) : undefined)).find((x) => x) : undefined;
  const known = certain && !inherited;
  const explain = (): MarkupContent => {
    const lines: string[] = [];
    if (known) {
      lines.push(`\`${reference}\` = ${exp.text === '' ? 'an empty string' : codeSpan(exp.text)}`);
      for (const n of names) lines.push(`- ${describeSource(model, inst, n, buildArgs)}`);
    } else {
      lines.push(`\`${reference}\` cannot be known before the build:`);
      // The model leaves such a value unknown; say which name only the base image could set.
      const via = inherited ?? (error ? undefined : names.map((n) => (scope.get(n) ? readsBaseEnv(model, inst, n, buildArgs) : undefined)).find((x) => x));
      if (error) lines.push(`- BuildKit rejects it: ${error}`);
      else if (via) {
        lines.push(`- \`${via.via}\` is set on line ${via.line} from \`${via.name}\`, which only the base image could set (its ENV is in scope when BuildKit expands that line).`);
      }
      else for (const n of unknown.length ? [...new Set(unknown)] : names) lines.push(`- ${whyUnknown(model, inst, scope, n)}`);
    }
    if (run) lines.push('', 'The ARGs and ENVs in scope are the environment of this RUN; the shell expands them.');
    return markdown(lines.join('\n'));
  };
  return { label: known ? `= ${shorten(exp.text)}` : '= ?', paddingLeft: true, explain };
}

/** `ARG X` without a default, or whose default is overridden: the value X really takes. */
function argDeclarationHints(model: Model, inst: Inst, buildArgs: Record<string, string>): Draft[] {
  const out: Draft[] = [];
  const after = nextScope(model, inst);
  if (!after) return out;
  const written = declarations(inst);
  const all = tokens(inst.argsText.text);
  if (written.length !== all.length) return out;
  all.forEach((token, k) => {
    const eq = token.text.indexOf('=');
    const name = eq < 0 ? token.text : token.text.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || written[k]![0] !== name) return;
    const position = model.range(...inst.argsText.docSpan(token.start, token.end)).end;
    const value = after.get(name);
    const raw = written[k]![1];
    const writtenValue = raw === undefined ? undefined : scopeOf(model, inst).expand(raw, { escape: model.escape, closed: undeclaredIsEmpty(inst) });
    if (value?.value !== undefined) {
      if (writtenValue?.certain && writtenValue.text === value.value) return;
      out.push({
        position,
        label: `= ${shorten(value.value)}`,
        paddingLeft: true,
        explain: () => markdown(`\`${name}\` = ${value.value === '' ? 'an empty string' : codeSpan(value.value!)}\n- ${describeSource(model, nextInst(inst) ?? inst, name, buildArgs)}`),
      });
    } else if (eq < 0) {
      out.push({ position, label: '= ?', paddingLeft: true, explain: () => markdown(`\`${name}\` cannot be known before the build:\n- ${whyUnknown(model, nextInst(inst) ?? inst, after, name)}`) });
    }
  });
  return out;
}

/** The instruction after `inst` in its stage (where an ARG's value is first visible). */
function nextInst(inst: Inst): Inst | undefined {
  const i = inst.stage.instructions.indexOf(inst);
  return i >= 0 ? inst.stage.instructions[i + 1] : undefined;
}

function nextScope(model: Model, inst: Inst): VarScope | undefined {
  if (!inst.stage.from) return model.globalScope;
  return nextInst(inst)?.scope;
}

/** Whitespace-separated words of an ARG line (quotes kept together), with their offsets. */
function tokens(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let start = -1;
  let quote: string | undefined;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c !== undefined && quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === undefined || /\s/.test(c)) {
      if (start >= 0) out.push({ text: text.slice(start, i), start, end: i });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\') i++;
  }
  return out;
}

interface Declaration {
  inst: Inst;
  kind: 'ARG' | 'ENV';
  /** As written; undefined for `ARG X` without a default. */
  value: string | undefined;
}

/** Declarations per instruction: tooltips look them up once per variable use, over every instruction above it. */
const declared = new WeakMap<Inst, Map<string, string | undefined>>();

function declares(inst: Inst, name: string): Declaration | undefined {
  if (inst.keyword !== 'ARG' && inst.keyword !== 'ENV') return undefined;
  let names = declared.get(inst);
  if (!names) declared.set(inst, (names = new Map(declarations(inst))));
  const d = names.has(name) ? ([name, names.get(name)] as const) : undefined;
  return d ? { inst, kind: inst.keyword, value: d[1] } : undefined;
}

function globalDeclaration(model: Model, name: string, before?: Inst): Declaration | undefined {
  let found: Declaration | undefined;
  for (const g of model.globalArgs) {
    if (before && g.index >= before.index) break;
    found = declares(g, name) ?? found;
  }
  return found;
}

/**
 * Whether the value of `name` at `inst` was written with a name only the base image could set
 * (`ARG APP=/srv/${NAME:-app}`): BuildKit expands an ARG default or an ENV value with the base
 * image's ENV in scope, so a value computed without it is not known. Follows ARGs and ENVs that
 * read each other, up to the first such name.
 */
function readsBaseEnv(model: Model, inst: Inst, name: string, buildArgs: Record<string, string>, seen = new Set<string>()): { via: string; name: string; line: number } | undefined {
  if (undeclaredIsEmpty(inst)) return undefined;
  const d = declarationAt(model, inst, name);
  // A bare ARG inherits the global one (FROM's closed scope); a build arg replaces the default.
  if (!d || d.value === undefined || (d.kind === 'ARG' && buildArgs[name] !== undefined)) return undefined;
  const key = `${d.inst.index}:${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const expanded = d.inst.scope.expand(d.value, model.escape).text;
  for (const n of namesIn(d.value)) {
    if (d.inst.scope.get(n) === undefined) {
      if (dependsOn(d.inst.scope, d.value, model.escape, [n], expanded)) return { via: name, name: n, line: lineOf(d) };
    } else {
      const deeper = readsBaseEnv(model, d.inst, n, buildArgs, seen);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

/** The declaration whose value `name` has at `inst`: an ENV of the stage or its parents wins over an ARG. */
function declarationAt(model: Model, inst: Inst, name: string): Declaration | undefined {
  if (inst.keyword === 'FROM' || !inst.stage.from) return globalDeclaration(model, name, inst.keyword === 'FROM' ? inst : undefined);
  const chain: Stage[] = [];
  for (let s: Stage | undefined = inst.stage; s && !chain.includes(s); s = s.base?.stage) chain.unshift(s);
  let env: Declaration | undefined;
  let arg: Declaration | undefined;
  for (const s of chain) {
    for (const i of s.instructions) {
      if (s === inst.stage && i.index >= inst.index) break;
      const d = declares(i, name);
      if (d?.kind === 'ENV') env = d;
      else if (d && s === inst.stage) arg = d;
    }
  }
  return env ?? arg;
}

function lineOf(d: Declaration): number {
  return d.inst.range.start.line + 1;
}

function stageLabel(s: Stage): string {
  return `stage ${s.index}${s.name ? ` "${s.name}"` : ''}`;
}

function describeSource(model: Model, inst: Inst, name: string, buildArgs: Record<string, string>): string {
  const d = declarationAt(model, inst, name);
  if (!d) {
    if (inst.keyword === 'FROM' || !inst.stage.from) return `\`${name}\` is not declared before the first FROM: BuildKit expands it to an empty string.`;
    if (rootOf(inst.stage).base?.scratch) return `\`${name}\` is not declared, and the stage starts from scratch: BuildKit expands it to an empty string.`;
    return `\`${name}\` is not declared; the result is the same whatever the base image sets it to.`;
  }
  const where = d.inst.stage !== inst.stage && d.inst.stage.from ? ` (${stageLabel(d.inst.stage)})` : '';
  if (d.kind === 'ENV') return `\`${name}\`: \`ENV\` on line ${lineOf(d)}${where}.`;
  const fromBase = inst.keyword !== 'FROM' && inst.stage.from && !rootOf(inst.stage).base?.scratch && !rootOf(inst.stage).base?.stage;
  // Measured on Docker 20.10: BuildKit keeps the ARG, the classic builder takes the base image's ENV.
  const caveat = fromBase ? ` (With the classic builder, an \`ENV ${name}\` of the base image wins over this ARG.)` : '';
  if (buildArgs[name] !== undefined) return `\`${name}\`: from \`layerwise.buildArgs\` (as \`--build-arg ${name}=…\`), declared by \`ARG\` on line ${lineOf(d)}.${caveat}`;
  if (d.value !== undefined) return `\`${name}\`: the default of \`ARG\` on line ${lineOf(d)}.${caveat}`;
  const global = inst.stage.from ? globalDeclaration(model, name) : undefined;
  if (global) return `\`${name}\`: the default of the global \`ARG\` on line ${lineOf(global)}, declared again on line ${lineOf(d)}.${caveat}`;
  return `\`${name}\`: \`ARG\` on line ${lineOf(d)}.${caveat}`;
}

function whyUnknown(model: Model, inst: Inst, scope: VarScope, name: string): string {
  const v = scope.get(name);
  const d = declarationAt(model, inst, name);
  const platform = isPlatform(name);
  if (v === undefined) {
    if (platform && inst.keyword !== 'FROM' && inst.stage.from) {
      return `\`${name}\` is a platform ARG: a stage sees it only after \`ARG ${name}\`. Here it is empty unless the base image sets \`ENV ${name}\`.`;
    }
    const global = inst.stage.from && inst.keyword !== 'FROM' ? globalDeclaration(model, name) : undefined;
    if (global) {
      return `\`${name}\` is declared before the first FROM (line ${lineOf(global)}) and not declared again in this stage, so only FROM lines see it. Here it is empty unless the base image sets \`ENV ${name}\`; add \`ARG ${name}\` after FROM to use it.`;
    }
    const elsewhere = model.instructions.find((i) => i.keyword === 'ARG' && i.stage !== inst.stage && i.stage.from && declares(i, name));
    if (elsewhere) {
      return `\`${name}\` is an ARG of ${stageLabel(elsewhere.stage)} (line ${elsewhere.range.start.line + 1}); ARGs do not carry over to other stages. Here it is empty unless the base image sets \`ENV ${name}\`.`;
    }
    return `\`${name}\` is not declared in this Dockerfile: it is empty unless the base image sets \`ENV ${name}\`.`;
  }
  if (platform && (v.kind === 'predefined' || (d?.kind === 'ARG' && d.value === undefined))) {
    return `\`${name}\` is a platform ARG: BuildKit sets it from the platform of the build (\`--platform\`, or the builder's own), so it depends on the build.`;
  }
  if (v.kind === 'predefined') return `\`${name}\` is predefined by BuildKit: only \`--build-arg ${name}=…\` sets it.`;
  if (d?.kind === 'ENV') return `\`ENV ${name}\` on line ${lineOf(d)} is set from a value that cannot be known here (${codeSpan(d.value ?? '')}).`;
  if (d && d.value !== undefined) return `The default of \`ARG ${name}\` on line ${lineOf(d)} (${codeSpan(d.value)}) depends on a value that cannot be known here.`;
  const where = d ? ` on line ${lineOf(d)}` : '';
  return `\`ARG ${name}\`${where} has no default: only \`--build-arg ${name}=…\` sets it. Give it a value in \`layerwise.buildArgs\` to see it here.`;
}

// ---------------------------------------------------------------------------------------------
// Stages

function stageHints(model: Model, inst: Inst): InlayHint[] {
  const out: InlayHint[] = [];
  const hint = (position: Position, s: Stage): InlayHint => {
    const from = s.from!;
    const line = from.range.start.line + 1;
    return {
      position,
      label: [{ value: `→ ${stageLabel(s)} (line ${line})`, location: { uri: model.doc.uri, range: from.keywordRange } }],
      paddingLeft: true,
      tooltip: markdown(`Resolves to ${stageLabel(s)}, \`FROM\` on line ${line}.`),
    };
  };
  if (inst.keyword === 'FROM' && inst.stage.base?.stage?.from) out.push(hint(inst.stage.base.range.end, inst.stage.base.stage));
  if (inst.keyword === 'COPY' || inst.keyword === 'ADD') {
    const flag = inst.flags.find((f) => f.name === 'from');
    // A --from with variables is left to the value hint: which scope BuildKit expands it with is not ours to guess.
    if (flag?.value && flag.valueRange && !flag.value.includes('$')) {
      const target = stageByRef(model, inst.stage, flag.value);
      if (target?.from) out.push(hint(flag.valueRange.end, target));
    }
  }
  if (inst.keyword === 'RUN') {
    // `--mount=type=bind,from=build,…` (cache and bind mounts read a stage the same way).
    for (const flag of inst.flags) {
      if (flag.name !== 'mount' || !flag.value || !flag.valueRange || flag.valueRange.start.line !== flag.valueRange.end.line) continue;
      const m = /(?:^|,)\s*from=([^,]*)/i.exec(flag.value);
      const ref = m?.[1]?.trim();
      if (!ref || ref.includes('$')) continue;
      const target = stageByRef(model, inst.stage, ref);
      const end = m!.index + m![0].length;
      if (target?.from) out.push(hint({ line: flag.valueRange.start.line, character: flag.valueRange.start.character + end }, target));
    }
  }
  return out;
}

/** `--from=<name or index>`: an earlier stage, or undefined for an image. */
function stageByRef(model: Model, current: Stage, ref: string): Stage | undefined {
  const earlier = model.stages.filter((s) => s.index < current.index && s.from);
  if (/^\d+$/.test(ref)) return earlier.find((s) => s.index === Number(ref));
  const lower = ref.toLowerCase();
  return [...earlier].reverse().find((s) => s.name?.toLowerCase() === lower);
}

// ---------------------------------------------------------------------------------------------
// Lenses shown inline

/**
 * The lenses of each instruction as one hint at its end: the same titles, tooltips and commands
 * (label parts run commands in VS Code), side by side as VS Code separates lenses.
 */
export function lensHints(lenses: CodeLens[], model: Model): InlayHint[] {
  const byInst = new Map<Inst, CodeLens[]>();
  for (const lens of lenses) {
    const inst = model.instructions.find((i) => i.range.start.line <= lens.range.start.line && lens.range.start.line <= i.range.end.line);
    if (!inst || !lens.command?.title) continue;
    byInst.set(inst, [...(byInst.get(inst) ?? []), lens]);
  }
  const out: InlayHint[] = [];
  for (const [inst, group] of byInst) {
    const parts: InlayHintLabelPart[] = [];
    group.forEach((lens, i) => {
      if (i > 0) parts.push({ value: ' | ' });
      const c = lens.command!;
      const tooltip = (c as { tooltip?: string }).tooltip;
      parts.push({ value: c.title, ...(tooltip ? { tooltip } : {}), ...(c.command ? { command: c } : {}) });
    });
    out.push({ position: inst.range.end, label: parts, paddingLeft: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function shorten(value: string): string {
  if (value === '') return '""';
  return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE - 1)}…` : value;
}

function codeSpan(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${s}${fence}`;
}

function markdown(value: string): MarkupContent {
  return { kind: 'markdown', value };
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function compare(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}
