/**
 * The fuzzer shared by the fuzz tier (test/fuzz/) and the long run (scripts/fuzz-long.ts):
 * grammar-aware mutations of real Dockerfiles plus generated pathologies, and a driver that sends
 * every request a server advertises in its initialize result at random positions, with
 * incremental and full edits in between. Everything is drawn from one seeded PRNG, so a seed and a
 * document number reproduce a document exactly.
 */
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, InitializeResult, Position, Range, ServerCapabilities, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import type { LspClient } from './lsp-client';

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface FuzzSize {
  /** Upper bound for generated long lines and repeated structures, in characters (roughly). */
  maxChars: number;
}

const KEYWORDS = ['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER'];
const ODD_FLAGS = [
  '--mount=type=cache,,,=',
  '--mount=type=bind,source=$X,target=',
  '--mount=type=secret,id=',
  '--mount=',
  '--from=',
  '--from=$NOPE',
  '--chmod=999999',
  '--chown=:',
  '--platform=$X',
  '--platform=',
  '--=',
  '--',
  '--network',
  '--network=none',
  '--link=maybe',
  '--checksum=sha256:',
  '--keep-git-dir=true',
  '--security=insecure',
  '--interval=-1s',
  '--start-period=1x',
  '--exclude=**',
  '--parents',
];
const STRAY = ['\0', '\t', '\x7f', '\x1b[31m', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u200b', '\\', '`', '"', "'", '$', '${', '$(', '<<', '\r', '#', '=', '[', ']', '{', '}', '😀', 'é', '\ud800', '\udfff', '\udc00\ud800'];

/**
 * Pathological shapes users and fuzzers have broken servers with, each a function of a size in
 * characters (roughly the length of the document it makes).
 */
export const PATHOLOGIES: Record<string, (chars: number) => string> = {
  'ENV a b a b … on one line': (c) => `FROM alpine\nENV V=1 ${Array(Math.ceil(c / 4)).fill('a b').join(' ')}\n`,
  'RUN a && a && … chain': (c) => `FROM alpine\nRUN ${Array(Math.ceil(c / 5)).fill('a').join(' && ')}\n`,
  'thousands of stages': (c) =>
    Array.from({ length: Math.ceil(c / 60) }, (_, i) => `FROM alpine AS s${i}\nCOPY --from=s${Math.max(0, i - 1)} /a /a\nRUN echo ${i}\n`).join(''),
  'nested $( ) substitutions': (c) => {
    const d = Math.ceil(c / 8);
    return `FROM alpine\nRUN ${'echo $('.repeat(d)}x${')'.repeat(d)}\n`;
  },
  'nested ( ) subshells': (c) => {
    const d = Math.ceil(c / 2);
    return `FROM alpine\nRUN ${'('.repeat(d)}true${')'.repeat(d)}\n`;
  },
  'nested ${A:-…} defaults': (c) => {
    const d = Math.ceil(c / 6);
    return `FROM alpine\nARG A\nRUN echo ${'${A:-'.repeat(d)}x${'}'.repeat(d)}\n`;
  },
  'nested JSON arrays': (c) => {
    const d = Math.ceil(c / 2);
    return `FROM alpine\nCMD ${'['.repeat(d)}"a"${']'.repeat(d)}\n`;
  },
  'indented RUN $A before FROM': (c) => `${'  RUN $A\n'.repeat(Math.ceil(c / 9))}`,
  'unterminated heredoc': (c) => `FROM alpine\nRUN <<EOF\n${Array(Math.ceil(c / 11)).fill('echo hello').join('\n')}\n`,
  'continuation lines': (c) => `FROM alpine\nRUN echo a \\\n${Array(Math.ceil(c / 9)).fill('  && b \\').join('\n')}\n`,
  'a long pipeline': (c) => `FROM alpine\nRUN ${Array(Math.ceil(c / 4)).fill('a |').join(' ')} b\n`,
  'nested if': (c) => `FROM alpine\nRUN ${'if true; then '.repeat(Math.ceil(c / 18))}x${'; fi'.repeat(Math.ceil(c / 18))}\n`,
  'LABEL with thousands of pairs': (c) => `FROM alpine\nLABEL ${Array.from({ length: Math.ceil(c / 8) }, (_, i) => `k${i}="v"`).join(' ')}\n`,
  'nested { } groups': (c) => `FROM alpine\nRUN ${'{ '.repeat(Math.ceil(c / 4))}true;${' }'.repeat(Math.ceil(c / 4))}\n`,
  'COPY with thousands of sources': (c) => `FROM alpine\nCOPY ${Array(Math.ceil(c / 2)).fill('a').join(' ')} /dst/\n`,
  'global ARGs referring to each other': (c) =>
    `ARG ${Array.from({ length: Math.ceil(c / 14) }, (_, i) => `A${i}=$A${i + 1}`).join('\nARG ')}\nFROM alpine:$A0\nRUN echo $A0\n`,
  'ENV pairs referring to each other': (c) => `FROM alpine\nENV ${Array.from({ length: Math.ceil(c / 12) }, (_, i) => `K${i}=$K${i + 1}`).join(' ')}\n`,
  'CR-only line ends': (c) => Array.from({ length: Math.ceil(c / 40) }, (_, i) => `FROM alpine AS s${i}\rRUN echo $A && b\r`).join(''),
};
const PATHOLOGY_NAMES = Object.keys(PATHOLOGIES);

/** A pathological document of one of the shapes, at a random size up to `size.maxChars`. */
export function pathology(rng: Rng, size: FuzzSize): string {
  const make = PATHOLOGIES[rng.pick(PATHOLOGY_NAMES)]!;
  return make(Math.max(8, Math.floor(size.maxChars * (0.2 + rng.next() * 0.8))));
}

/** One mutation applied to a text. */
export function mutate(rng: Rng, text: string, donors: readonly string[], size: FuzzSize): string {
  const lines = text.split('\n');
  const line = (): number => rng.int(lines.length);
  switch (rng.int(20)) {
    case 0: {
      const a = line();
      const b = line();
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 1: {
      const donor = rng.pick(donors).split('\n');
      const from = rng.int(donor.length);
      lines.splice(line(), rng.int(3), ...donor.slice(from, from + 1 + rng.int(8)));
      return lines.join('\n');
    }
    case 2: {
      const at = rng.int(text.length + 1);
      return text.slice(0, at) + rng.pick(STRAY) + text.slice(at);
    }
    case 3: {
      const at = rng.int(text.length + 1);
      return text.slice(0, at) + rng.pick(['\ud800', '\udbff', '\udc00', '\udfff']) + text.slice(at);
    }
    case 4: {
      const i = line();
      const unit = rng.pick([' a b', ' && a', ' x=1', ' \\$A', ' "q"', ' ${A}', ' -o', ' |', ' ;']);
      lines[i] = `${lines[i]}${unit.repeat(1 + rng.int(Math.max(1, size.maxChars / unit.length)))}`;
      return lines.join('\n');
    }
    case 5:
      return text.replace(/\r?\n/g, '\r');
    case 6:
      return `\ufeff${text}`;
    case 7: {
      const m = /^#\s*escape\s*=\s*(.)/m.exec(text);
      return m ? text.replace(/^#\s*escape\s*=\s*./m, `# escape=${m[1] === '`' ? '\\' : '`'}`) : `# escape=\`\n${text}`;
    }
    case 8: {
      lines.splice(line(), 0, rng.pick(['RUN <<EOF', 'RUN <<-"EOT" bash', 'COPY <<A <<B /x', 'RUN cat <<EOF >/x && <<EOF2 cat']), 'echo x');
      return lines.join('\n');
    }
    case 9: {
      lines.splice(line(), 0, rng.pick(['CMD ["a", "b', 'ENTRYPOINT [', 'SHELL ["/bin/sh", "-c"', 'RUN ["a",]', 'CMD [\'a\']', 'VOLUME ["/a" "/b"]', 'HEALTHCHECK CMD ["x"']));
      return lines.join('\n');
    }
    case 10: {
      const i = line();
      const m = /^(\s*\w+)(\s|$)/.exec(lines[i]!);
      const flag = rng.pick(ODD_FLAGS);
      lines[i] = m ? `${m[1]} ${flag}${lines[i]!.slice(m[1]!.length)}` : `${rng.pick(KEYWORDS)} ${flag} x`;
      return lines.join('\n');
    }
    case 11:
      lines.splice(line(), 1 + rng.int(4));
      return lines.join('\n');
    case 12: {
      const i = line();
      lines.splice(i, 0, ...Array(1 + rng.int(5)).fill(lines[i]));
      return lines.join('\n');
    }
    case 13: {
      const i = line();
      lines[i] = `${lines[i]}${rng.pick([' \\', '\\', ' `', '\\ ', ' \\\\'])}`;
      return lines.join('\n');
    }
    case 14:
      lines.splice(0, 0, rng.pick(['  RUN $A', 'ENV X=$Y', 'ARG A=${B:-$C}', 'COPY $A /', 'ONBUILD RUN $X', 'LABEL a=$b']));
      return lines.join('\n');
    case 15: {
      const i = line();
      lines[i] = lines[i]!.toLowerCase();
      return lines.join('\n');
    }
    case 16: {
      // Truncate in the middle of something.
      return text.slice(0, rng.int(text.length + 1));
    }
    case 17: {
      const i = line();
      lines.splice(i, 0, pathology(rng, { maxChars: Math.max(100, size.maxChars / 4) }).trimEnd());
      return lines.join('\n');
    }
    case 18: {
      const i = line();
      lines[i] = `${rng.pick(KEYWORDS)} ${lines[i]}`;
      return lines.join('\n');
    }
    default: {
      const i = line();
      lines[i] = `ONBUILD ${lines[i]}`;
      return lines.join('\n');
    }
  }
}

