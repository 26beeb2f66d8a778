import * as vscode from 'vscode';
import type { NextBuildParams } from '../../server/src/docker/protocol';

/**
 * The status bar item "next build ≈ 42 s, re-runs from line 7" of the active Dockerfile, as the
 * server last sent it (layerwise/nextBuild, after a save, a change in the context or a build).
 */
export class NextBuildStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('layerwise.nextBuild', vscode.StatusBarAlignment.Right, 99);
  private readonly byUri = new Map<string, NextBuildParams>();
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor() {
    this.item.name = 'Layerwise next build';
    this.disposables.push(vscode.window.onDidChangeActiveTextEditor(() => this.show()));
  }

  changed(p: NextBuildParams): void {
    this.byUri.set(p.uri, p);
    this.show();
  }

  private show(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const p = uri ? this.byUri.get(uri) : undefined;
    if (!p?.text) return this.item.hide();
    this.item.text = `$(debug-restart) ${p.text}`;
    this.item.tooltip = p.tooltip;
    this.item.show();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
