import type { CodeLens, Command, Range } from 'vscode-languageserver-types';
import type { Model } from '../model/model';
import { STATE_TITLES } from './client';
import type { LayerLens } from './history-match';
import type { LensState } from './service';

/**
 * LensState → LSP CodeLens. The commands: `layerwise.buildImage` and `layerwise.analyzeImage` are
 * the client's (a build needs a trusted workspace; both show progress); `layerwise.docker.retry`
 * and `layerwise.docker.showLayer` (the base lens) are the server's own (workspace/executeCommand),
 * registered by the language client for us.
 */

export const RETRY_COMMAND = 'layerwise.docker.retry';
export const SHOW_LAYER_COMMAND = 'layerwise.docker.showLayer';
export const BUILD_COMMAND = 'layerwise.buildImage';
/** The client's Analyze Image; the image lens on FROM opens it for the matched image. */
export const ANALYZE_COMMAND = 'layerwise.analyzeImage';
export const SERVER_COMMANDS = [RETRY_COMMAND, SHOW_LAYER_COMMAND];

/** What `layerwise.docker.showLayer` gets: enough to say what the layer is without asking the daemon. */
export interface LayerDetails {
  kind: LayerLens['kind'];
  title: string;
  /** Also sent as the command's `tooltip` (LSP 3.18); the VS Code client copies it from here. */
  tooltip: string;
  createdBy: string | undefined;
  size: number | undefined;
  layerId: string | undefined;
  created: number | undefined;
  imageId: string;
}

/** `Command.tooltip` is LSP 3.18; the 3.17 types do not have it yet. */
function withTooltip(command: Command, tooltip: string | undefined): Command {
  return tooltip ? ({ ...command, tooltip } as Command) : command;
}

/** Where a state lens goes: the first FROM (or the first instruction when there is none). */
function firstFrom(model: Model): Range | undefined {
  const from = model.stages.find((s) => s.from)?.from ?? model.instructions[0];
  return from?.keywordRange;
}

/**
 * `clientRuns`: whether the client can run a client command (see clientCommandsOf). Without Build
 * Image the build lenses are plain text; without Analyze Image the size lenses run the server's
 * showLayer instead.
 */
export function toCodeLenses(state: LensState, model: Model, uri: string, clientRuns: (command: string) => boolean = () => true): CodeLens[] {
  const at = firstFrom(model);
  const build = clientRuns(BUILD_COMMAND) ? BUILD_COMMAND : '';
  const analyze = clientRuns(ANALYZE_COMMAND);
  const one = (title: string, command: string, args: unknown[] = [], tooltip?: string): CodeLens[] =>
    at ? [{ range: at, command: withTooltip({ title, command, arguments: args }, tooltip) }] : [];
  switch (state.kind) {
    case 'disabled':
      return [];
    case 'error':
      return one(`${STATE_TITLES[state.error.kind]} · Retry`, RETRY_COMMAND, [{ tooltip: state.error.detail }], state.error.detail);
    case 'loading':
      return one('Reading layer sizes from Docker…', '', [], state.endpoint);
    case 'no-image':
      return one('Build image to see layer sizes', build, build ? [uri] : [], `No image on ${state.endpoint} was built from this Dockerfile.`);
    case 'bound-missing':
      return one(`${state.ref} not found · Build image to see layer sizes`, build, build ? [uri] : [], `No image ${state.ref} on ${state.endpoint}.`);
    case 'no-stage':
      return one(`No stage "${state.target}" to show layer sizes for`, '', []);
    case 'layers':
      return state.lenses.map((l) => {
        const details: LayerDetails = {
          kind: l.kind,
          title: l.title,
          tooltip: l.tooltip,
          createdBy: l.createdBy,
          size: l.size,
          layerId: l.layerId,
          created: l.created,
          imageId: state.imageId,
        };
        if (l.kind === 'missing') return { range: l.range, command: withTooltip({ title: l.title, command: build, arguments: build ? [uri] : [] }, l.tooltip) };
        if (!analyze || l.kind === 'base') return { range: l.range, command: withTooltip({ title: l.title, command: SHOW_LAYER_COMMAND, arguments: [details] }, l.tooltip) };
        if (l.kind === 'image') {
          const args = { ...details, image: state.imageId, name: state.imageName, uri };
          return { range: l.range, command: withTooltip({ title: `${l.title} · Analyze`, command: ANALYZE_COMMAND, arguments: [args] }, `${l.tooltip}. Click to analyze what every layer adds and wastes.`) };
        }
        // A layer lens opens the analysis at its layer: what the line added, file by file.
        const args = { ...details, image: state.imageId, name: state.imageName, uri, layer: l.historyIndex };
        return { range: l.range, command: withTooltip({ title: l.title, command: ANALYZE_COMMAND, arguments: [args] }, l.tooltip) };
      });
  }
}

/** The message `layerwise.docker.showLayer` shows: what made the layer, its exact size. */
export function layerMessage(d: LayerDetails): string {
  const size = d.size === undefined ? '' : `${d.size.toLocaleString('en-US')} bytes`;
  if (d.kind === 'image') return `Image ${d.imageId}: ${size}.`;
  if (d.kind === 'base') return `Base image layers of ${d.imageId.slice(0, 19)}: ${size}.`;
  const when = d.created ? `, created ${new Date(d.created * 1000).toISOString()}` : '';
  const stale = d.kind === 'stale' ? ' The line has changed since: this is what the image was built from.' : '';
  return `${d.createdBy ?? '(no CreatedBy)'} — ${size}${when}.${stale}`;
}
