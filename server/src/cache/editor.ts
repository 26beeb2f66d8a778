import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeLens, Diagnostic, Hover, MarkedString, Position, Range, TextEdit } from 'vscode-languageserver-types';
import { ParsedDocument } from '../engine/document';
import type { RuleDiagnosticData } from '../engine/rule-runner';
import type { Inst, Model } from '../model/model';
import type { CacheSummaryResult } from '../docker/protocol';
import { instructionKey } from './inputs';
import { cacheReport, CacheReportError, fixEffect, type CacheReport, type CacheReportLine } from './report';
import type { TimingsStore } from './timings';

/**
 * The build-cache figures in the editor, transport-free: per open Dockerfile the cache report of
 * its current text (cached per document version, HEAD and settings) and the effect of the cache
 * fixes its diagnostics offer. Everything runs in the background, one computation at a time;
 * hover, lenses and diagnostics read the last finished result and never wait for git. When a
 * result lands that differs from the last one, `changed(uri)` tells the server to refresh.
 */

export interface CacheDocument {
  uri: string;
  /** Absolute path of the Dockerfile. */
  file: string;
  version: number;
  text: string;
  commits: number;
  buildArgs: Record<string, string>;
  /** The diagnostics published for this version; undefined while they are not written yet. */
  diagnostics: Diagnostic[] | undefined;
}

export interface CacheResult {
  version: number;
  text: string;
  report: CacheReport;
  /** Diagnostic signature → the sentence appended to its message. */
  effects: Map<string, string>;
}

export interface CacheEditorOptions {
  log: (message: string) => void;
  /** A result that differs from the last one landed (or the document became unavailable). */
  changed: (uri: string) => void;
  timingsStore: TimingsStore;
  /** Quiet time after an edit before the text is analyzed again (ms). */
  debounceMs?: number;
  /** Age after which a request checks HEAD and the timings again (ms). */
  recheckMs?: number;
  /** Quiet time after the last editor activity (an open, an edit) before git runs (ms). */
  quietMs?: number;
}

/** The rules whose fix changes how often a step re-runs, so their diagnostics say by how much. */
export const EFFECT_RULES = ['dependency-install-after-source-copy', 'apt-update-separate'];

interface Tracked {
  doc: CacheDocument;
  result: (CacheResult & { settings: string; generation: number; diagnostics: string; at: number; shown: string }) | undefined;
  failure: string | undefined;
  timer: NodeJS.Timeout | undefined;
  queued: boolean;
  waiters: (() => void)[];
  /** When and in which generation the last computation failed (not a repository, no git). */
  failedAt?: { at: number; generation: number };
}

const FAILURE_RECHECK_MS = 30_000;

const settingsKey = (d: CacheDocument): string => JSON.stringify([d.commits, d.buildArgs]);

export class CacheEditorService {
  private readonly docs = new Map<string, Tracked>();
  private readonly queue: Tracked[] = [];
  private running = false;
  private generation = 0;
  private readonly logged = new Set<string>();
  private disposed = false;
  private lastActivity = 0;

  constructor(private readonly o: CacheEditorOptions) {}

  /**
   * The last finished result for this document, possibly of an older version (callers map it by
   * instruction text); schedules a new computation when it is not current. Never waits.
   */
  current(doc: CacheDocument): CacheResult | undefined {
    const t = this.track(doc);
    if (!this.fresh(t)) this.schedule(t);
    return t.result;
  }

