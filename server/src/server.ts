import {
  CodeActionKind,
  CodeLensRefreshRequest,
  createConnection,
  InlayHintRefreshRequest,
  LSPErrorCodes,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowDocumentRequest,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type CodeAction,
  type CodeLens,
  type Connection,
  type Command,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type ConnectionOptions,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, normalizeSettings, type LayerwiseSettings } from './config';
import { ParsedDocument } from './engine/document';
import {
  COMPLETION_TRIGGERS,
  EditorFeatures,
  ON_TYPE_FORMATTING_MORE,
  ON_TYPE_FORMATTING_TRIGGER,
  SIGNATURE_TRIGGERS,
} from './engine/editor-features';
import { SEMANTIC_TOKENS_LEGEND } from './engine/semantic-tokens';
import { inlayHints, resolveInlayHint } from './engine/inlay-hints';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fsBuildContext, type BuildContext } from './model/build-context';
import { findHadolintConfig, type HadolintConfig } from './engine/hadolint-config';
import { lintDocument, lintSteps, looksBinary, type LintEnvironment } from './engine/lint';
import { runCooperatively } from './engine/cooperative';
import { fixAllAction, FIX_ALL_KIND, ruleCodeActions, SERVER_RULE_DOCS_COMMAND, SHOW_RULE_DOCS_COMMAND } from './engine/rule-actions';
import { ruleDocsUri } from './engine/rule-docs';
import { multiStageEdit, multiStageActions } from './refactor/multi-stage';
import { initShellParser } from './model/shell';
import { layerMessage, RETRY_COMMAND, SERVER_COMMANDS, SHOW_LAYER_COMMAND, toCodeLenses, type LayerDetails } from './docker/lenses';
import {
  ANALYZE_IMAGE_REQUEST,
  ANALYZE_PROGRESS_NOTIFICATION,
  BUILD_IMAGE_REQUEST,
  BUILD_PROGRESS_NOTIFICATION,
  LIST_IMAGES_REQUEST,
  type AnalyzeImageParams,
  type AnalyzeImageResult,
  type ListImagesParams,
  type ListImagesResult,
  type BuildImageParams,
  type BuildImageResult,
  type BuildProgressParams,
} from './docker/protocol';
import { LayerLensService } from './docker/service';
import { ImageFactsService } from './docker/image-facts';
import { registryActions, registryBases, registryDigests, registryHover, registryLenses, type RegistryBase } from './registry/editor';
import { RegistryService } from './registry/service';
import type { Model } from './model/model';
import { cacheHover, cacheLenses, cacheSummary, CacheEditorService, hasEffectDiagnostics, type CacheDocument } from './cache/editor';
import { defaultTimingsDir, TimingsStore, type StepTiming } from './cache/timings';
import { NextBuildEditorService, nextBuildLenses, type NextBuildDocument } from './cache/next-build-editor';
import { BuildInputsStore, defaultInputsDir } from './cache/next-build-store';
import { planBuild } from './docker/build';
import { CACHE_CHANGED_NOTIFICATION, CACHE_SUMMARY_REQUEST, NEXT_BUILD_NOTIFICATION, type NextBuildParams, clientCommandsOf, type CacheSummaryParams, type CacheSummaryResult } from './docker/protocol';

/**
 * The language server: a transport adapter. It keeps the open documents, reads settings per
 * document, and forwards each request to the engine, which never sees the connection.
 */
export const APPLY_EDIT_COMMAND = 'layerwise.applyEdit';
/** How many documents keep their parse and model between requests. */
const PARSED_KEPT = 8;
/** How long a build context's listing is reused before the disk is read again (a save or a watched file clears it). */
const CONTEXT_REUSE_MS = 5_000;
export const MULTI_STAGE_EDIT_REQUEST = 'layerwise/multiStageEdit';

/**
 * A request the client cancelled before the server got to it (it was still queued behind a long
 * validation) is answered RequestCancelled without being computed: after a burst of edits the
 * editor has cancelled the questions about the old versions, and they cost nothing.
 */
export const CONNECTION_OPTIONS: ConnectionOptions = {
  connectionStrategy: {
    cancelUndispatched: (message) =>
      'id' in message && (typeof message.id === 'number' || typeof message.id === 'string')
        ? { jsonrpc: '2.0', id: message.id, error: new ResponseError(LSPErrorCodes.RequestCancelled, 'Cancelled before it ran.').toJson() }
        : undefined,
  },
};

