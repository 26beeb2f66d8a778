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
import {
  ANALYZE_PROGRESS_NOTIFICATION,
  BUILD_IMAGE_REQUEST,
  BUILD_PROGRESS_NOTIFICATION,
  CACHE_CHANGED_NOTIFICATION,
  NEXT_BUILD_NOTIFICATION,
  type AnalyzeProgressParams,
  type BuildImageParams,
  type BuildImageResult,
  type BuildProgressParams,
  type CacheChangedParams,
  type LayerwiseClientCapabilities,
  type NextBuildParams,
} from '../../server/src/docker/protocol';
import { analyzeImage, onAnalyzeProgress } from './analyze/analyze-command';
import { CacheStatus } from './cache-status';
import { NextBuildStatus } from './next-build-status';
import { registerRegistryPrompt } from './registry-prompt';
import { COMMAND_IDS, type CommandId } from './command-ids';

/**
 * The thin client: starts the bundled server, registers the commands, and shapes settings into
 * the server's typed form. Everything else happens in the server.
 */

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let buildOutput: vscode.OutputChannel | undefined;
let cacheStatus: CacheStatus | undefined;
let nextBuildStatus: NextBuildStatus | undefined;
/** Progress of the builds under way, by build id (one notification handler serves them all). */
const builds = new Map<string, (p: BuildProgressParams) => void>();

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
  'layerwise.buildImage': { needsServer: true, run: (context, uri) => buildImage(context, uri) },
  'layerwise.convertToMultiStage': { needsServer: true, run: (_context, args) => convertToMultiStage(args) },
  'layerwise.analyzeImage': { needsServer: true, run: (_context, args) => analyzeImage(client!, args) },
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
  cacheStatus = new CacheStatus(() => (client?.state === State.Running ? client : undefined));
  context.subscriptions.push(cacheStatus);
  nextBuildStatus = new NextBuildStatus();
  context.subscriptions.push(nextBuildStatus);
  registerRegistryPrompt(context);
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
      // A layer lens explains itself on hover: its tooltip travels in its argument (LSP 3.17 has no Command.tooltip).
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        for (const lens of lenses ?? []) {
          const tooltip = (lens.command?.arguments?.[0] as { tooltip?: unknown } | undefined)?.tooltip;
          if (lens.command && typeof tooltip === 'string') lens.command.tooltip = tooltip;
        }
        return lenses;
      },
    },
  };
  client = new LanguageClient('layerwise', 'Layerwise', serverOptions, clientOptions);
  // The server offers client commands (Build Image, Analyze Image, rule docs, the multi-stage
  // quick pick) only to a client that says it runs them; other editors get server commands.
  client.registerFeature({
    fillClientCapabilities: (capabilities) => {
      const commands: LayerwiseClientCapabilities = { commands: [...COMMAND_IDS] };
      capabilities.experimental = { ...(capabilities.experimental as object | undefined), layerwise: commands };
    },
    initialize: () => undefined,
    getState: () => ({ kind: 'static' }),
    clear: () => undefined,
  });
  client.onNotification(BUILD_PROGRESS_NOTIFICATION, (p: BuildProgressParams) => builds.get(p.buildId)?.(p));
  client.onNotification(ANALYZE_PROGRESS_NOTIFICATION, (p: AnalyzeProgressParams) => onAnalyzeProgress(p));
  client.onNotification(CACHE_CHANGED_NOTIFICATION, (p: CacheChangedParams) => cacheStatus?.changed(p.uri));
  client.onNotification(NEXT_BUILD_NOTIFICATION, (p: NextBuildParams) => nextBuildStatus?.changed(p));
  try {
    await client.start();
    void cacheStatus?.update();
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

/**
 * Builds the image of a Dockerfile (the lens's argument, or the active editor's) through the
 * server, which talks to the daemon: progress in a notification and in the "Layerwise Build"
 * output, cancellable. A build runs the Dockerfile's commands, so only in a trusted workspace.
 */
async function buildImage(context: vscode.ExtensionContext, arg: unknown): Promise<void> {
  const target =
    typeof arg === 'string' ? vscode.Uri.parse(arg) : arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  const document = target && vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (!target || (document && document.languageId !== 'dockerfile')) {
    void vscode.window.showWarningMessage('Open a Dockerfile to build its image.');
    return;
  }
  if (!vscode.workspace.isTrusted) {
    const choice = await vscode.window.showWarningMessage(
      "Building an image runs the Dockerfile's commands. Trust this workspace to build from the editor.",
      'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  if (document?.isUntitled || target.scheme !== 'file') {
    void vscode.window.showWarningMessage('Save the Dockerfile first: the build context is its folder.');
    return;
  }
  if (document?.isDirty && !(await document.save())) return;
  if (!buildOutput) {
    buildOutput = vscode.window.createOutputChannel('Layerwise Build');
    context.subscriptions.push(buildOutput);
  }
  const channel = buildOutput;
  channel.clear();
  channel.show(true);
  const running = client!;
  const buildId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const name = vscode.workspace.asRelativePath(target);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Building ${name}`, cancellable: true },
    async (progress, token): Promise<BuildImageResult | undefined> => {
      builds.set(buildId, (p) => {
        if (p.line !== undefined) channel.appendLine(p.line);
        if (p.step) progress.report({ message: p.step });
      });
      try {
        const params: BuildImageParams = { uri: target.toString(), buildId };
        return await running.sendRequest<BuildImageResult>(BUILD_IMAGE_REQUEST, params, token);
      } catch (e) {
        if (token.isCancellationRequested) return undefined;
        throw e;
      } finally {
        builds.delete(buildId);
      }
    },
  );
  if (!result || result.cancelled) {
    channel.appendLine('Build cancelled.');
    void vscode.window.showInformationMessage('Build cancelled.');
  } else if (result.ok) {
    channel.appendLine(`Built ${result.tag} (${result.imageId}) in ${(result.durationMs / 1000).toFixed(1)} s.`);
    void vscode.window.showInformationMessage(`Built ${result.tag} in ${(result.durationMs / 1000).toFixed(1)} s.`);
  } else {
    channel.appendLine(`Build failed: ${result.error}`);
    const choice = await vscode.window.showErrorMessage(`Build failed: ${(result.error ?? '').split('\n')[0]}`, 'Show Build Output');
    if (choice) channel.show();
  }
}

interface ConvertToMultiStageArgs {
  uri: string;
  version: number;
  reason: string;
  candidates: string[];
}

/** The "Convert to multi-stage" refactoring when the server could not tell what to copy: ask, then apply. */
async function convertToMultiStage(raw: unknown): Promise<void> {
  const args = raw as ConvertToMultiStageArgs | undefined;
  if (!args?.uri || !client) {
    void vscode.window.showInformationMessage('Run "Convert to multi-stage" from the light bulb of a Dockerfile.');
    return;
  }
  const enter = '$(edit) Enter a path…';
  const pick = await vscode.window.showQuickPick([...args.candidates, enter], { placeHolder: `${args.reason}. What should the runtime stage copy?` });
  const artifact = pick === enter ? await vscode.window.showInputBox({ prompt: 'Path of the build output in the build stage', placeHolder: '/app/bin/server' }) : pick;
  if (!artifact) return;
  const edit = await client.sendRequest<unknown>('layerwise/multiStageEdit', { uri: args.uri, version: args.version, artifact });
  if (!edit) {
    void vscode.window.showWarningMessage('The Dockerfile changed since the action was offered; run it again.');
    return;
  }
  const converted = await client.protocol2CodeConverter.asWorkspaceEdit(edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0]);
  if (converted) await vscode.workspace.applyEdit(converted);
}
