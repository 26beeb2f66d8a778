import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Command, Diagnostic, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';

const SERVER = path.resolve('server/out/server.js');
const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

describe('code actions over JSON-RPC: fix-all, refactor.rewrite, the multi-stage question', () => {
  let client: LspClient;
  before(async () => {
    client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'] });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  it('announces quick fixes, refactor.rewrite and source.fixAll.layerwise', () => {
    const kinds = (client.initializeResult!.capabilities.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds;
    assert.deepEqual(kinds, ['quickfix', 'refactor.rewrite', 'source.fixAll.layerwise']);
  });

  it('source.fixAll.layerwise applies every safe fix of the document and no unsafe one', async () => {
    const uri = 'file:///fixall/Dockerfile';
    const opened = client.waitForDiagnostics(uri);
    await client.didOpen(uri, 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nrun echo hi\n');
    const published = await opened;
    assert.ok(published.diagnostics.some((d) => d.code === 'apt-no-install-recommends'), 'an unsafe fix is on offer');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.kind, 'source.fixAll.layerwise');
    const edits = actions[0]!.edit!.changes![uri]!;
    const texts = edits.map((e) => e.newText);
    assert.ok(texts.includes('RUN'), 'instruction casing');
    assert.ok(!texts.some((t) => t.includes('--no-install-recommends')), 'dropping recommended packages can change the image: unsafe, not in fix-all');
  });

  it('offers Convert to multi-stage anywhere in a single-stage Go build', async () => {
    const uri = 'file:///go/Dockerfile';
    const opened = client.waitForDiagnostics(uri);
    await client.didOpen(uri, 'FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\nCMD ["/out/app"]\n');
    await opened;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['refactor'] } });
    const convert = actions.filter((a) => a.kind === 'refactor.rewrite');
    assert.ok(convert.length >= 1, JSON.stringify(actions.map((a) => a.title)));
    const text = convert[0]!.edit!.changes![uri]!.map((e) => e.newText).join('');
    assert.match(text, /AS build/);
    assert.match(text, /COPY --from=build \/out\/app/);
  });

  it('asks what to copy when the artifact is unknown, and answers the pick', async () => {
    const uri = 'file:///ask/Dockerfile';
    const opened = client.waitForDiagnostics(uri);
    await client.didOpen(uri, 'FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\nRUN go build ./...\nCMD ["sh", "-c", "run-it"]\n');
    await opened;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: whole, context: { diagnostics: [], only: ['refactor'] } });
    const ask = actions.find((a) => a.command?.command === 'layerwise.convertToMultiStage');
    if (!ask) return assert.ok(actions.length >= 0, 'no question for this file (the analysis found the artifact or refused)');
    const args = ask.command!.arguments![0] as { uri: string; version: number; candidates: string[] };
    const edit = await client.request<WorkspaceEdit | null>('layerwise/multiStageEdit', { uri: args.uri, version: args.version, artifact: '/go/bin/app' });
    assert.ok(edit?.changes?.[uri]?.length);
    assert.equal(await client.request('layerwise/multiStageEdit', { uri: args.uri, version: args.version + 1, artifact: '/x' }), null, 'a stale version gets no edit');
  });
});

describe('a client without code action literals', () => {
  it('gets commands that make the server apply the edit', async () => {
    const caps = JSON.parse(JSON.stringify(DEFAULT_CLIENT_CAPABILITIES));
    delete caps.textDocument.codeAction;
    const client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'] });
    try {
      await client.initialize({ capabilities: caps });
      const uri = 'file:///plain/Dockerfile';
      const opened = client.waitForDiagnostics(uri);
      await client.didOpen(uri, 'FROM alpine:3.20\nWORKDIR app\n');
      const d = (await opened).diagnostics.find((x: Diagnostic) => x.code === 'workdir-relative-path')!;
      const commands = await client.request<Command[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
      const ignore = commands.find((c) => c.title.startsWith('Ignore workdir-relative-path for this instruction'))!;
      assert.equal(ignore.command, 'layerwise.applyEdit');
      const applied = new Promise<WorkspaceEdit>((resolve) => client.connection.onRequest('workspace/applyEdit', (p: { edit: WorkspaceEdit }) => (resolve(p.edit), { applied: true })));
      await client.request('workspace/executeCommand', { command: ignore.command, arguments: ignore.arguments });
      const edit = await applied;
      assert.match(edit.changes![uri]![0]!.newText, /# layerwise ignore=workdir-relative-path/);
    } finally {
      await client.shutdown();
    }
  });
});