/** The i-th document of a run: a mutated real Dockerfile (most of them) or a pathology. */
export function fuzzDocument(rng: Rng, corpus: readonly string[], size: FuzzSize): string {
  if (rng.chance(0.15)) return pathology(rng, size);
  let text = rng.pick(corpus);
  const rounds = 1 + rng.int(4);
  for (let i = 0; i < rounds; i++) text = mutate(rng, text, corpus, size);
  return text;
}

export interface FuzzFailure {
  doc: number;
  method: string;
  kind: 'error' | 'unanswered' | 'crash';
  message: string;
  /** The document text when the request was sent. */
  text: string;
  params: unknown;
}

export interface FuzzStats {
  documents: number;
  requests: number;
  errors: number;
  unanswered: number;
  crashes: number;
  /** Restarts after a document left requests unanswered. */
  restarts: number;
  /** Milliseconds per answered request. */
  latencies: number[];
  failures: FuzzFailure[];
}

export function emptyStats(): FuzzStats {
  return { documents: 0, requests: 0, errors: 0, unanswered: 0, crashes: 0, restarts: 0, latencies: [], failures: [] };
}

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface PlannedRequest {
  method: string;
  params: unknown;
  /** Follow-up requests made from the answer (resolve, executeCommand), as an editor would. */
  then?: (answer: unknown) => PlannedRequest[];
}

