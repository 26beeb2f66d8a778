import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ImageAnalysis } from '../../../server/src/analyze/types';
import {
  ANALYZE_IMAGE_REQUEST,
  LIST_IMAGES_REQUEST,
  type AnalyzeImageParams,
  type AnalyzeImageResult,
  type AnalyzeProgressParams,
  type ListImagesParams,
  type ListImagesResult,
} from '../../../server/src/docker/protocol';
import { age, humanSize, imageLabel, orderImages, progressMessage, shortId } from './format';
import { renderReport, type ReportMessage } from './report-html';

/**
 * "Layerwise: Analyze Image": pick an image (or take the CodeLens's), have the server analyze its
 * export with a cancellable progress notification, and show the report in a webview per image.
 */

/** What the CodeLens passes; the editor title menu passes the Dockerfile's Uri instead. */
export interface AnalyzeImageArgs {
  image?: string;
  uri?: string;
  /** A history index to show first (a layer's size lens). */
  layer?: number;
  /** How to call the image (its tag) when `image` is an id. */
  name?: string;
}

interface Report {
  panel: vscode.WebviewPanel;
  analysis: ImageAnalysis;
  /** The Dockerfile the report's lines refer to. */
  uri: vscode.Uri | undefined;
}

/** Open reports by image id: an id is a content address, so an open report of it is still true. */
const reports = new Map<string, Report>();
/** Progress of the analyses under way, by analysis id (one notification handler serves them all). */
const analyses = new Map<string, (p: AnalyzeProgressParams) => void>();

export function onAnalyzeProgress(p: AnalyzeProgressParams): void {
  analyses.get(p.analysisId)?.(p);
}

export async function analyzeImage(client: LanguageClient, arg: unknown): Promise<void> {
  const args = parseArgs(arg);
  const uri = args.uri ?? activeDockerfile();
  let image = args.image;
  let label = args.name ?? image;
  let knownId: string | undefined;
  if (!image) {
    const picked = await pickImage(client, uri);
    if (!picked) return;
    ({ image, id: knownId } = picked);
    label = image;
  } else if (/^(sha256:)?[0-9a-f]{12,64}$/.test(image)) {
    knownId = image;
  }
  const open = knownId && findReport(knownId);
  if (open) {
    if (args.layer !== undefined) showReport(open.analysis, open.panel.title.replace(/^Layers: /, ''), uri, args.layer);
    else open.panel.reveal();
    open.uri = uri ?? open.uri;
    return;
  }
  const result = await runAnalysis(client, image, label ?? image, uri);
  if (!result) return;
  if (!result.ok) {
    if (result.cancelled) return;
    const text = result.notFound ? `No image '${image}' on the Docker daemon.` : `Analyze Image failed: ${firstLine(result.error)}`;
    void vscode.window.showErrorMessage(text);
    return;
  }
  showReport(result.analysis, label ?? image, uri, args.layer);
}

function parseArgs(arg: unknown): { image: string | undefined; uri: vscode.Uri | undefined; layer: number | undefined; name: string | undefined } {
  const none = { image: undefined, uri: undefined, layer: undefined, name: undefined };
  if (arg instanceof vscode.Uri) return { ...none, uri: arg };
  if (typeof arg === 'string') return { ...none, image: arg };
  if (arg && typeof arg === 'object') {
    const { image, uri, layer, name } = arg as AnalyzeImageArgs;
    return {
      image: typeof image === 'string' && image ? image : undefined,
      uri: typeof uri === 'string' && uri ? vscode.Uri.parse(uri) : undefined,
      layer: Number.isInteger(layer) ? layer : undefined,
      name: typeof name === 'string' && name ? name : undefined,
    };
  }
  return none;
}

function activeDockerfile(): vscode.Uri | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document?.languageId === 'dockerfile' ? document.uri : undefined;
}

function findReport(id: string): Report | undefined {
  const bare = id.replace(/^sha256:/, '');
  for (const [key, report] of reports) if (key.replace(/^sha256:/, '').startsWith(bare)) return report;
  return undefined;
}

function firstLine(text: string | undefined): string {
  return (text ?? 'unknown error').split('\n')[0]!.trim();
}

interface ImageItem extends vscode.QuickPickItem {
  image?: string;
  id?: string;
}

