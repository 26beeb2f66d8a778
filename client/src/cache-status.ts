import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CACHE_SUMMARY_REQUEST, type CacheSummaryParams, type CacheSummaryResult } from '../../server/src/docker/protocol';

/**
 * The status bar item of the active Dockerfile: its expected rebuild time per commit, E[T] =
 * Σ rerunShare · c, from the server's layerwise/cacheSummary. Hidden for other files, outside git,
 * or when the setting is off. A click writes the per-instruction report to an output channel.
 */

/** Internal (not contributed): the status bar item's click. */
const SHOW_REPORT_COMMAND = 'layerwise.cache.showReport';

function seconds(s: number): string {
  if (s >= 120) return `${(s / 60).toFixed(1)} min`;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

function percent(share: number): string {
  const p = share * 100;
  return p === 0 || p === 100 || p >= 10 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}

export class CacheStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('layerwise.cacheStatus', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private last: { uri: string; summary: CacheSummaryResult & { available: true } } | undefined;
  private output: vscode.OutputChannel | undefined;
  /** Only the newest request may set the item. */
  private ticket = 0;

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.item.name = 'Layerwise build cache';
    this.item.command = SHOW_REPORT_COMMAND;
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
      vscode.workspace.onDidSaveTextDocument((d) => d === vscode.window.activeTextEditor?.document && void this.update()),
      vscode.commands.registerCommand(SHOW_REPORT_COMMAND, () => this.showReport()),
    );
  }

  /** The server says the figures of `uri` changed (a build was timed, a new result). */
  changed(uri: string): void {
    if (vscode.window.activeTextEditor?.document.uri.toString() === uri) void this.update();
  }

  async update(): Promise<void> {
    const ticket = ++this.ticket;
    const doc = vscode.window.activeTextEditor?.document;
    const client = this.client();
    if (!doc || doc.languageId !== 'dockerfile' || doc.uri.scheme !== 'file' || !client) return this.hide();
    const uri = doc.uri.toString();
    let summary: CacheSummaryResult;
    try {
      const params: CacheSummaryParams = { uri };
      summary = await client.sendRequest<CacheSummaryResult>(CACHE_SUMMARY_REQUEST, params);
    } catch {
      summary = { available: false, reason: 'The server did not answer.' };
    }
    if (ticket !== this.ticket) return;
    if (!summary.available) return this.hide();
    this.last = { uri, summary };
    const timed = summary.steps.filter((s) => s.seconds !== null).length;
    const untimed = summary.untimedSteps ? `\n\n${summary.untimedSteps} RUN/COPY/ADD step(s) were never timed and are left out: build the image from the editor to measure them.` : '';
    const history = `over the last ${summary.commits} commits (HEAD ${summary.head.slice(0, 12)})`;
    if (summary.expectedSeconds === null) {
      this.item.text = '$(history) cache: build to measure';
      this.item.tooltip = new vscode.MarkdownString(
        `Expected rebuild time per commit: E[T] = Σ rerunShare · c. The re-run shares are known ${history}; the durations c come from builds run from the editor, and none was timed yet.\n\nRun **Layerwise: Build Image** to measure them. Click for the report.`,
      );
    } else {
      this.item.text = `$(history) ~${seconds(summary.expectedSeconds)} rebuild`;
      this.item.tooltip = new vscode.MarkdownString(
        `Expected rebuild time per commit: E[T] = Σ rerunShare · c = **${seconds(summary.expectedSeconds)}**, where rerunShare is how often a step re-ran ${history} and c its duration in the last build from the editor (${timed} timed step(s)).${untimed}\n\nClick for the report.`,
      );
    }
    this.item.show();
  }

  private hide(): void {
    this.last = undefined;
    this.item.hide();
  }

  private showReport(): void {
    const last = this.last;
    if (!last) return;
    this.output ??= vscode.window.createOutputChannel('Layerwise Build Cache');
    const out = this.output;
    const s = last.summary;
    out.clear();
    out.appendLine(`${vscode.workspace.asRelativePath(vscode.Uri.parse(last.uri))}: ${s.commits} commits up to ${s.head.slice(0, 12)}`);
    out.appendLine(`${'line'.padStart(5)}  ${'re-runs'.padStart(7)}  ${'time'.padStart(8)}  instruction`);
    for (const step of s.steps) {
      const instruction = step.instruction.length > 100 ? `${step.instruction.slice(0, 99)}…` : step.instruction;
      out.appendLine(`${String(step.line).padStart(5)}  ${percent(step.rerunShare).padStart(7)}  ${(step.seconds === null ? '-' : seconds(step.seconds)).padStart(8)}  ${instruction}`);
    }
    out.appendLine(
      s.expectedSeconds === null
        ? 'Expected rebuild time: unknown (no build from the editor measured yet).'
        : `Expected rebuild time per commit: ${seconds(s.expectedSeconds)}${s.untimedSteps ? ` (plus ${s.untimedSteps} step(s) never timed)` : ''}.`,
    );
    out.show(true);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.output?.dispose();
  }
}
