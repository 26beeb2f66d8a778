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
  run: (context: vscode.ExtensionContext) => unknown;
}

/** Every contributed command (COMMAND_IDS), registered at activation. */
const COMMANDS: Record<CommandId, Omit<CommandSpec, 'id'>> = {
  'layerwise.restartServer': { needsServer: false, run: (context) => restart(context) },
  'layerwise.showOutput': { needsServer: false, run: () => output?.show(true) },
};

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Layerwise', { log: true });
  context.subscriptions.push(output);
  for (const [id, spec] of Object.entries(COMMANDS) as [CommandId, CommandSpec][]) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async () => {
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
        return spec.run(context);
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
    synchronize: { configurationSection: 'layerwise' },
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