  /** The result for this document once one is computed (the status bar asks this), or why there is none. */
  async settled(doc: CacheDocument, timeoutMs = 60_000): Promise<CacheResult | { failure: string }> {
    const t = this.track(doc);
    if (!this.fresh(t)) {
      this.schedule(t);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        t.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (t.result) return t.result;
    return { failure: t.failure ?? 'The build-cache figures are still being computed.' };
  }

  /** HEAD, the timings or the .dockerignore may have changed (a build, a save, a settings change): compute again. */
  invalidate(): void {
    this.generation++;
    for (const t of this.docs.values()) this.schedule(t);
  }

  /**
   * The editor opened or changed a document: git waits until the editor is quiet, so that its
   * processes (each spawn forks this process) never compete with the diagnostics of the next keystroke.
   */
  activity(): void {
    this.lastActivity = Date.now();
  }

  forget(uri: string): void {
    const t = this.docs.get(uri);
    if (!t) return;
    clearTimeout(t.timer);
    this.docs.delete(uri);
    t.waiters.splice(0).forEach((w) => w());
  }

  /**
   * The diagnostics with the effect of their fix appended. While an edit is not analyzed yet, a
   * diagnostic with the same rule and message keeps the last figure (its range may have moved),
   * so the sentence does not blink on every keystroke; the next result corrects it.
   */
  withEffects(uri: string, text: string, diagnostics: Diagnostic[]): Diagnostic[] {
    const r = this.docs.get(uri)?.result;
    if (!r || !r.effects.size) return diagnostics;
    const byMessage = new Map<string, string>();
    if (r.text !== text) for (const [key, sentence] of r.effects) byMessage.set(withoutRange(key), sentence);
    return diagnostics.map((d) => {
      const sentence = r.text === text ? r.effects.get(diagnosticKey(d)) : byMessage.get(withoutRange(diagnosticKey(d)));
      return sentence ? { ...d, message: `${d.message} ${sentence}` } : d;
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const uri of [...this.docs.keys()]) this.forget(uri);
  }

  private track(doc: CacheDocument): Tracked {
    let t = this.docs.get(doc.uri);
    if (!t) this.docs.set(doc.uri, (t = { doc, result: undefined, failure: undefined, timer: undefined, queued: false, waiters: [] }));
    // Diagnostics of an older version say nothing about this one; keep the ones already known.
    else t.doc = doc.diagnostics || t.doc.version !== doc.version ? doc : { ...doc, diagnostics: t.doc.diagnostics };
    return t;
  }

  private fresh(t: Tracked): boolean {
    const r = t.result;
    // A folder outside git stays so while the user types: ask git again after a save, a build,
    // a settings change (a new generation) or half a minute, not once per keystroke.
    if (!r) return !!t.failedAt && t.failedAt.generation === this.generation && Date.now() - t.failedAt.at < FAILURE_RECHECK_MS;
    const d = t.doc;
    return (
      r.version === d.version &&
      r.text === d.text &&
      r.settings === settingsKey(d) &&
      r.generation === this.generation &&
      (d.diagnostics === undefined || r.diagnostics === effectSignature(d.diagnostics)) &&
      Date.now() - r.at < (this.o.recheckMs ?? 5_000)
    );
  }

  private schedule(t: Tracked): void {
    if (this.disposed || t.queued) return;
    clearTimeout(t.timer);
    // The first result as soon as possible; later ones once the typing stops.
    const delay = t.result || t.failure ? (this.o.debounceMs ?? 300) : 0;
    t.timer = setTimeout(() => {
      t.timer = undefined;
      if (this.docs.get(t.doc.uri) !== t || t.queued) return;
      t.queued = true;
      this.queue.push(t);
      void this.drain();
    }, delay);
  }

  /** One computation at a time: a scan of a long history competes with the editor for two cores. */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let t = this.queue.shift(); t; t = this.queue.shift()) {
        t.queued = false;
        await this.quiet();
        if (this.docs.get(t.doc.uri) !== t || this.disposed) continue;
        await this.compute(t);
        t.waiters.splice(0).forEach((w) => w());
      }
    } finally {
      this.running = false;
    }
  }

  private async quiet(): Promise<void> {
    const quietMs = this.o.quietMs ?? 250;
    for (let wait = this.lastActivity + quietMs - Date.now(); wait > 0 && !this.disposed; wait = this.lastActivity + quietMs - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async compute(t: Tracked): Promise<void> {
    const doc = t.doc;
    const generation = this.generation;
    const before = t.result?.shown ?? t.failure;
    try {
      const options = { commits: doc.commits, buildArgs: doc.buildArgs };
      const report = await cacheReport(doc.file, { ...options, text: doc.text, timingsStore: this.o.timingsStore });
      const previous = t.result;
      const effects =
        doc.diagnostics !== undefined
          ? await diagnosticEffects(doc.file, doc.text, doc.diagnostics, options, report)
          : previous && previous.text === doc.text
            ? previous.effects
            : new Map<string, string>();
      const diagnostics = doc.diagnostics !== undefined ? effectSignature(doc.diagnostics) : (previous?.text === doc.text ? previous.diagnostics : '');
      const shown = JSON.stringify([report.instructions, report.commits, report.head, report.expectedSeconds, report.untimedSteps, [...effects]]);
      t.result = { version: doc.version, text: doc.text, report, effects, settings: settingsKey(doc), generation, diagnostics, at: Date.now(), shown };
      t.failure = undefined;
      t.failedAt = undefined;
    } catch (e) {
      const reason = e instanceof CacheReportError ? e.message : `Build-cache figures for ${doc.file} failed: ${(e as Error).stack ?? String(e)}`;
      // Not a git repository, or no git: nothing is shown, and the log says why once.
      const once = `${path.dirname(doc.file)}\0${reason.split('\n')[0]}`;
      if (!this.logged.has(once)) {
        this.logged.add(once);
        this.o.log(e instanceof CacheReportError ? `No build-cache figures for ${doc.file}: ${reason}` : reason);
      }
      t.result = undefined;
      t.failure = reason;
      t.failedAt = { at: Date.now(), generation };
    }
    if (this.docs.get(doc.uri) !== t) return;
    if ((t.result?.shown ?? t.failure) !== before) this.o.changed(doc.uri);
    // The document moved on while this ran: the new text waits for the next quiet moment.
    if (!this.fresh(t) && t.result) this.schedule(t);
  }
}

/** What identifies a diagnostic across publishes of the same text. */
function diagnosticKey(d: Diagnostic): string {
  const r = d.range;
  return `${String(d.code)}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}|${d.message}`;
}

function withoutRange(key: string): string {
  return key.replace(/\|[^|]*\|/, '|');
}

function ruleData(d: Diagnostic): RuleDiagnosticData | undefined {
  const data = d.data as Partial<RuleDiagnosticData> | undefined;
  return d.source === 'layerwise' && data && typeof data.rule === 'string' && EFFECT_RULES.includes(data.rule) && Array.isArray(data.fixes) ? (data as RuleDiagnosticData) : undefined;
}

/** Whether these diagnostics get a sentence from the cache figures (only then does a publish ask git). */
export function hasEffectDiagnostics(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => ruleData(d)?.fixes.length);
}

