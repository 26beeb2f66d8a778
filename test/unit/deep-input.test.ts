import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { EditorFeatures } from '../../server/src/engine/editor-features';
import { lintDocument } from '../../server/src/engine/lint';
import { semanticTokens } from '../../server/src/engine/semantic-tokens';
import { initShellParser, parseShell } from '../../server/src/model/shell';
import { docOf } from '../support/docs';

/** Input whose depth or size once overflowed the stack or never ended: the engine's own walks and the library paths it guards. */
describe('deep and circular input', () => {
  before(() => initShellParser());

  it('a 20,000-command && chain gives 20,000 commands in order (the bash tree is walked without recursion)', () => {
    const script = parseShell(Array.from({ length: 20_000 }, (_, i) => `c${i}`).join(' && '));
    assert.equal(script.commands.length, 20_000);
    assert.equal(script.commands[0]!.name, 'c0');
    assert.equal(script.commands[19_999]!.name, 'c19999');
  });

  it('commands nested 2,000 deep in substitutions are all found, and their words are dynamic', () => {
    const script = parseShell(`${'echo $('.repeat(2_000)}x${')'.repeat(2_000)}`);
    assert.equal(script.commands.filter((c) => c.name === 'echo').length, 2_000);
    assert.equal(script.commands[0]!.args[0]!.dynamic, true);
  });

  it('pipeline places survive the iterative walk', () => {
    const [a, b, c] = parseShell('a | b && c').commands;
    assert.deepEqual([a, b, c].map((x) => [x!.pipeline, x!.pipelinePosition, x!.pipelineLength]), [[0, 0, 2], [0, 1, 2], [1, 0, 1]]);
  });

  it('an indented instruction with a variable before any FROM resolves to nothing instead of recursing', () => {
    const doc = docOf('  RUN $A\n');
    assert.equal(doc.dockerfile.resolveVariable('A', 0), undefined);
    assert.ok(Array.isArray(lintDocument(doc, DEFAULT_SETTINGS)));
    assert.ok(semanticTokens(doc).data.length > 0);
  });

  it('variables still resolve through stages and the global ARGs', () => {
    const doc = docOf('ARG G=1\n  FROM alpine:$G\n  ENV E=2\n  RUN echo $E $G\n\nFROM alpine\nARG G\nRUN echo $G\n');
    assert.equal(doc.dockerfile.resolveVariable('G', 1), '1');
    assert.equal(doc.dockerfile.resolveVariable('E', 3), '2');
    assert.equal(doc.dockerfile.resolveVariable('G', 7), '1');
    assert.equal(doc.dockerfile.resolveVariable('E', 7), undefined);
    assert.equal(doc.dockerfile.getContainingImage({ line: 4, character: 0 }), doc.dockerfile, 'a blank line between stages belongs to no stage');
  });

  it('stages that name each other in a circle end the stage hierarchy', () => {
    const doc = docOf('FROM b AS a\nFROM a AS b\nWORKDIR /x\nCOPY . .\n');
    const hierarchy = (doc.dockerfile as unknown as { getStageHierarchy(line: number): unknown[] }).getStageHierarchy(3);
    assert.equal(hierarchy.length, 2);
    assert.doesNotThrow(() => new EditorFeatures().completion(doc, { line: 2, character: 8 }, DEFAULT_SETTINGS));
  });

  it('a broken heredoc line (escape before a CR) has no heredocs instead of a TypeError', () => {
    const doc = docOf('" \\\r#p\n');
    assert.ok(Array.isArray(lintDocument(doc, DEFAULT_SETTINGS)));
    assert.ok(new EditorFeatures().hover(doc, { line: 0, character: 0 }) !== undefined);
  });

  it('ENV keys referring to each other are each reported once (the rule reads every value once)', () => {
    const pairs = Array.from({ length: 2_000 }, (_, i) => `K${i}=$K${i + 1}`).join(' ');
    const found = lintDocument(docOf(`FROM alpine\nENV ${pairs}\n`), DEFAULT_SETTINGS).filter((d) => d.code === 'env-same-instruction-reference');
    // K0..K1998 refer to a key of the same ENV; K1999 refers to K2000, which is not one.
    assert.equal(found.length, 1_999);
  });
});
