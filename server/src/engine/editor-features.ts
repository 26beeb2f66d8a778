import { DockerfileLanguageServiceFactory, type Capabilities, type DockerfileLanguageService } from 'dockerfile-language-service';
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionContext,
  type CompletionItem,
  type Diagnostic,
  type DocumentHighlight,
  type DocumentLink,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type Location,
  type Position,
  type Range,
  type SemanticTokens,
  type SignatureHelp,
  type SymbolInformation,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-types';
import type { LayerwiseSettings } from '../config';
import type { ParsedDocument } from './document';
import { heredocBodies, rangesOverlap } from './heredocs';
import { semanticTokens } from './semantic-tokens';
import { syntaxCodeNumber } from './syntax-validation';

export const ON_TYPE_FORMATTING_TRIGGER = '`';
export const ON_TYPE_FORMATTING_MORE = ['\\'];
export const COMPLETION_TRIGGERS = ['=', ' ', '$', '-', ':'];
export const SIGNATURE_TRIGGERS = ['-', '[', ',', ' ', '='];

/** How long FROM tag completion may wait for Docker Hub before answering without tags. */
const REGISTRY_TIMEOUT_MS = 1500;

export interface FormatOptions {
  tabSize: number;
  insertSpaces: boolean;
}

/**
 * The editor features `dockerfile-language-service` provides, as pure functions of a parsed
 * document. They receive the document text, but `DockerfileParser.parse` is memoized (see
 * `parse.ts`), so they reuse the engine's parse of this version.
 */
export class EditorFeatures {
  private readonly service: DockerfileLanguageService = DockerfileLanguageServiceFactory.createLanguageService();
  private readonly offline: DockerfileLanguageService = DockerfileLanguageServiceFactory.createLanguageService();

