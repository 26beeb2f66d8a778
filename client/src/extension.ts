import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { normalizeSettings } from '../../server/src/config';
import type { CommandId } from './command-ids';

/**
 * The thin client: starts the bundled server, registers the commands, and shapes settings into
 * the server's typed form. Everything else happens in the server.
 */

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

interface CommandSpec {
  id: CommandId;
  needsServer: boolean;
  run: (context: vscode.ExtensionContext, ...args: unknown[]) => unknown;
}

/** Every contributed command (COMMAND_IDS), registered at activation. */
const COMMANDS: Record<CommandId, Omit<CommandSpec, 'id'>> = {
  'layerwise.restartServer': { needsServer: false, run: (context) => restart(context) },
  'layerwise.showOutput': { needsServer: false, run: () => output?.show(true) },
  'layerwise.showRuleDocumentation': { needsServer: false, run: (context, rule) => showRuleDocumentation(context, rule) },
};

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Layerwise', { log: true });
  context.subscriptions.push(output);
  for (const [id, spec] of Object.entries(COMMANDS) as [CommandId, CommandSpec][]) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        if (spec.needsServer && client?.state !== State.Running) {
          const choice = await vscode.window.showWarningMessage(
            'The Layerwise language server is not running, so this command cannot run now.',
            'Restart Server',
            'Show Log',
          );
          if (choice === 'Restart Server') await restart(context);
          if (choice === 'Show Log') output?.show(true);
          return;
        }
        return spec.run(context, ...args);
      }),
    );
  }
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('server', 'out', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'dockerfile' }],
    outputChannel: output!,
    synchronize: {
      configurationSection: 'layerwise',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{.dockerignore,.containerignore,*.dockerignore,.hadolint.yaml,.hadolint.yml}'),
    },
    middleware: {
      workspace: {
        // Settings reach the server already shaped into LayerwiseSettings, one object per document.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((value, i) => (params.items[i]?.section === 'layerwise' ? normalizeSettings(value) : value));
        },
      },
    },
  };
  client = new LanguageClient('layerwise', 'Layerwise', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    output?.error(`The Layerwise language server did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage('The Layerwise language server did not start. See the Layerwise output for details.', 'Show Log').then(
      (choice) => choice && output?.show(true),
    );
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    await client.stop().catch(() => undefined);
    client = undefined;
  }
  await start(context);
}

/** Opens a rule's page from the docs shipped in the extension, rendered as Markdown. */
async function showRuleDocumentation(context: vscode.ExtensionContext, rule: unknown): Promise<void> {
  let id = typeof rule === 'string' ? rule : undefined;
  if (!id) {
    const files = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules'));
    id = await vscode.window.showQuickPick(
      files.map(([name]) => name.replace(/\.md$/, '')).filter((n) => n !== 'README'),
      { placeHolder: 'Which rule?' },
    );
    if (!id) return;
  }
  if (!/^[a-z0-9-]+$/.test(id)) return;
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${id}.md`));
}