async function pickImage(client: LanguageClient, uri: vscode.Uri | undefined): Promise<{ image: string; id: string | undefined } | undefined> {
  const quickPick = vscode.window.createQuickPick<ImageItem>();
  quickPick.placeholder = 'Image to analyze';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.busy = true;
  const enter: ImageItem = { label: '$(edit) Enter an image name…', alwaysShow: true };
  quickPick.items = [enter];
  quickPick.show();
  void (async (): Promise<void> => {
    let result: ListImagesResult;
    try {
      const params: ListImagesParams = { uri: uri?.toString() };
      result = await client.sendRequest<ListImagesResult>(LIST_IMAGES_REQUEST, params);
    } catch (e) {
      result = { ok: false, error: (e as Error).message };
    }
    quickPick.busy = false;
    if (!result.ok) {
      quickPick.hide();
      void vscode.window.showErrorMessage(`Could not list the local images: ${firstLine(result.error)}`);
      return;
    }
    const now = Date.now();
    const items: ImageItem[] = orderImages(result.images).map((i) => ({
      label: imageLabel(i),
      description: `${humanSize(i.size)} · ${age(i.created, now)}`,
      detail: [i.matched ? '$(check) built from this Dockerfile' : '', i.tags.length > 1 ? `also ${i.tags.slice(1).join(', ')}` : '', i.tags.length ? shortId(i.id) : '']
        .filter(Boolean)
        .join(' · '),
      image: i.tags[0] ?? i.id,
      id: i.id,
    }));
    quickPick.items = [...items, enter];
    if (items[0]) quickPick.activeItems = [items[0]];
  })();
  const chosen = await new Promise<ImageItem | undefined>((resolve) => {
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0] ?? quickPick.activeItems[0]));
    quickPick.onDidHide(() => resolve(undefined));
  });
  quickPick.dispose();
  if (!chosen) return undefined;
  if (chosen !== enter) return chosen.image ? { image: chosen.image, id: chosen.id } : undefined;
  const typed = await vscode.window.showInputBox({
    prompt: 'Name or id of a local image',
    placeHolder: 'repo:tag',
    validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : 'An image name has no spaces.'),
  });
  return typed?.trim() ? { image: typed.trim(), id: undefined } : undefined;
}

async function runAnalysis(client: LanguageClient, image: string, label: string, uri: vscode.Uri | undefined): Promise<AnalyzeImageResult | undefined> {
  const analysisId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Analyzing ${label}`, cancellable: true },
    async (progress, token): Promise<AnalyzeImageResult | undefined> => {
      let reported = 0;
      analyses.set(analysisId, (p) => {
        // The total is the daemon's estimate: never let the bar run past the end.
        const done = p.totalBytes ? Math.min(100, (p.bytes / p.totalBytes) * 100) : reported;
        const increment = Math.max(0, done - reported);
        reported += increment;
        progress.report({ increment, message: p.message ?? progressMessage(p.bytes, p.totalBytes) });
      });
      try {
        const params: AnalyzeImageParams = { image, uri: uri?.toString(), analysisId };
        return await client.sendRequest<AnalyzeImageResult>(ANALYZE_IMAGE_REQUEST, params, token);
      } catch (e) {
        if (token.isCancellationRequested) return undefined;
        return { ok: false, cancelled: false, notFound: false, error: (e as Error).message };
      } finally {
        analyses.delete(analysisId);
      }
    },
  );
}

function showReport(analysis: ImageAnalysis, image: string, uri: vscode.Uri | undefined, layer: number | undefined): void {
  const existing = findReport(analysis.id);
  const report: Report = existing ?? {
    analysis,
    panel: vscode.window.createWebviewPanel('layerwise.imageReport', `Layers: ${image}`, vscode.ViewColumn.Beside, {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [],
    }),
    uri,
  };
  report.uri = uri ?? report.uri;
  report.analysis = analysis;
  const { panel } = report;
  panel.title = `Layers: ${image}`;
  panel.webview.html = renderReport(analysis, { nonce: randomBytes(16).toString('base64'), cspSource: panel.webview.cspSource, layer });
  if (existing) {
    panel.reveal();
    return;
  }
  reports.set(analysis.id, report);
  panel.onDidDispose(() => reports.delete(analysis.id));
  panel.webview.onDidReceiveMessage((message: unknown) => void handleMessage(report, message));
}

async function handleMessage(report: Report, raw: unknown): Promise<void> {
  const message = raw as Partial<ReportMessage> | undefined;
  if (message?.type === 'showRule' && typeof message.rule === 'string' && /^[a-z0-9-]+$/.test(message.rule)) {
    await vscode.commands.executeCommand('layerwise.showRuleDocumentation', message.rule);
    return;
  }
  if (message?.type !== 'openLine' || !Number.isInteger(message.line) || message.line! < 1) return;
  if (!report.uri) {
    void vscode.window.showInformationMessage('This report is not linked to a Dockerfile: run Analyze Image from the Dockerfile to link its lines.');
    return;
  }
  const document = await vscode.workspace.openTextDocument(report.uri);
  const line = Math.min(message.line! - 1, document.lineCount - 1);
  const range = document.lineAt(line).range;
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === report.uri!.toString());
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
    selection: new vscode.Range(range.start, range.start),
    preserveFocus: false,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