function randomPosition(rng: Rng, doc: TextDocument): Position {
  const lines = doc.lineCount;
  const line = rng.chance(0.05) ? lines + rng.int(3) : rng.int(lines);
  const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const character = rng.chance(0.05) ? text.length + rng.int(5) : rng.int(text.length + 1);
  return { line, character };
}

function randomRange(rng: Rng, doc: TextDocument): Range {
  const a = randomPosition(rng, doc);
  const b = randomPosition(rng, doc);
  return a.line < b.line || (a.line === b.line && a.character <= b.character) ? { start: a, end: b } : { start: b, end: a };
}

const COMMAND_KINDS_TO_RUN = new Set(['layerwise.docker.showLayer', 'layerwise.docker.retry', 'layerwise.applyEdit']);

/** Every request the capabilities advertise, with random positions in `doc`. */
export function plannedRequests(rng: Rng, caps: ServerCapabilities, doc: TextDocument, diagnostics: Diagnostic[]): PlannedRequest[] {
  const textDocument = { uri: doc.uri };
  const out: PlannedRequest[] = [];
  const at = (method: string, extra: Record<string, unknown> = {}): PlannedRequest => ({ method, params: { textDocument, position: randomPosition(rng, doc), ...extra } });
  const commandsOf = (answer: unknown): PlannedRequest[] => {
    if (!Array.isArray(answer) || !caps.executeCommandProvider) return [];
    const allowed = new Set(caps.executeCommandProvider.commands);
    const commands = answer
      .map((a: { command?: unknown; title?: unknown }) => (typeof a?.command === 'string' ? a : (a?.command as { command?: string; arguments?: unknown[] } | undefined)))
      .filter((c): c is { command: string; arguments?: unknown[] } => !!c && typeof c.command === 'string' && allowed.has(c.command) && COMMAND_KINDS_TO_RUN.has(c.command));
    return commands.slice(0, 2).map((c) => ({ method: 'workspace/executeCommand', params: { command: c.command, arguments: c.arguments } }));
  };
  if (caps.completionProvider) {
    out.push({
      ...at('textDocument/completion'),
      then: (answer) => {
        const items = Array.isArray(answer) ? answer : ((answer as { items?: unknown[] } | null)?.items ?? []);
        return caps.completionProvider?.resolveProvider && items.length ? [{ method: 'completionItem/resolve', params: items[rng.int(items.length)] }] : [];
      },
    });
  }
  if (caps.hoverProvider) out.push(at('textDocument/hover'));
  if (caps.signatureHelpProvider) out.push(at('textDocument/signatureHelp'));
  if (caps.definitionProvider) out.push(at('textDocument/definition'));
  if (caps.documentHighlightProvider) out.push(at('textDocument/documentHighlight'));
  if (caps.referencesProvider) out.push(at('textDocument/references', { context: { includeDeclaration: rng.chance(0.5) } }));
  if (caps.renameProvider) {
    if (typeof caps.renameProvider === 'object' && caps.renameProvider.prepareProvider) out.push(at('textDocument/prepareRename'));
    out.push(at('textDocument/rename', { newName: rng.pick(['x', 'NEW_NAME', 'a b', '', '$', 'é']) }));
  }
  if (caps.documentSymbolProvider) out.push({ method: 'textDocument/documentSymbol', params: { textDocument } });
  if (caps.foldingRangeProvider) out.push({ method: 'textDocument/foldingRange', params: { textDocument } });
  if (caps.documentLinkProvider) {
    const resolve = typeof caps.documentLinkProvider === 'object' && caps.documentLinkProvider.resolveProvider;
    out.push({
      method: 'textDocument/documentLink',
      params: { textDocument },
      then: (answer) => (resolve && Array.isArray(answer) && answer.length ? [{ method: 'documentLink/resolve', params: answer[rng.int(answer.length)] }] : []),
    });
  }
  const sem = caps.semanticTokensProvider;
  if (sem) {
    if (sem.full) {
      out.push({
        method: 'textDocument/semanticTokens/full',
        params: { textDocument },
        then: (answer) => {
          const resultId = (answer as { resultId?: string } | null)?.resultId;
          return typeof sem.full === 'object' && sem.full.delta && resultId ? [{ method: 'textDocument/semanticTokens/full/delta', params: { textDocument, previousResultId: resultId } }] : [];
        },
      });
    }
    if (sem.range) out.push({ method: 'textDocument/semanticTokens/range', params: { textDocument, range: randomRange(rng, doc) } });
  }
  const options = { tabSize: 1 + rng.int(8), insertSpaces: rng.chance(0.7) };
  if (caps.documentFormattingProvider) out.push({ method: 'textDocument/formatting', params: { textDocument, options } });
  if (caps.documentRangeFormattingProvider) out.push({ method: 'textDocument/rangeFormatting', params: { textDocument, range: randomRange(rng, doc), options } });
  if (caps.documentOnTypeFormattingProvider) {
    const chars = [caps.documentOnTypeFormattingProvider.firstTriggerCharacter, ...(caps.documentOnTypeFormattingProvider.moreTriggerCharacter ?? [])];
    out.push(at('textDocument/onTypeFormatting', { ch: rng.pick(chars), options }));
  }
  if (caps.codeActionProvider) {
    const range = randomRange(rng, doc);
    const kinds = typeof caps.codeActionProvider === 'object' ? (caps.codeActionProvider.codeActionKinds ?? []) : [];
    const only = kinds.length && rng.chance(0.3) ? [rng.pick(kinds)] : undefined;
    const inRange = diagnostics.filter((d) => d.range.start.line <= range.end.line && d.range.end.line >= range.start.line);
    out.push({ method: 'textDocument/codeAction', params: { textDocument, range, context: { diagnostics: inRange, ...(only ? { only } : {}) } }, then: commandsOf });
  }
  if (caps.codeLensProvider) out.push({ method: 'textDocument/codeLens', params: { textDocument }, then: commandsOf });
  if (caps.inlayHintProvider) {
    const resolve = typeof caps.inlayHintProvider === 'object' && 'resolveProvider' in caps.inlayHintProvider && caps.inlayHintProvider.resolveProvider;
    out.push({
      method: 'textDocument/inlayHint',
      params: { textDocument, range: rng.chance(0.5) ? { start: { line: 0, character: 0 }, end: { line: doc.lineCount, character: 0 } } : randomRange(rng, doc) },
      then: (answer) => (resolve && Array.isArray(answer) && answer.length ? [{ method: 'inlayHint/resolve', params: answer[rng.int(answer.length)] }] : []),
    });
  }
  // Shuffle: the order requests arrive in is part of the input.
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A random edit of `doc`: incremental (a range replaced by a snippet) or, when the server syncs full text, the whole text. */
export function randomEdit(rng: Rng, doc: TextDocument, corpus: readonly string[], size: FuzzSize, incremental: boolean): TextDocumentContentChangeEvent {
  if (!incremental || rng.chance(0.2)) return { text: rng.chance(0.5) ? mutate(rng, doc.getText(), corpus, size) : fuzzDocument(rng, corpus, size) };
  const range = randomRange(rng, doc);
  const text = rng.pick(['', 'a', '\n', '\\\n', ' && b', 'FROM x AS y\n', 'RUN $A\n', '"', '[', '<<EOF\n', '\r', '\ud800', '${', '$(', 'ENV V=1 a b a b a b\n', '# escape=`\n']);
  return { range, text };
}

export interface DriveOptions {
  /** A hang detector, not a speed assertion. */
  deadlineMs: number;
  size: FuzzSize;
  /** Edits between request rounds. */
  edits: number;
  /** Called with each failure as it happens. */
  onFailure?: (f: FuzzFailure) => void;
}

/**
 * Opens one document, sends every advertised request (and what an editor sends after their
 * answers), edits, asks again, and closes it. Updates `stats`; never throws for a server's failure.
 */
export async function driveDocument(client: LspClient, init: InitializeResult, rng: Rng, uri: string, text: string, corpus: readonly string[], docIndex: number, stats: FuzzStats, options: DriveOptions): Promise<void> {
  const caps = init.capabilities;
  const sync = typeof caps.textDocumentSync === 'number' ? caps.textDocumentSync : (caps.textDocumentSync?.change ?? 1);
  let doc = TextDocument.create(uri, 'dockerfile', 1, text);
  stats.documents++;
  const fail = (f: FuzzFailure): void => {
    stats.failures.push(f);
    if (f.kind === 'error') stats.errors++;
    else if (f.kind === 'unanswered') stats.unanswered++;
    options.onFailure?.(f);
  };
  const send = async (req: PlannedRequest): Promise<void> => {
    if (client.hasExited) return;
    stats.requests++;
    const sentText = doc.getText();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), options.deadlineMs)));
    try {
      const answer = await Promise.race([client.request(req.method, req.params), deadline]);
      if (answer === 'deadline') {
        fail({ doc: docIndex, method: req.method, kind: 'unanswered', message: `no answer in ${options.deadlineMs} ms`, text: sentText, params: req.params });
        return;
      }
      stats.latencies.push(performance.now() - started);
      const next = req.then?.(answer) ?? [];
      await Promise.all(next.map(send));
    } catch (e) {
      if (client.hasExited) return;
      const message = (e as Error).message;
      // A request the server cancelled (RequestCancelled, ContentModified: the document changed) is an answer, not a failure.
      const code = (e as { code?: number }).code;
      if (code === -32800 || code === -32801) return;
      fail({ doc: docIndex, method: req.method, kind: 'error', message, text: sentText, params: req.params });
    } finally {
      clearTimeout(timer);
    }
  };
  await client.didOpen(uri, text, 1);
  const rounds = 1 + options.edits;
  for (let round = 0; round < rounds && !client.hasExited; round++) {
    if (round > 0) {
      const change = randomEdit(rng, doc, corpus, options.size, sync === 2);
      doc = TextDocument.update(doc, [change], doc.version + 1);
      await client.didChange(uri, doc.version, [change]);
      // Sometimes ask at once (requests race the new version), sometimes after the edit settles.
      if (rng.chance(0.3)) {
        const again = TextDocument.update(doc, [], doc.version);
        const second = randomEdit(rng, again, corpus, options.size, sync === 2);
        doc = TextDocument.update(doc, [second], doc.version + 1);
        await client.didChange(uri, doc.version, [second]);
      }
    }
    const diagnostics = client.latestDiagnostics.get(uri)?.diagnostics ?? [];
    await Promise.all(plannedRequests(rng, caps, doc, diagnostics).map(send));
  }
  if (!client.hasExited) await client.didClose(uri);
}

