import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DEFAULT_CLIENT_CAPABILITIES, LspClient } from '../support/lsp-client';

/**
 * `.hadolint.yaml` through the server: read for a Dockerfile's folder while one of its documents is
 * open, and read again once they have all been closed (clients that do not watch files never say
 * it changed; a folder per closed document would otherwise stay in memory for good).
 */

const SERVER = path.resolve('server/out/server.js');
const DOCKERFILE = 'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n';

describe('.hadolint.yaml in the server', () => {
  let dir: string;
  let client: LspClient;
  let uri: string;
  const codesOnOpen = async (): Promise<string[]> => {
    const wait = client.waitForDiagnostics(uri, (p) => p.version === 1);
    await client.didOpen(uri, DOCKERFILE, 1);
    return (await wait).diagnostics.map((d) => String(d.code));
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-hadolint-config-'));
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', 'Dockerfile'), DOCKERFILE);
    fs.writeFileSync(path.join(dir, '.hadolint.yaml'), 'ignored:\n  - DL3008\n');
    uri = pathToFileURL(path.join(dir, 'app', 'Dockerfile')).href;
    client = LspClient.spawn({
      command: process.execPath,
      args: [SERVER, '--stdio'],
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'no-docker.sock')}` },
    });
    await client.initialize({ capabilities: DEFAULT_CLIENT_CAPABILITIES, rootUri: pathToFileURL(dir).href });
  });
  after(async () => {
    await client?.shutdown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a rule the file ignores is not reported', async () => {
    const codes = await codesOnOpen();
    assert.ok(!codes.includes('apt-pin-versions'), codes.join(', '));
    assert.ok(codes.length > 0, 'other rules still report');
  });

  it('after the Dockerfile was closed, an edited .hadolint.yaml counts at the next open without a file event', async () => {
    await client.didClose(uri);
    fs.writeFileSync(path.join(dir, '.hadolint.yaml'), 'ignored: []\n');
    const codes = await codesOnOpen();
    assert.ok(codes.includes('apt-pin-versions'), codes.join(', '));
  });
});
