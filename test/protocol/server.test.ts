import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  CompletionItem,
  DocumentHighlight,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InitializeResult,
  Location,
  Range,
  SemanticTokens,
  SignatureHelp,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client';

const SERVER = path.resolve('server/out/server.js');
const URI = 'file:///workspace/Dockerfile';
const TEXT = [
  'FROM alpine:3.20 AS build', // 0
  'ARG VERSION=1.0', // 1
  'ENV APP_VERSION=$VERSION', // 2
  'run echo $VERSION', // 3
  'WORKDIR /app', // 4
  'FROM build', // 5
  'COPY --from=build /app /app', // 6
  '# see https://docs.docker.com/reference/dockerfile/', // 7
  'CMD ["sh"]', // 8
  '',
].join('\n');

describe('the bundled server over stdio, as an editor drives it', () => {
  let client: LspClient;
  let init: InitializeResult;
  const settings = { layerwise: { validation: { enable: true } } };

  before(async () => {
    client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], settings });
    init = await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  it('announces every capability it answers', () => {
    const c = init.capabilities;
    assert.equal(init.serverInfo?.name, 'layerwise');
    assert.equal((c.textDocumentSync as { change: number }).change, 2);
    assert.ok(c.completionProvider?.resolveProvider);
    for (const key of [
      'hoverProvider',
      'signatureHelpProvider',
      'definitionProvider',
      'documentHighlightProvider',
      'documentSymbolProvider',
      'foldingRangeProvider',
      'documentLinkProvider',
      'documentFormattingProvider',
      'documentRangeFormattingProvider',
      'documentOnTypeFormattingProvider',
      'codeActionProvider',
    ] as const) {
      assert.ok(c[key], key);
    }
    assert.deepEqual(c.renameProvider, { prepareProvider: true });
    assert.ok(c.semanticTokensProvider?.legend.tokenTypes.includes('keyword'));
  });

  it('publishes diagnostics on open, versioned, and again on change', async () => {
    const opened = client.waitForDiagnostics(URI, { version: 1 });
    await client.didOpen(URI, TEXT, 1);
    const first = await opened;
    const casing = first.diagnostics.find((d) => d.code === 'syntax/casing-instruction');
    assert.ok(casing, JSON.stringify(first.diagnostics));
    assert.deepEqual(casing.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 3 } });
    assert.equal(casing.source, 'layerwise');

    const changed = client.waitForDiagnostics(URI, { version: 2 });
    await client.didChange(URI, 2, [{ range: { start: { line: 9, character: 0 }, end: { line: 9, character: 0 } }, text: 'WRONG x\n' }]);
    const second = await changed;
    assert.ok(second.diagnostics.some((d) => d.code === 'syntax/unknown-instruction' && d.range.start.line === 9));

    const restored = client.waitForDiagnostics(URI, { version: 3 });
    await client.didChange(URI, 3, [{ range: { start: { line: 9, character: 0 }, end: { line: 10, character: 0 } }, text: '' }]);
    assert.ok(!(await restored).diagnostics.some((d) => d.code === 'syntax/unknown-instruction'));
  });

  it('offers the quick fix for a diagnostic, with its edit inline', async () => {
    const d = client.latestDiagnostics.get(URI)!.diagnostics.find((x) => x.code === 'syntax/casing-instruction')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const fix = actions.find((a) => /uppercase/i.test(a.title));
    assert.ok(fix, JSON.stringify(actions));
    assert.deepEqual(fix.edit?.changes?.[URI], [{ range: d.range, newText: 'RUN' }]);
    assert.deepEqual(fix.diagnostics, [d]);
  });

  it('completes instructions and resolves the item', async () => {
    const items = await client.request<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri: URI },
      position: { line: 4, character: 0 },
    });
    const workdir = items.find((i) => i.label.startsWith('WORKDIR '));
    assert.ok(workdir, items.map((i) => i.label).join(','));
    const resolved = await client.request<CompletionItem>('completionItem/resolve', workdir);
    assert.ok(resolved.documentation, 'resolve adds documentation');
  });

  it('hovers an instruction and a variable', async () => {
    const onKeyword = await client.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: { line: 4, character: 2 } });
    assert.match(JSON.stringify(onKeyword.contents), /working directory/i);
    const onVariable = await client.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: { line: 3, character: 12 } });
    assert.match(JSON.stringify(onVariable.contents), /1\.0/);
  });

  it('gives signature help on a flag', async () => {
    const help = await client.request<SignatureHelp>('textDocument/signatureHelp', {
      textDocument: { uri: URI },
      position: { line: 6, character: 7 },
    });
    assert.ok(help.signatures.length > 0);
  });

  it('goes to the definition of a stage and of a variable, and highlights its uses', async () => {
    const stage = await client.request<Location>('textDocument/definition', { textDocument: { uri: URI }, position: { line: 6, character: 14 } });
    assert.equal(stage.range.start.line, 0);
    const variable = await client.request<Location>('textDocument/definition', { textDocument: { uri: URI }, position: { line: 3, character: 12 } });
    assert.equal(variable.range.start.line, 1);
    const highlights = await client.request<DocumentHighlight[]>('textDocument/documentHighlight', {
      textDocument: { uri: URI },
      position: { line: 1, character: 5 },
    });
    assert.deepEqual(highlights.map((h) => h.range.start.line).sort(), [1, 2, 3]);
  });

  it('prepares and performs a rename of a build stage', async () => {
    const range = await client.request<Range>('textDocument/prepareRename', { textDocument: { uri: URI }, position: { line: 0, character: 22 } });
    assert.deepEqual(range, { start: { line: 0, character: 20 }, end: { line: 0, character: 25 } });
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri: URI },
      position: { line: 0, character: 22 },
      newName: 'builder',
    });
    assert.deepEqual(edit.changes?.[URI]?.map((e) => e.range.start.line).sort(), [0, 5, 6]);
  });

  it('lists symbols by stage, folds, links and colours', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: URI } });
    assert.deepEqual(symbols.map((s) => s.name), ['FROM', 'FROM']);
    assert.equal(symbols[0]!.detail, 'alpine:3.20 AS build');
    assert.deepEqual(symbols[0]!.children!.map((s) => s.name), ['ARG', 'ENV', 'run', 'WORKDIR']);
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: URI } });
    assert.ok(Array.isArray(folds));
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: URI } });
    assert.ok(links.some((l) => l.target?.includes('hub.docker.com') || l.target?.includes('alpine')), JSON.stringify(links));
    const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: URI } });
    assert.equal(tokens.data.length % 5, 0);
    const legend = init.capabilities.semanticTokensProvider!.legend.tokenTypes;
    // The first token is the FROM keyword at 0:0, length 4.
    assert.deepEqual(tokens.data.slice(0, 4), [0, 0, 4, legend.indexOf('keyword')]);
  });

  it('formats the document, a range, and on type', async () => {
    const messy = 'FROM alpine\n   RUN echo a \\\necho b\n';
    const uri = 'file:///workspace/messy/Dockerfile';
    await client.didOpen(uri, messy, 1);
    const options = { tabSize: 4, insertSpaces: true };
    const doc = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });
    assert.ok(doc.some((e) => e.range.start.line === 1 && e.newText === ''));
    assert.ok(doc.some((e) => e.range.start.line === 2 && e.newText === '    '));
    const range = await client.request<TextEdit[]>('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } },
      options,
    });
    assert.deepEqual(range.map((e) => e.range.start.line), [1]);
    const onType = await client.request<TextEdit[]>('textDocument/onTypeFormatting', {
      textDocument: { uri },
      position: { line: 1, character: 15 },
      ch: '\\',
      options,
    });
    assert.ok(Array.isArray(onType));
  });

  it('honours settings read per document, and a configuration change', async () => {
    assert.ok(client.configurationRequests.some((i) => i.section === 'layerwise' && i.scopeUri === URI));
    settings.layerwise.validation.enable = false;
    const isSyntax = (d: { code?: unknown }) => String(d.code).startsWith('syntax/');
    const quiet = client.waitForDiagnostics(URI, (p) => !p.diagnostics.some(isSyntax), 5000);
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    await quiet;
    settings.layerwise.validation.enable = true;
    const loud = client.waitForDiagnostics(URI, (p) => p.diagnostics.some(isSyntax), 5000);
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    await loud;
  });

  it('answers a binary file with one clear diagnostic and empty features', async () => {
    const uri = 'file:///workspace/binary/Dockerfile';
    const published = client.waitForDiagnostics(uri);
    await client.didOpen(uri, 'FROM x\u0000\u0001\u0002', 1);
    const d = await published;
    assert.deepEqual(d.diagnostics.map((x) => x.code), ['binary-file']);
    assert.deepEqual(await client.request('textDocument/documentSymbol', { textDocument: { uri } }), []);
  });

  it('clears diagnostics when a document closes', async () => {
    const cleared = client.waitForDiagnostics(URI, (p) => p.diagnostics.length === 0);
    await client.didClose(URI);
    await cleared;
  });
});

describe('the bundled server over node-ipc', () => {
  it('initializes as VS Code starts it', async () => {
    const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const result = await connection.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      assert.equal(result.serverInfo?.name, 'layerwise');
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});
