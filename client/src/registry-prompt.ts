import * as vscode from 'vscode';

/**
 * The one-time question before Layerwise sends anything to an image registry: asked when the first
 * Dockerfile opens, only in a trusted workspace, and only while `layerwise.registry.enabled` is set
 * nowhere (a user who chose either way is not asked). The answer is kept in user settings.
 */

const ASKED_KEY = 'layerwise.registry.asked';
const ALLOW = 'Allow';
const NOT_NOW = 'Keep off';

function explicitlySet(): boolean {
  const i = vscode.workspace.getConfiguration('layerwise').inspect<boolean>('registry.enabled');
  return i?.globalValue !== undefined || i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined;
}

export function registerRegistryPrompt(context: vscode.ExtensionContext): void {
  let asking = false;
  const maybeAsk = (doc: vscode.TextDocument | undefined): void => {
    if (asking || doc?.languageId !== 'dockerfile' || context.globalState.get<boolean>(ASKED_KEY) || !vscode.workspace.isTrusted || explicitlySet()) return;
    asking = true;
    void context.globalState.update(ASKED_KEY, true);
    void vscode.window
      .showInformationMessage(
        'Layerwise can ask the registries your FROM lines name for the base image\'s size, layers, platforms, current digest and newer or smaller tags, before any build. ' +
          'This sends the image names (and your Docker credentials for those registries) to them; stage names and layerwise.registry.exclude are never sent.',
        ALLOW,
        NOT_NOW,
      )
      .then((choice) => {
        if (choice === ALLOW || choice === NOT_NOW) void vscode.workspace.getConfiguration('layerwise').update('registry.enabled', choice === ALLOW, vscode.ConfigurationTarget.Global);
      });
  };
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(maybeAsk));
  maybeAsk(vscode.window.activeTextEditor?.document);
}