export interface RunOptions extends DriveOptions {
  seed: number;
  documents: number;
  /** The first document's number (default 0): a failing document is reproduced alone. */
  first?: number;
  /** The server's command line, such as `[process.execPath, 'server/out/server.js', '--stdio']`. */
  command: string[];
  /** Answers to `workspace/configuration`. */
  settings?: Record<string, unknown>;
  /** Where documents live (`file:///…/fuzz-<n>/Dockerfile`): a folder with nothing in it. */
  folder: string;
  corpus: readonly string[];
  /** Called after each document. */
  progress?: (stats: FuzzStats) => void;
  /** Stop early (after the current document) once this returns true. */
  stop?: () => boolean;
}

export interface RunResult extends FuzzStats {
  /** Peak RSS of the server in KiB (VmHWM), the highest over restarts. */
  peakRssKiB: number | undefined;
  durationMs: number;
}

/**
 * Runs `documents` documents through one server process (restarted after a crash, which is
 * counted with the document that caused it). Document i is drawn from Rng(seed + i), so one
 * failing document is reproduced without running the ones before it.
 */
export async function runFuzz(options: RunOptions, spawn: (command: string[], settings: Record<string, unknown> | undefined) => LspClient): Promise<RunResult> {
  const stats = emptyStats();
  const started = performance.now();
  let peak: number | undefined;
  let client = spawn(options.command, options.settings);
  let init = await client.initialize({ rootUri: null, timeoutMs: 60_000 });
  const readPeak = async (): Promise<void> => {
    const kib = await client.peakRssKiB();
    if (kib !== undefined) peak = Math.max(peak ?? 0, kib);
  };
  const first = options.first ?? 0;
  for (let i = first; i < first + options.documents; i++) {
    const rng = new Rng(options.seed + i);
    const text = fuzzDocument(rng, options.corpus, options.size);
    const uri = `file://${options.folder}/fuzz-${i % 8}/Dockerfile`;
    const unansweredBefore = stats.unanswered;
    await driveDocument(client, init, rng, uri, text, options.corpus, i, stats, options);
    if (i % 50 === 0) await readPeak();
    // A server that left requests unanswered may still be stuck: start a fresh one, as a user would, so one hang is not counted for every later document.
    if (stats.unanswered > unansweredBefore && !client.hasExited) {
      await readPeak();
      stats.restarts++;
      await client.shutdown(1_000);
      client = spawn(options.command, options.settings);
      init = await client.initialize({ rootUri: null, timeoutMs: 60_000 });
    }
    if (client.hasExited) {
      stats.crashes++;
      const f: FuzzFailure = { doc: i, method: '(process)', kind: 'crash', message: client.stderr.slice(-2000), text, params: undefined };
      stats.failures.push(f);
      options.onFailure?.(f);
      await client.shutdown();
      client = spawn(options.command, options.settings);
      init = await client.initialize({ rootUri: null, timeoutMs: 60_000 });
    }
    options.progress?.(stats);
    if (options.stop?.()) break;
  }
  await readPeak();
  await client.shutdown();
  return { ...stats, peakRssKiB: peak, durationMs: performance.now() - started };
}
