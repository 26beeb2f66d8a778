import type { Range } from 'vscode-languageserver-types';
import parseSpdx from 'spdx-expression-parse';
import type { Inst, Model, Stage } from '../../model/model';
import type { LabelType, RuleContext } from '../rule';
import { flagNamed, fromTarget, keyValues, target } from './instruction-words';

/**
 * hadolint's label schema (`label-schema:` in `.hadolint.yaml`): label name → the format its
 * value must have. `text` only asks for the label to be there and not empty.
 */
export type { LabelType };
export const LABEL_TYPES: readonly LabelType[] = ['text', 'email', 'rfc3339', 'semver', 'url', 'hash', 'spdx'];

/** The `label-schema` mapping of a config file; entries with a type hadolint does not know are left out. */
export function parseLabelSchema(raw: unknown): Record<string, LabelType> {
  const out: Record<string, LabelType> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [label, type] of Object.entries(raw as Record<string, unknown>)) {
    const t = typeof type === 'string' ? type.trim().toLowerCase() : '';
    if ((LABEL_TYPES as readonly string[]).includes(t)) out[label] = t as LabelType;
  }
  return out;
}

export interface LabelPair {
  inst: Inst;
  /** The key as BuildKit reads it, or undefined when it holds a variable whose value is unknown. */
  key: string | undefined;
  keyRange: Range;
  /** The value as the image will carry it, or undefined when a variable in it is unknown. */
  value: string | undefined;
  valueRange: Range;
  /** A LABEL inside ONBUILD: it labels the images built FROM this one, not this one. */
  onbuild: boolean;
}

/** Every `key=value` of every LABEL (ONBUILD triggers included), with ARG/ENV references expanded where they are known. */
export function labelPairs(model: Model): LabelPair[] {
  const out: LabelPair[] = [];
  for (const inst of model.instructions) {
    const t = target(inst);
    if (t.keyword !== 'LABEL') continue;
    for (const p of keyValues(t, model.escape)) {
      if (p.value === undefined) continue;
      const [ks, ke] = t.argsText.docSpan(p.keyStart, p.keyEnd);
      const [vs, ve] = t.argsText.docSpan(p.valueStart, p.valueEnd);
      out.push({
        inst: t,
        key: wordValue(model, t, t.argsText.text.slice(p.keyStart, p.keyEnd)),
        keyRange: model.range(ks, ke),
        value: wordValue(model, t, p.value),
        valueRange: model.range(vs, Math.max(vs, ve)),
        onbuild: t.inOnbuild,
      });
    }
  }
  return out;
}

/**
 * A LABEL word as BuildKit evaluates it: quotes removed, escapes applied, `$X` / `${X…}`
 * expanded outside single quotes. Undefined when a variable's value cannot be known.
 */
