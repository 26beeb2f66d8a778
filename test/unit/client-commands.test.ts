import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMAND_IDS } from '../../client/src/command-ids';
import { BUILD_COMMAND, toCodeLenses } from '../../server/src/docker/lenses';
import { clientCommandsOf } from '../../server/src/docker/protocol';
import { ParsedDocument } from '../../server/src/engine/document';

/** What a client that declares no Layerwise command (Neovim, Helix, ...) is offered. */
describe('client commands', () => {
  const model = new ParsedDocument('file:///w/Dockerfile', 1, '# c\nFROM busybox\n').model();

  it('reads the commands a client declares in capabilities.experimental.layerwise', () => {
    assert.deepEqual([...clientCommandsOf({ experimental: { layerwise: { commands: [...COMMAND_IDS] } } })], [...COMMAND_IDS]);
    assert.deepEqual([...clientCommandsOf({})], []);
    assert.deepEqual([...clientCommandsOf({ experimental: { layerwise: { commands: 'x' } } })], []);
  });

  it('a build lens is plain text for a client that cannot run Build Image', () => {
    const state = { kind: 'no-image', endpoint: 'unix:///x' } as const;
    assert.equal(toCodeLenses(state, model, 'file:///w/Dockerfile')[0]!.command!.command, BUILD_COMMAND);
    const plain = toCodeLenses(state, model, 'file:///w/Dockerfile', () => false)[0]!.command!;
    assert.deepEqual([plain.title, plain.command, plain.arguments], ['Build image to see layer sizes', '', []]);
  });
});