export function startServer(connection: Connection): void {
  // The shell parser's wasm compiles while the client is told what the server can do; what
  // builds a model (diagnostics, hover, lenses, actions, builds) waits for it.
  const parserReady = initShellParser();
  const open = new Map<string, TextDocument>();
  const parsed = new Map<string, ParsedDocument>();
  const settingsCache = new Map<string, Promise<LayerwiseSettings>>();
  const pending = new Set<string>();
  let features = new EditorFeatures();
  let pullConfiguration = false;
  /** Clients that cannot take CodeAction literals get Commands that ask the server to apply the edit. */
  let codeActionLiterals = true;
  let workspaceRoots: string[] = [];
  const hadolintCache = new Map<string, HadolintConfig | undefined>();
  let codeLensRefresh = false;
  /** The client commands this client said it runs (see clientCommandsOf); anything else is not offered. */
  let clientCommands: ReadonlySet<string> = new Set();
  let showDocument = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  let inlayHintRefresh = false;
  /** Clients that resolve a hint's tooltip get it on hover instead of with every hint. */
  let inlayTooltipResolve = false;
  let inlayRefreshTimer: NodeJS.Timeout | undefined;
  /** Documents whose last inline hints included layer figures: new daemon or git data re-requests them. */
  const inlineLayers = new Set<string>();
  const refreshInlayHints = (always = false): void => {
    if (!inlayHintRefresh || (!always && !inlineLayers.size)) return;
    clearTimeout(inlayRefreshTimer);
    inlayRefreshTimer = setTimeout(() => void connection.sendRequest(InlayHintRefreshRequest.type).catch(() => undefined), 50);
  };
  // Layer sizes from the Docker daemon: its own caches and timeouts, never on the diagnostics path.
  const docker = new LayerLensService({
    log: (m) => connection.console.log(m),
    refresh: () => {
      refreshInlayHints();
      if (!codeLensRefresh) return;
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined), 50);
    },
  });

  // What the daemon has for base images (platform, digests): linting gets what is known, and runs again when more arrives.
  // The registry lens says whether the local image is current, so new facts refresh lenses too.
  const imageFacts = new ImageFactsService({
    log: (m) => connection.console.log(m),
    changed: () => {
      [...open.keys()].forEach((uri) => validate(uri));
      if (codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    },
  });

  // Registry answers for base images: only when the user allows it, in the background, then a refresh.
  let registryRefreshTimer: NodeJS.Timeout | undefined;
  const registry = new RegistryService({
    log: (m) => connection.console.log(m),
    changed: () => {
      clearTimeout(registryRefreshTimer);
      registryRefreshTimer = setTimeout(() => {
        for (const uri of open.keys()) validate(uri);
        if (codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
      }, 50);
    },
  });
  const registryBasesFor = (model: Model, settings: LayerwiseSettings): RegistryBase[] =>
    settings.registry.enabled
      ? registryBases(model, (ref, platform) => registry.lookup(ref, platform, settings.registry), imageFacts.current(model, settings.docker).daemonPlatform)
      : [];

  const contexts = new Map<string, { at: number; buildContext: BuildContext }>();
  /** The build context (the Dockerfile's folder) and the nearest `.hadolint.yaml`, for files on disk. */
  const environmentFor = (uri: string): LintEnvironment => {
    if (!uri.startsWith('file:')) return {};
    const file = fileURLToPath(uri);
    const dir = path.dirname(file);
    if (!hadolintCache.has(dir)) {
      const root = workspaceRoots.find((r) => dir === r || dir.startsWith(r + path.sep));
      hadolintCache.set(dir, findHadolintConfig(dir, root));
    }
    // One context per Dockerfile for a few seconds: keystrokes reuse its listing and the rules' walk
    // of the folder (up to 200 ms on a big context) instead of reading the disk again each time.
    let context = contexts.get(file);
    if (!context || Date.now() - context.at > CONTEXT_REUSE_MS) contexts.set(file, (context = { at: Date.now(), buildContext: fsBuildContext(dir, file) }));
    return {
      buildContext: context.buildContext,
      hadolint: hadolintCache.get(dir),
      onRuleError: (rule, e) => connection.console.error(`Rule ${rule} failed on ${uri}: ${(e as Error).stack ?? String(e)}`),
    };
  };

  /**
   * The parse and model of the documents in use; the others keep only their text. An editor with
   * hundreds of Dockerfiles open works on a few at a time, and a parse is cheap to make again.
   */
  const parsedFor = (uri: string): ParsedDocument | undefined => {
    const td = open.get(uri);
    if (!td) return undefined;
    let doc = parsed.get(uri);
    if (!doc || doc.version !== td.version) doc = new ParsedDocument(uri, td.version, td.getText());
    parsed.delete(uri);
    parsed.set(uri, doc);
    if (parsed.size > PARSED_KEPT) parsed.delete(parsed.keys().next().value as string);
    return doc;
  };

  /**
   * The document changed while a request waited (for settings, the validation, the daemon): its
   * answer would be for a version the editor no longer shows, so it is not computed.
   */
  const outdated = (doc: ParsedDocument): boolean => open.get(doc.uri)?.version !== doc.version;
  const contentModified = (): ResponseError<void> => new ResponseError(LSPErrorCodes.ContentModified, 'The document changed while this request waited; ask again.');

  /** Features other than diagnostics answer nothing on binary files. */
  const usable = (uri: string): ParsedDocument | undefined => {
    const doc = parsedFor(uri);
    return doc && !looksBinary(doc.text) ? doc : undefined;
  };

  const settingsFor = (uri: string): Promise<LayerwiseSettings> => {
    if (!pullConfiguration) return Promise.resolve(DEFAULT_SETTINGS);
    let s = settingsCache.get(uri);
    if (!s) {
      s = connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'layerwise' })
        .then(normalizeSettings, () => DEFAULT_SETTINGS);
      settingsCache.set(uri, s);
    }
    return s;
  };

  /** Per document, the validation in progress: lenses wait for it, so they never delay diagnostics. */
  const validations = new Map<string, Promise<void>>();
  /** The diagnostics last published per document: fix-all reuses them for the same version. */
  const published = new Map<string, { version: number; diagnostics: Diagnostic[] }>();
  const validate = (uri: string): void => {
    if (pending.has(uri)) return;
    pending.add(uri);
    let done!: () => void;
    validations.set(uri, new Promise<void>((resolve) => (done = resolve)));
    // Coalesce bursts of edits: validate whichever version is current when the queue reaches us.
    setImmediate(() => {
      pending.delete(uri);
      const doc = parsedFor(uri);
      if (!doc) return done();
      void Promise.all([settingsFor(uri), parserReady]).then(async ([settings]) => {
        const current = parsedFor(uri);
        if (!current || current.version !== doc.version) return done();
        // In steps with turns of the event loop between them: other documents' diagnostics and
        // requests are answered while a large one is linted, and a newer version abandons it.
        const steps = lintSteps(doc, settings, {
          ...environmentFor(uri),
          factsFor: (model) => ({ ...imageFacts.current(model, settings.docker), registryDigests: registryDigests(registryBasesFor(model, settings)) }),
        });
        let diagnostics: Diagnostic[] | undefined;
        try {
          diagnostics = await runCooperatively(steps, { stale: () => outdated(doc) });
        } catch (e) {
          connection.console.error(`Validation of ${uri} failed: ${(e as Error).stack ?? String(e)}`);
          diagnostics = [];
        }
        if (diagnostics === undefined || outdated(doc)) return done();
        // Done once written: what waits for it (lenses) then cannot hold the message back.
        published.set(uri, { version: doc.version, diagnostics });
        connection.sendDiagnostics({ uri, version: doc.version, diagnostics: withCacheEffects(uri, doc.text, diagnostics) }).then(done, done);
      });
    });
  };

  // Build-cache figures from the git history: computed in the background, never on the diagnostics path.
  const timingsStore = new TimingsStore(defaultTimingsDir());
  let cacheLensTimer: NodeJS.Timeout | undefined;
  /** Per document, the fix effects last sent in its diagnostics (a changed result re-publishes only when they differ). */
  const sentEffects = new Map<string, string>();
  const cache = new CacheEditorService({
    log: (m) => connection.console.log(m),
    timingsStore,
    changed: (uri) => {
      const doc = usable(uri);
      const last = published.get(uri);
      if (doc && last && last.version === doc.version) {
        const diagnostics = cache.withEffects(uri, doc.text, last.diagnostics);
        const effects = effectsSent(last.diagnostics, diagnostics);
        if (sentEffects.get(uri) !== effects) {
          sentEffects.set(uri, effects);
          void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
        }
      }
      if (inlineLayers.has(uri)) refreshInlayHints();
      if (codeLensRefresh) {
        void settingsFor(uri).then((s) => {
          if (!s.cache.codeLens) return;
          clearTimeout(cacheLensTimer);
          cacheLensTimer = setTimeout(() => void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined), 50);
        });
      }
      void connection.sendNotification(CACHE_CHANGED_NOTIFICATION, { uri });
    },
  });
  // What the next build re-runs (against the last recorded build): lenses and the status bar text.
  let nextBuildLensTimer: NodeJS.Timeout | undefined;
  const nextBuild = new NextBuildEditorService({
    store: new BuildInputsStore(defaultInputsDir()),
    timings: timingsStore,
    log: (m) => connection.console.log(m),
    changed: (uri, state) => {
      const tooltip =
        state.kind === 'prediction'
          ? state.prediction.steps.filter((s) => s.willRun !== false).map((s) => `line ${s.line}: ${s.willRun ? 're-runs' : 'may re-run'} (${s.reason})`).join('\n') || 'Every step is cached.'
          : state.kind === 'no-record'
            ? 'The prediction needs one build of this Dockerfile from the editor (Layerwise: Build Image) or a `layerwise record --image REF Dockerfile` run after a docker build.'
            : state.summary;
      const params: NextBuildParams = { uri, text: state.summary, tooltip };
      void connection.sendNotification(NEXT_BUILD_NOTIFICATION, params);
      if (codeLensRefresh) {
        clearTimeout(nextBuildLensTimer);
        nextBuildLensTimer = setTimeout(() => void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined), 50);
      }
    },
  });
  /** What the next-build service needs of a Dockerfile on disk, with the target and build args Build Image would use. */
  const nextBuildDocFor = async (uri: string): Promise<NextBuildDocument | undefined> => {
    if (!uri.startsWith('file:')) return undefined;
    const doc = usable(uri);
    if (!doc) return undefined;
    // The model is cached per version: one built before the shell parser is ready has no RUN commands.
    const [settings] = await Promise.all([settingsFor(uri), parserReady]);
    if (!settings.cache.enable) return undefined;
    const file = fileURLToPath(uri);
    const planned = planBuild(doc.model(settings.buildArgs), file, settings.docker, settings.buildArgs);
    if (!planned.ok) return undefined;
    return { uri, file, settings: { target: planned.plan.target, buildArgs: settings.buildArgs }, imageId: (ref) => docker.imageId(settings.docker, ref) };
  };
  const refreshNextBuild = (uri: string): void => void nextBuildDocFor(uri).then((d) => d && nextBuild.refresh(d));
  const effectsSent = (raw: Diagnostic[], sent: Diagnostic[]): string => sent.filter((d, i) => d !== raw[i]).map((d) => d.message).join('\n');
  /** What the cache service needs of a document, or undefined where it shows nothing (not a file, setting off). */
  const cacheDocFor = async (uri: string): Promise<CacheDocument | undefined> => {
    const doc = uri.startsWith('file:') ? usable(uri) : undefined;
    if (!doc) return undefined;
    const settings = await settingsFor(uri);
    if (!settings.cache.enable) {
      cache.forget(uri);
      return undefined;
    }
    const last = published.get(uri);
    const diagnostics = last?.version === doc.version ? last.diagnostics : undefined;
    return { uri, file: fileURLToPath(uri), version: doc.version, text: doc.text, commits: settings.cache.commits, buildArgs: settings.buildArgs, diagnostics };
  };
  /** The diagnostics as sent: with the effect of the cache fixes once known for this text; a new publish also asks for the figures. */
  function withCacheEffects(uri: string, text: string, diagnostics: Diagnostic[]): Diagnostic[] {
    const sent = cache.withEffects(uri, text, diagnostics);
    sentEffects.set(uri, effectsSent(diagnostics, sent));
    // Only a diagnostic that gets a figure makes a publish ask git; hover, lenses and the status bar ask for their own.
    if (hasEffectDiagnostics(diagnostics)) void cacheDocFor(uri).then((d) => d && cache.current(d));
    return sent;
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pullConfiguration = !!params.capabilities.workspace?.configuration;
    codeActionLiterals = !!params.capabilities.textDocument?.codeAction?.codeActionLiteralSupport;
    codeLensRefresh = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    clientCommands = clientCommandsOf(params.capabilities);
    showDocument = !!params.capabilities.window?.showDocument?.support;
    inlayHintRefresh = !!params.capabilities.workspace?.inlayHint?.refreshSupport;
    inlayTooltipResolve = !!params.capabilities.textDocument?.inlayHint?.resolveSupport?.properties.includes('tooltip');
    workspaceRoots = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []))
      .filter((f) => f.uri.startsWith('file:'))
      .map((f) => fileURLToPath(f.uri));
    const td = params.capabilities.textDocument;
    features = new EditorFeatures(
      {
        completion: { completionItem: td?.completion?.completionItem ?? {} },
        hover: { contentFormat: td?.hover?.contentFormat ?? [] },
        foldingRange: {
          lineFoldingOnly: td?.foldingRange?.lineFoldingOnly ?? false,
          ...(td?.foldingRange?.rangeLimit !== undefined ? { rangeLimit: td.foldingRange.rangeLimit } : {}),
        },
      } as never,
      (m) => connection.console.log(m),
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: true },
        hoverProvider: true,
        signatureHelpProvider: { triggerCharacters: SIGNATURE_TRIGGERS },
        definitionProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentLinkProvider: { resolveProvider: false },
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        documentOnTypeFormattingProvider: { firstTriggerCharacter: ON_TYPE_FORMATTING_TRIGGER, moreTriggerCharacter: ON_TYPE_FORMATTING_MORE },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, FIX_ALL_KIND] },
        codeLensProvider: { resolveProvider: false },
        inlayHintProvider: { resolveProvider: inlayTooltipResolve },
        executeCommandProvider: { commands: [...SERVER_COMMANDS, APPLY_EDIT_COMMAND, SERVER_RULE_DOCS_COMMAND] },
      },
      serverInfo: { name: 'layerwise', version: '0.1.0' },
    };
  });

  connection.onDidChangeConfiguration(() => {
    // First, so a client that cannot take it would see it before the CodeLens refresh below.
    refreshInlayHints(true);
    settingsCache.clear();
    hadolintCache.clear();
    contexts.clear();
    docker.configurationChanged();
    cache.invalidate();
    for (const uri of open.keys()) validate(uri);
  });

  connection.onDidOpenTextDocument(({ textDocument: t }) => {
    open.set(t.uri, TextDocument.create(t.uri, t.languageId, t.version, t.text));
    cache.activity();
    validate(t.uri);
    refreshNextBuild(t.uri);
  });
  connection.onDidChangeTextDocument(({ textDocument: t, contentChanges }) => {
    const td = open.get(t.uri);
    if (!td) return;
    open.set(t.uri, TextDocument.update(td, contentChanges, t.version ?? td.version + 1));
    cache.activity();
    validate(t.uri);
  });
  const revalidateAll = (): void => {
    // A changed .hadolint.yaml or .dockerignore changes findings: re-read them.
    hadolintCache.clear();
    contexts.clear();
    for (const uri of open.keys()) validate(uri);
  };
  connection.onDidSaveTextDocument(({ textDocument }) => {
    revalidateAll();
    docker.saved();
    refreshNextBuild(textDocument.uri);
  });
  connection.onDidChangeWatchedFiles(() => {
    revalidateAll();
    // .dockerignore decides what each COPY takes.
    cache.invalidate();
  });
  connection.onDidCloseTextDocument(({ textDocument: t }) => {
    open.delete(t.uri);
    parsed.delete(t.uri);
    if (t.uri.startsWith('file:')) {
      contexts.delete(fileURLToPath(t.uri));
      // Read again at the next open: clients that do not watch files never say it changed, and an
      // entry per folder ever opened would stay for good.
      hadolintCache.delete(path.dirname(fileURLToPath(t.uri)));
    }
    validations.delete(t.uri);
    published.delete(t.uri);
    settingsCache.delete(t.uri);
    inlineLayers.delete(t.uri);
    cache.forget(t.uri);
    nextBuild.forget(t.uri);
    sentEffects.delete(t.uri);
    void connection.sendDiagnostics({ uri: t.uri, diagnostics: [] });
  });

  connection.onCompletion(async ({ textDocument, position }) => {
    const doc = usable(textDocument.uri);
    if (!doc) return [];
    const settings = await settingsFor(doc.uri);
    return outdated(doc) ? contentModified() : features.completion(doc, position, settings);
  });
  connection.onCompletionResolve((item) => features.resolveCompletion(item));
  connection.onHover(async ({ textDocument, position }, token) => {
    await parserReady;
    const doc = usable(textDocument.uri);
    if (!doc) return null;
    if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'Cancelled');
    const hoverSettings = await settingsFor(doc.uri);
    const hoverModel = doc.model(hoverSettings.buildArgs);
    const hover = registryHover(registryBasesFor(hoverModel, hoverSettings), position, features.hover(doc, position), imageFacts.current(hoverModel, hoverSettings.docker).images);
    // The build-cache line joins the keyword's hover, from the last finished result (never waiting for git).
    const cacheDoc = await cacheDocFor(doc.uri);
    if (!cacheDoc || usable(doc.uri) !== doc) return hover;
    return cacheHover(cache.current(cacheDoc), doc.model((await settingsFor(doc.uri)).buildArgs), position, hover);
  });
  connection.onSignatureHelp(({ textDocument, position }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.signatureHelp(doc, position) : null;
  });
  connection.onDefinition(({ textDocument, position }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.definition(doc, position) : null;
  });
  connection.onDocumentHighlight(({ textDocument, position }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.highlights(doc, position) : [];
  });
  connection.onPrepareRename(({ textDocument, position }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.prepareRename(doc, position) : null;
  });
  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.rename(doc, position, newName) : null;
  });
  connection.onDocumentSymbol(({ textDocument }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.symbols(doc) : [];
  });
  connection.onFoldingRanges(({ textDocument }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.folding(doc) : [];
  });
  connection.onDocumentLinks(({ textDocument }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.links(doc) : [];
  });
  connection.languages.semanticTokens.on(({ textDocument }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.semanticTokens(doc) : { data: [] };
  });
  connection.onDocumentFormatting(async ({ textDocument, options }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.format(doc, options, await settingsFor(doc.uri)) : [];
  });
  connection.onDocumentRangeFormatting(async ({ textDocument, range, options }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.formatRange(doc, range, options, await settingsFor(doc.uri)) : [];
  });
  connection.onDocumentOnTypeFormatting(async ({ textDocument, position, ch, options }) => {
    const doc = usable(textDocument.uri);
    return doc ? features.formatOnType(doc, position, ch, options, await settingsFor(doc.uri)) : [];
  });
  connection.onCodeAction(async ({ textDocument, range, context }): Promise<(CodeAction | Command)[] | ResponseError<void>> => {
    await parserReady;
    const doc = usable(textDocument.uri);
    if (!doc) return [];
    const wants = (kind: string): boolean => !context.only || context.only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    const docsCommand = clientCommands.has(SHOW_RULE_DOCS_COMMAND) ? SHOW_RULE_DOCS_COMMAND : SERVER_RULE_DOCS_COMMAND;
    if (wants(CodeActionKind.QuickFix)) actions.push(...features.syntaxCodeActions(doc, range, context), ...ruleCodeActions(doc, context.diagnostics, docsCommand));
    if (wants(FIX_ALL_KIND) && context.only) {
      // Fix-all (e.g. editor.codeActionsOnSave) covers the whole document, not only the diagnostics in view.
      const settings = await settingsFor(doc.uri);
      const last = published.get(doc.uri);
      const all = fixAllAction(doc, last?.version === doc.version ? last.diagnostics : lintDocument(doc, settings, environmentFor(doc.uri)));
      if (all) actions.push(all);
    }
    if (wants(CodeActionKind.RefactorRewrite)) {
      const settings = await settingsFor(doc.uri);
      // Its question (which artifact) is a quick pick of the client's: only where the client runs it.
      const rewrites = multiStageActions(doc, range, { buildContext: environmentFor(doc.uri).buildContext, buildArgs: settings.buildArgs });
      actions.push(...rewrites.filter((a) => !a.command || clientCommands.has(a.command.command)));
      const model = doc.model(settings.buildArgs);
      actions.push(...registryActions(model, doc.uri, registryBasesFor(model, settings), range));
    }
    if (outdated(doc)) return contentModified();
    if (codeActionLiterals) return actions;
    return actions.map((a): Command => (a.edit ? { title: a.title, command: APPLY_EDIT_COMMAND, arguments: [a.edit] } : (a.command ?? { title: a.title, command: '' })));
  });
  connection.onRequest(MULTI_STAGE_EDIT_REQUEST, async ({ uri, version, artifact }: { uri: string; version: number; artifact: string }) => {
    await parserReady;
    const doc = usable(uri);
    if (!doc || doc.version !== version) return null;
    const settings = await settingsFor(uri);
    return multiStageEdit(doc, { artifact, buildContext: environmentFor(uri).buildContext, buildArgs: settings.buildArgs }) ?? null;
  });

  /** The layer lenses and their cache part, for wherever `layerwise.layers.display` puts them. */
  const layerLenses = async (doc: ParsedDocument, settings: LayerwiseSettings, waitMs?: number): Promise<CodeLens[]> => {
    const model = doc.model(settings.buildArgs);
    let lenses: CodeLens[] = [];
    try {
      lenses = toCodeLenses(await docker.lenses({ model, docker: settings.docker }, waitMs), model, doc.uri, (c) => clientCommands.has(c));
    } catch (e) {
      connection.console.error(`Layer sizes for ${doc.uri} failed: ${(e as Error).stack ?? String(e)}`);
    }
    // The cache part answers from the last finished result; a newer one sends the refresh requests.
    if (settings.cache.codeLens) {
      const cacheDoc = await cacheDocFor(doc.uri);
      if (cacheDoc) lenses.push(...cacheLenses(cache.current(cacheDoc), model));
      lenses.push(...nextBuildLenses(nextBuild.current(doc.uri), model));
    }
    return lenses;
  };
  connection.onCodeLens(async ({ textDocument }): Promise<CodeLens[] | ResponseError<void>> => {
    await parserReady;
    // Diagnostics first: the first lens request loads the Docker client, which takes a moment.
    const validation = validations.get(textDocument.uri);
    if (validation) await Promise.race([validation, new Promise((r) => setTimeout(r, 1000))]);
    const doc = usable(textDocument.uri);
    if (!doc) return [];
    const settings = await settingsFor(doc.uri);
    if (settings.layers.display !== 'lens' && settings.layers.display !== 'both') return [];
    const lenses = await layerLenses(doc, settings);
    const lensModel = doc.model(settings.buildArgs);
    lenses.push(...registryLenses(registryBasesFor(lensModel, settings), imageFacts.current(lensModel, settings.docker).images));
    return outdated(doc) ? contentModified() : lenses;
  });
  const hintSettings = (settings: LayerwiseSettings) => ({ buildArgs: settings.buildArgs, variables: settings.inlayHints.variables, stages: settings.inlayHints.stages });
  // Computed on request from the version's cached model, never on the diagnostics path; the layer
  // figures answer from the daemon snapshot as it is (a snapshot still loading refreshes them later).
  connection.languages.inlayHint.on(async ({ textDocument, range }) => {
    await parserReady;
    const doc = usable(textDocument.uri);
    if (!doc) return [];
    const settings = await settingsFor(doc.uri);
    const inline = settings.layers.display === 'inline' || settings.layers.display === 'both';
    if (inline) inlineLayers.add(doc.uri);
    else inlineLayers.delete(doc.uri);
    const lenses = inline ? await layerLenses(doc, settings, 0) : undefined;
    const hints = inlayHints(doc, range, { ...hintSettings(settings), lenses, tooltips: !inlayTooltipResolve });
    if (!inlayTooltipResolve) return hints;
    const data = { uri: doc.uri, version: doc.version };
    return hints.map((h) => (h.tooltip || Array.isArray(h.label) ? h : { ...h, data }));
  });
  connection.languages.inlayHint.resolve(async (hint) => {
    const data = hint.data as { uri?: string; version?: number } | undefined;
    const doc = data?.uri ? usable(data.uri) : undefined;
    if (!doc || doc.version !== data?.version) return hint;
    const settings = await settingsFor(doc.uri);
    return resolveInlayHint(doc, hint, hintSettings(settings));
  });
  connection.onExecuteCommand(({ command, arguments: args }) => {
    if (command === APPLY_EDIT_COMMAND && args?.[0]) {
      void connection.workspace.applyEdit(args[0] as WorkspaceEdit);
      return;
    }
    if (command === SERVER_RULE_DOCS_COMMAND && typeof args?.[0] === 'string' && /^[a-z0-9-]+$/.test(args[0])) {
      const uri = ruleDocsUri(args[0]);
      if (showDocument) void connection.sendRequest(ShowDocumentRequest.type, { uri, external: false });
      else void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: `${args[0]}: ${uri}` });
      return;
    }
    if (command === RETRY_COMMAND) docker.retry();
    else if (command === SHOW_LAYER_COMMAND && args?.[0]) {
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: layerMessage(args[0] as LayerDetails) });
    }
  });
  /** The open document, else the saved file (a `file:` uri); throws when the file cannot be read. */
  const openOrSaved = (uri: string): ParsedDocument => parsedFor(uri) ?? new ParsedDocument(uri, 0, fs.readFileSync(fileURLToPath(uri), 'utf8'));
  connection.onRequest(BUILD_IMAGE_REQUEST, async ({ uri, buildId }: BuildImageParams, token): Promise<BuildImageResult> => {
    await parserReady;
    const failed = (error: string): BuildImageResult => ({
      ok: false,
      cancelled: false,
      tag: undefined,
      target: undefined,
      builder: undefined,
      imageId: undefined,
      durationMs: 0,
      error,
    });
    if (!uri.startsWith('file:')) return failed('Save the Dockerfile to a folder first: the build context is its folder.');
    const file = fileURLToPath(uri);
    let doc: ParsedDocument;
    try {
      doc = openOrSaved(uri);
    } catch (e) {
      return failed(`Cannot read ${file}: ${(e as Error).message}`);
    }
    const settings = await settingsFor(uri);
    const progress = (p: Omit<BuildProgressParams, 'buildId'>): void => void connection.sendNotification(BUILD_PROGRESS_NOTIFICATION, { buildId, ...p });
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const timings: StepTiming[] = [];
    const result = await docker.build(
      { model: doc.model(settings.buildArgs), docker: settings.docker, dockerfilePath: file, buildArgs: settings.buildArgs },
      { signal: abort.signal, onLine: (line) => progress({ line }), onStep: (step) => progress({ step }), onStepTiming: (t) => timings.push(t) },
    );
    // The steps' durations are c_i of the cache figures (the command line reads the same store).
    if (timings.length) {
      await timingsStore.record(file, timings).catch((e: unknown) => connection.console.error(`Recording build timings failed: ${(e as Error).message}`));
      cache.invalidate();
    }
    if (!('tag' in result)) return failed(result.error);
    // The inputs of a BuildKit build, for what the next one re-runs (the classic builder's cache differs).
    if (result.ok && result.builder === 'buildkit') {
      const nbDoc = await nextBuildDocFor(uri);
      if (nbDoc) await nextBuild.recordBuild(nbDoc, result.imageId);
    }
    if (!result.ok && !result.cancelled) connection.console.log(`Build of ${result.tag} failed: ${result.error}`);
    return {
      ok: result.ok,
      cancelled: result.cancelled,
      tag: result.tag,
      target: result.target,
      builder: result.builder,
      imageId: result.imageId,
      durationMs: result.durationMs,
      error: result.error,
    };
  });
  /** The Dockerfile Analyze Image links layers to, when there is one to read. */
  const dockerfileFor = (uri: string | undefined): ParsedDocument | undefined => {
    if (!uri) return undefined;
    if (!uri.startsWith('file:')) return parsedFor(uri);
    try {
      return openOrSaved(uri);
    } catch {
      return undefined;
    }
  };
  connection.onRequest(LIST_IMAGES_REQUEST, async ({ uri }: ListImagesParams): Promise<ListImagesResult> => {
    await parserReady;
    const settings = await settingsFor(uri ?? '');
    const doc = dockerfileFor(uri);
    try {
      return await docker.listImages({ model: doc?.model(settings.buildArgs), docker: settings.docker });
    } catch (e) {
      connection.console.error(`Listing images failed: ${(e as Error).stack ?? String(e)}`);
      return { ok: false, error: `Listing images failed: ${(e as Error).message}` };
    }
  });
  connection.onRequest(ANALYZE_IMAGE_REQUEST, async ({ image, uri, analysisId }: AnalyzeImageParams, token): Promise<AnalyzeImageResult> => {
    await parserReady;
    const settings = await settingsFor(uri ?? '');
    const doc = dockerfileFor(uri);
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let last = 0;
    const onProgress = (bytes: number, totalBytes: number | undefined): void => {
      // At most ten notifications a second: the export runs at hundreds of MB/s.
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      // Before the first byte the daemon is preparing the export (moby writes it to a temporary folder first).
      const message = bytes === 0 ? 'Waiting for Docker to export the image…' : undefined;
      void connection.sendNotification(ANALYZE_PROGRESS_NOTIFICATION, { analysisId, bytes, totalBytes, message });
    };
    try {
      const dockerfile = uri?.startsWith('file:') ? fileURLToPath(uri) : uri;
      const result = await docker.analyze({ model: doc?.model(settings.buildArgs), docker: settings.docker, image, dockerfile }, { signal: abort.signal, onProgress });
      if (result.ok) connection.console.log(`Analyzed ${image}: ${result.analysis.layers.length} history entries, ${result.analysis.archiveSize} bytes read in ${result.analysis.durationMs} ms.`);
      else if (!result.cancelled) connection.console.log(`Analyze ${image}: ${result.error}`);
      return result;
    } catch (e) {
      connection.console.error(`Analyze ${image} failed: ${(e as Error).stack ?? String(e)}`);
      return { ok: false, cancelled: false, notFound: false, error: `Analyzing ${image} failed: ${(e as Error).message}` };
    }
  });
  connection.onRequest(CACHE_SUMMARY_REQUEST, async ({ uri }: CacheSummaryParams): Promise<CacheSummaryResult> => {
    const cacheDoc = await cacheDocFor(uri);
    if (!cacheDoc) return { available: false, reason: 'No build-cache figures for this document (not an open file, or layerwise.cache.enable is off).' };
    return cacheSummary(await cache.settled(cacheDoc));
  });
  connection.onShutdown(() => {
    docker.dispose();
    cache.dispose();
    nextBuild.dispose();
  });

  connection.listen();
}

/** Starts the server; createConnection picks the transport from the command line: --stdio, --node-ipc or --socket=N. */
export function main(): void {
  startServer(createConnection(ProposedFeatures.all, CONNECTION_OPTIONS));
}

if (require.main === module) main();