export function wordValue(model: Model, inst: Inst, raw: string): string | undefined {
  const escape = model.escape;
  let out = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
      continue;
    }
    if (c === escape && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      if (quote === '"' && next !== '"' && next !== '$' && next !== escape) out += c;
      out += next;
      i++;
      continue;
    }
    if (c === '"' || (c === "'" && !quote)) {
      quote = quote ? undefined : c;
      continue;
    }
    if (c === '$') {
      const ref = variableAt(raw, i);
      if (ref) {
        const expanded = inst.scope.expand(ref, escape);
        if (!expanded.certain) return undefined;
        out += expanded.text;
        i += ref.length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** `$NAME` or `${…}` starting at `i`, or undefined for a lone `$`. */
function variableAt(text: string, i: number): string | undefined {
  if (text[i + 1] === '{') {
    const close = text.indexOf('}', i + 2);
    return close < 0 ? undefined : text.slice(i, close + 1);
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
  return m ? '$' + m[0] : undefined;
}

/**
 * The stages whose image someone may run or push: neither the base of a later stage nor a
 * `COPY --from` / `RUN --mount=from=` source (those never ship as they are). Implicit stages
 * without FROM (fragments) are not images.
 */
export function imageStages(model: Model): Stage[] {
  const used = new Set<Stage>();
  for (const s of model.stages) if (s.base?.stage && s.base.stage !== s) used.add(s.base.stage);
  for (const inst of model.instructions) {
    const t = target(inst);
    if (t.inOnbuild) continue;
    const sources: string[] = [];
    const flag = t.keyword === 'COPY' || t.keyword === 'ADD' ? flagNamed(t, 'from') : undefined;
    if (flag?.value) sources.push(flag.value);
    for (const m of t.run?.mounts ?? []) if (m.options.from !== undefined) sources.push(m.options.from);
    for (const src of sources) {
      const from = fromTarget(model, t, src);
      if (from.kind === 'stage' || from.kind === 'index') if (from.stage && from.stage !== t.stage) used.add(from.stage);
    }
  }
  return model.stages.filter((s) => s.from && !used.has(s));
}

export function schemaOf(ctx: RuleContext): Record<string, LabelType> {
  return ctx.options.labelSchema ?? {};
}

/**
 * The shared check of the format rules: every known, non-empty value of a label the schema gives
 * `type` that `valid` rejects is reported on the value. Empty values are `label-empty`'s.
 */
export function checkLabelFormat(ctx: RuleContext, type: LabelType, valid: (value: string) => boolean, message: (label: string, value: string) => string): void {
  const schema = schemaOf(ctx);
  if (!Object.values(schema).includes(type)) return;
  for (const p of labelPairs(ctx.model)) {
    if (p.key === undefined || schema[p.key] !== type || p.value === undefined || p.value === '' || valid(p.value)) continue;
    ctx.report({ range: p.valueRange, message: message(p.key, p.value) });
  }
}

/** An absolute URI (scheme, then no whitespace), as hadolint's `parseURI` wants. */
export function isUrl(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * An RFC 3339 date-time: `2024-05-01T12:30:00Z`, `2024-05-01T12:30:00.5+02:00`. RFC 3339 lets
 * a space replace the `T`, and `date --rfc-3339=seconds` writes it that way, so it is accepted.
 */
export function isRfc3339(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days || hour > 23 || minute > 59 || second > 60) return false;
  return m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
}

/** Semantic Versioning 2.0.0 (semver.org's grammar): `1.2.3`, `1.0.0-rc.1+build.5`; no leading `v`. */
export function isSemver(value: string): boolean {
  const num = '(?:0|[1-9]\\d*)';
  const pre = `(?:${num}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
  return new RegExp(`^${num}\\.${num}\\.${num}(?:-${pre}(?:\\.${pre})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`).test(value);
}

/**
 * A git object name: 7 to 40 hex digits (an abbreviated or full SHA-1; `git rev-parse --short`
 * gives more than 7 in big repositories) or 64 (a SHA-256 repository).
 */
export function isGitHash(value: string): boolean {
  return /^[0-9a-fA-F]{7,40}$/.test(value) || /^[0-9a-fA-F]{64}$/.test(value);
}

/** An SPDX license expression: `MIT`, `Apache-2.0 OR MIT`, `GPL-2.0-only WITH Classpath-exception-2.0`, `LicenseRef-x`. */
export function isSpdx(value: string): boolean {
  try {
    parseSpdx(value);
    return true;
  } catch {
    return false;
  }
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const DOMAIN = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[^\\[\\]\\\\\\s]+\\])';
const ADDR_SPEC = `(?:${DOT_ATOM}|${QUOTED})@${DOMAIN}`;
const MAILBOX = new RegExp(`^(?:${ADDR_SPEC}|[^<>@]*<${ADDR_SPEC}>)$`);

/** An RFC 5322 mailbox: `jane@example.com`, or with a display name, `Jane Doe <jane@example.com>`. */
export function isEmail(value: string): boolean {
  return value.length <= 320 && MAILBOX.test(value);
}

/** A value quoted for a message, shortened when long. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
}
