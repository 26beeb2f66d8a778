import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NextBuildParams } from '../../server/src/docker/protocol';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from './lsp-client';

const SERVER = path.resolve('server/out/server.js');
const CAPABILITIES = { ...DEFAULT_CLIENT_CAPABILITIES, workspace: { ...DEFAULT_CLIENT_CAPABILITIES.workspace, codeLens: { refreshSupport: true } } };

/**
 * The bundled server as the next-build tests drive it: cache lenses on, a client that can refresh
 * lenses, `home` as HOME and XDG_CACHE_HOME (the record store lives there), the folder as its root,
 * and every layerwise/nextBuild notification collected in `notes`.
 */
export async function nextBuildClient(o: { dir: string; home: string; dockerHost: string }): Promise<{ client: LspClient; notes: NextBuildParams[] }> {
  const notes: NextBuildParams[] = [];
  const client = LspClient.spawn({
    command: process.execPath,
    args: [SERVER, '--stdio'],
    env: { PATH: process.env.PATH, HOME: o.home, XDG_CACHE_HOME: o.home, DOCKER_HOST: o.dockerHost },
    settings: { layerwise: { cache: { codeLens: true } } },
  });
  client.connection.onRequest('workspace/codeLens/refresh', () => null);
  client.connection.onNotification('layerwise/nextBuild', (p: NextBuildParams) => notes.push(p));
  await client.initialize({ capabilities: CAPABILITIES, rootUri: pathToFileURL(o.dir).href });
  return { client, notes };
}
