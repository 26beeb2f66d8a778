/**
 * Layerwise through the `vscode` API, inside a real extension host: activation, diagnostics,
 * completion, hover and snippets on the fixture workspace (test/e2e/fixtures/workspace).
 */
import * as assert from 'node:assert/strict';
import Mocha from 'mocha';
import * as vscode from 'vscode';

const EXTENSION_ID = 'layerwise.layerwise';

async function poll<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function fileUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, name);
}

const labelOf = (item: vscode.CompletionItem): string => (typeof item.label === 'string' ? item.label : item.label.label);
const codeOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);

export function addLayerwiseTests(root: Mocha.Suite): void {
  const suite = Mocha.Suite.create(root, 'Layerwise in the extension host');
  const test = (title: string, fn: () => Promise<void>): void => {
    suite.addTest(new Mocha.Test(title, fn));
  };

  test('activates on a Dockerfile and gives it the dockerfile language', async () => {
    const doc = await vscode.workspace.openTextDocument(fileUri('Dockerfile'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'dockerfile');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    await poll('the extension to activate', () => ext.isActive);
    const contributed = ext.packageJSON.contributes;
    assert.ok(contributed.grammars.some((g: { scopeName: string }) => g.scopeName === 'source.dockerfile'));
  });

  test('publishes diagnostics for the fixture Dockerfile', async () => {
    const uri = fileUri('Dockerfile');
    const codes = await poll('apt-update-separate and json-args-recommended', () => {
      const found = vscode.languages.getDiagnostics(uri).map(codeOf);
      return found.includes('apt-update-separate') && found.includes('json-args-recommended') ? found : undefined;
    });
    assert.ok(codes.length >= 2);
  });

  test('completes instructions', async () => {
    const uri = fileUri('completion.dockerfile');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(1, 0));
    const labels = list.items.map(labelOf);
    for (const kw of ['RUN', 'COPY', 'ENTRYPOINT']) assert.ok(labels.some((l) => l.startsWith(kw)), `${kw} in ${labels.join(', ')}`);
    assert.ok(labels.includes('multistage-go'), 'the snippets are offered too');
  });

  test('shows documentation on hover', async () => {
    const uri = fileUri('Dockerfile');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 1));
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
      .join('\n');
    assert.match(text, /base ?image/i);
  });
}