/** The diagnostics whose effect is worth computing, as one string (a change means computing again). */
function effectSignature(diagnostics: Diagnostic[]): string {
  return diagnostics
    .filter((d) => ruleData(d)?.fixes.length)
    .map(diagnosticKey)
    .join('\n');
}

/** Where an offset of the text lands after the edits; undefined when an edit replaces it. An insertion at the offset goes before it. */
export function mapOffset(doc: TextDocument, edits: TextEdit[], offset: number): number | undefined {
  let delta = 0;
  const spans = edits.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), text: e.newText })).sort((a, b) => a.start - b.start || a.end - b.end);
  for (const s of spans) {
    if (s.end <= offset) delta += s.text.length - (s.end - s.start);
    else if (s.start <= offset) return undefined;
  }
  return offset + delta;
}

function instructionAtLine(model: Model, line: number): Inst | undefined {
  return model.instructions.find((i) => i.range.start.line <= line && line <= i.range.end.line);
}

/**
 * For each diagnostic of EFFECT_RULES with a fix: how often the step re-runs now and with the
 * rule's own fix applied, as a sentence for its message; only where the two differ.
 *
 * The lockfile-order fix is measured on the install (`npm ci`): `fixEffect` on the text with the
 * fix's edits. The apt fix is measured on the index refresh, which after the merge runs exactly
 * when the install does: the install's share in `report` (the report of `text`). `fixEffect`
 * cannot tell that, because the history has no version of the merged RUN and aligns it with the
 * old update line, whose edits it then counts alone.
 */
export async function diagnosticEffects(
  file: string,
  text: string,
  diagnostics: Diagnostic[],
  options: { commits: number; buildArgs: Record<string, string> },
  report: CacheReport,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const relevant = diagnostics.filter((d) => ruleData(d)?.fixes.length);
  if (!relevant.length) return out;
  const model = new ParsedDocument(pathToFileURL(file).toString(), 0, text).model(options.buildArgs);
  const before = TextDocument.create('file:///Dockerfile', 'dockerfile', 0, text);
  for (const d of relevant) {
    const data = ruleData(d)!;
    const fix = data.fixes[0]!;
    const step = instructionAtLine(model, d.range.start.line);
    if (!step || !fix.edits.length) continue;
    const apt = data.rule === 'apt-update-separate';
    let effect: { before: number; after: number; commits: number } | undefined;
    if (apt) {
      // The merged RUN is where the install was: the fix's title names its line.
      const install = instructionAtLine(model, Number(/on line (\d+)/.exec(fix.title)?.[1] ?? NaN) - 1);
      const share = (inst: Inst | undefined): number | undefined => report.instructions.find((l) => l.line === (inst?.range.start.line ?? -2) + 1)?.rerunShare;
      const now = share(step);
      const merged = share(install);
      if (now !== undefined && merged !== undefined) effect = { before: now, after: merged, commits: report.commits };
    } else {
      const fixedText = TextDocument.applyEdits(before, fix.edits);
      const mapped = mapOffset(before, fix.edits, before.offsetAt(step.range.start));
      const fixedLine = mapped === undefined ? undefined : TextDocument.create('file:///Dockerfile', 'dockerfile', 0, fixedText).positionAt(mapped).line + 1;
      effect = await fixEffect(file, { text, fixedText, line: step.range.start.line + 1, fixedLine }, options);
    }
    if (!effect || !effect.commits || effect.before === effect.after) continue;
    const label = /`([^`]+)`/.exec(d.message)?.[1] ?? step.keyword;
    const of = commitsPhrase(effect.commits);
    out.set(
      diagnosticKey(d),
      apt
        ? `With the fix, \`${label}\` would run with every install: on ${percent(effect.after)} of ${of} instead of ${percent(effect.before)}.`
        : `With the fix, \`${label}\` would re-run on ${percent(effect.after)} of ${of} instead of ${percent(effect.before)}.`,
    );
  }
  return out;
}