  /**
   * `onError` hears of every exception a library feature throws; the feature then answers
   * empty, so one bad document never takes the server down.
   */
  constructor(
    capabilities: Capabilities = {},
    private readonly log: (message: string) => void = () => undefined,
    private readonly onError: (feature: string, error: unknown) => void = (feature, error) =>
      log(`${feature} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  ) {
    this.service.setCapabilities(capabilities);
    this.offline.setCapabilities(capabilities);
    this.service.setLogger({ log: this.log });
  }

  private guard<T>(feature: string, fallback: T, run: () => T): T {
    try {
      return run();
    } catch (e) {
      this.onError(feature, e);
      return fallback;
    }
  }

  async completion(doc: ParsedDocument, position: Position, settings: LayerwiseSettings): Promise<CompletionItem[]> {
    if (isInFromTag(doc, position) && !settings.completion.registryTags) return [];
    const result = this.guard<CompletionItem[] | PromiseLike<CompletionItem[]>>('completion', [], () => this.service.computeCompletionItems(doc.analysisText, position));
    if (Array.isArray(result)) return result;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CompletionItem[]>((resolve) => {
      timer = setTimeout(() => resolve([]), REGISTRY_TIMEOUT_MS);
    });
    try {
      return await Promise.race([Promise.resolve(result).then(undefined, (e: unknown) => (this.onError('completion', e), [])), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  resolveCompletion(item: CompletionItem): CompletionItem {
    return this.guard('completionItem/resolve', item, () => this.offline.resolveCompletionItem(item));
  }

  hover(doc: ParsedDocument, position: Position): Hover | null {
    return this.guard('hover', null, () => this.offline.computeHover(doc.analysisText, position));
  }

  signatureHelp(doc: ParsedDocument, position: Position): SignatureHelp | null {
    return this.guard('signatureHelp', null, () => this.offline.computeSignatureHelp(doc.analysisText, position));
  }

  definition(doc: ParsedDocument, position: Position): Location | null {
    return this.guard('definition', null, () => this.offline.computeDefinition({ uri: doc.uri }, doc.analysisText, position) ?? null);
  }

  highlights(doc: ParsedDocument, position: Position): DocumentHighlight[] {
    return this.guard('documentHighlight', [], () => this.offline.computeHighlightRanges(doc.analysisText, position));
  }

  prepareRename(doc: ParsedDocument, position: Position): Range | null {
    return this.guard('prepareRename', null, () => this.offline.prepareRename(doc.analysisText, position));
  }

  rename(doc: ParsedDocument, position: Position, newName: string): WorkspaceEdit | null {
    const edits = this.guard('rename', [], () => this.offline.computeRename({ uri: doc.uri }, doc.analysisText, position, newName));
    return edits.length ? { changes: { [doc.uri]: edits } } : null;
  }

  /** Hierarchical symbols: each build stage holds its instructions. */
  symbols(doc: ParsedDocument): DocumentSymbol[] {
    const flat: SymbolInformation[] = this.guard('documentSymbol', [], () => this.offline.computeSymbols({ uri: doc.uri }, doc.analysisText));
    const stages = doc.dockerfile.getFROMs();
    const roots: DocumentSymbol[] = [];
    let current: DocumentSymbol | undefined;
    for (const s of flat) {
      const symbol: DocumentSymbol = { name: s.name, kind: s.kind, range: s.location.range, selectionRange: s.location.range, children: [] };
      if (s.name.toUpperCase() === 'FROM') {
        const from = stages.find((f) => f.getRange().start.line === s.location.range.start.line);
        const stageName = from?.getBuildStage();
        const image = from?.getImage();
        if (stageName || image) symbol.detail = [image, stageName && `AS ${stageName}`].filter(Boolean).join(' ');
        current = symbol;
        roots.push(symbol);
      } else if (current) {
        current.children!.push(symbol);
        current.range = { start: current.range.start, end: s.location.range.end };
      } else {
        roots.push(symbol);
      }
    }
    return roots;
  }

  folding(doc: ParsedDocument): FoldingRange[] {
    return this.guard('foldingRange', [], () => this.offline.computeFoldingRanges(doc.analysisText));
  }

  links(doc: ParsedDocument): DocumentLink[] {
    return this.guard('documentLink', [], () => this.offline.computeLinks(doc.analysisText).map((l) => this.offline.resolveLink(l)));
  }

  semanticTokens(doc: ParsedDocument): SemanticTokens {
    return semanticTokens(doc);
  }

  format(doc: ParsedDocument, options: FormatOptions, settings: LayerwiseSettings): TextEdit[] {
    return this.guard('formatting', [], () => keepHeredocs(doc, this.offline.format(doc.analysisText, { ...options, ignoreMultilineInstructions: settings.formatter.ignoreMultilineInstructions })));
  }

  formatRange(doc: ParsedDocument, range: Range, options: FormatOptions, settings: LayerwiseSettings): TextEdit[] {
    return this.guard('rangeFormatting', [], () => keepHeredocs(doc, this.offline.formatRange(doc.analysisText, range, {
      ...options,
      ignoreMultilineInstructions: settings.formatter.ignoreMultilineInstructions,
    })));
  }

  formatOnType(doc: ParsedDocument, position: Position, ch: string, options: FormatOptions, settings: LayerwiseSettings): TextEdit[] {
    return this.guard('onTypeFormatting', [], () => keepHeredocs(doc, this.offline.formatOnType(doc.analysisText, position, ch, {
      ...options,
      ignoreMultilineInstructions: settings.formatter.ignoreMultilineInstructions,
    })));
  }

  /** The library's quick fixes for its syntax diagnostics, with their edits inline. */
  syntaxCodeActions(doc: ParsedDocument, range: Range, context: CodeActionContext): CodeAction[] {
    const diagnostics: Diagnostic[] = [];
    const origin = new Map<Diagnostic, Diagnostic>();
    for (const d of context.diagnostics) {
      const n = syntaxCodeNumber(d.code);
      if (n === undefined) continue;
      const translated = { ...d, code: n };
      origin.set(translated, d);
      diagnostics.push(translated);
    }
    if (!diagnostics.length) return [];
    const commands = this.guard('codeAction', [], () => this.offline.computeCodeActions({ uri: doc.uri }, range, { ...context, diagnostics }));
    const actions: CodeAction[] = [];
    for (const command of commands) {
      const edits = this.guard('codeAction', [], () => this.offline.computeCommandEdits(doc.analysisText, command.command, command.arguments ?? []));
      if (!edits.length) continue;
      const fixed = diagnostics.find((d) => sameRange(d.range, command.arguments?.[1] as Range | undefined));
      const action: CodeAction = { title: command.title, kind: CodeActionKind.QuickFix, edit: { changes: { [doc.uri]: edits } } };
      const original = fixed && origin.get(fixed);
      if (original) action.diagnostics = [original];
      actions.push(action);
    }
    return actions;
  }
}

/** Heredoc bodies are file content or a script: the formatter must not re-indent them. */
function keepHeredocs(doc: ParsedDocument, edits: TextEdit[]): TextEdit[] {
  const bodies = heredocBodies(doc.dockerfile, (r) => doc.textDocument.getText(r));
  return bodies.length ? edits.filter((e) => !bodies.some((b) => rangesOverlap(b.range, e.range))) : edits;
}

function sameRange(a: Range, b: Range | undefined): boolean {
  return (
    !!b &&
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function isInFromTag(doc: ParsedDocument, position: Position): boolean {
  for (const from of doc.dockerfile.getFROMs()) {
    const r = from.getRange();
    if (position.line < r.start.line || position.line > r.end.line) continue;
    const line = doc.analysisText.split(/\r?\n/, position.line + 1)[position.line] ?? '';
    return /:[^\s/]*$/.test(line.slice(0, position.character));
  }
  return false;
}