export function percent(share: number): string {
  const p = share * 100;
  return p === 0 || p === 100 || p >= 10 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}

export function duration(seconds: number): string {
  if (seconds >= 120) return `${(seconds / 60).toFixed(1)} min`;
  return seconds >= 10 ? `${Math.round(seconds)} s` : `${seconds.toFixed(1)} s`;
}

function commitsPhrase(n: number): string {
  return n === 1 ? 'the last commit' : `the last ${n} commits`;
}

const TIMED = new Set(['RUN', 'COPY', 'ADD']);

/**
 * The report line of each instruction of `model`. A result of an older version is mapped by
 * instruction text (the n-th occurrence of a text to the n-th), so figures stay put while typing.
 */
export function linesFor(result: CacheResult, model: Model): (CacheReportLine | undefined)[] {
  const lines = result.report.instructions;
  if (result.text === model.text && lines.length === model.instructions.length) return lines;
  const byText = new Map<string, CacheReportLine[]>();
  for (const l of lines) byText.set(l.instruction, [...(byText.get(l.instruction) ?? []), l]);
  const starts = [0];
  for (let i = model.text.indexOf('\n'); i >= 0; i = model.text.indexOf('\n', i + 1)) starts.push(i + 1);
  const seen = new Map<string, number>();
  return model.instructions.map((inst) => {
    const key = instructionKey(model.text, inst.ast, starts, model.escape);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return byText.get(key)?.[n];
  });
}

function within(p: Position, r: Range): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

/** The markdown the hover of an instruction's keyword gets. */
export function hoverSection(line: CacheReportLine, keyword: string, commits: number): string {
  let text = `**Build cache:** re-runs on ${percent(line.rerunShare)} of ${commitsPhrase(commits)}`;
  if (line.seconds !== null) text += ` · last build ${duration(line.seconds)}`;
  else if (TIMED.has(keyword)) text += ' · duration unknown: build it from the editor to measure';
  return text;
}

/** The hover with the cache section appended (or a hover of its own), when `position` is on an instruction's keyword. */
export function cacheHover(result: CacheResult | undefined, model: Model, position: Position, hover: Hover | null): Hover | null {
  if (!result) return hover;
  const i = model.instructions.findIndex((inst) => within(position, inst.keywordRange));
  const line = i < 0 ? undefined : linesFor(result, model)[i];
  if (!line) return hover;
  const section = hoverSection(line, model.instructions[i]!.keyword, result.report.commits);
  if (!hover) return { contents: { kind: 'markdown', value: section }, range: model.instructions[i]!.keywordRange };
  const c = hover.contents;
  if (typeof c === 'object' && 'kind' in c) return { ...hover, contents: { kind: c.kind, value: `${c.value}\n\n---\n\n${c.kind === 'markdown' ? section : section.replace(/\*\*/g, '')}` } };
  const list: MarkedString[] = Array.isArray(c) ? [...c] : [c];
  return { ...hover, contents: [...list, section] };
}

/** The CodeLens part: "re-runs on 87% of commits · 41 s" above each instruction, where the layer lenses go. */
export function cacheLenses(result: CacheResult | undefined, model: Model): CodeLens[] {
  if (!result) return [];
  const lines = linesFor(result, model);
  const out: CodeLens[] = [];
  model.instructions.forEach((inst, i) => {
    const l = lines[i];
    if (!l) return;
    const title = `re-runs on ${percent(l.rerunShare)} of commits${l.seconds !== null ? ` · ${duration(l.seconds)}` : ''}`;
    // No command: the lens is a label (VS Code renders a lens without a command id as text).
    out.push({ range: inst.keywordRange, command: { title, command: '' } });
  });
  return out;
}

/** What the status bar shows. */
export function cacheSummary(result: CacheResult | { failure: string }): CacheSummaryResult {
  if ('failure' in result) return { available: false, reason: result.failure };
  const r = result.report;
  return {
    available: true,
    expectedSeconds: r.expectedSeconds,
    untimedSteps: r.untimedSteps,
    commits: r.commits,
    head: r.head,
    steps: r.instructions.map((l) => ({ line: l.line, instruction: l.instruction, rerunShare: l.rerunShare, seconds: l.seconds })),
  };
}
