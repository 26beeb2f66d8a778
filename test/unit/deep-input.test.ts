import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { EditorFeatures } from '../../server/src/engine/editor-features';
import { lintDocument } from '../../server/src/engine/lint';
import { semanticTokens } from '../../server/src/engine/semantic-tokens';
import { defuseStageNames } from '../../server/src/engine/syntax-validation';
import { initShellParser, parseShell } from '../../server/src/model/shell';
import { VarScope } from '../../server/src/model/variables';
import { docOf } from '../support/docs';

/** Input whose depth or size once overflowed the stack or never ended: the engine's own walks and the library paths it guards. */
describe('deep and circular input', () => {
  before(() => initShellParser());

  it('a 15,000-command && chain gives 15,000 commands in order (the bash tree is walked without recursion)', () => {
    const script = parseShell(`${Array(15_000).fill('a').join(' && ')} && z`);
    assert.equal(script.commands.length, 15_001);
    assert.equal(script.commands[0]!.name, 'a');
    assert.equal(script.commands[15_000]!.name, 'z');
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

  it('variables resolve by lookup as dockerfile-ast resolved them by scanning: the latest ENV or ARG before the line, the first of a name in one ENV', () => {
    const doc = docOf('FROM alpine\nARG A=arg\nENV B=1 B=2\nRUN echo $A $B\nENV A=env\nRUN echo $A $C\n');
    const d = doc.dockerfile;
    assert.equal(d.resolveVariable('A', 3), 'arg');
    assert.equal(d.resolveVariable('B', 3), '1');
    assert.equal(d.resolveVariable('A', 5), 'env');
    assert.equal(d.resolveVariable('C', 5), undefined);
    const vars = d.getInstructions()[5]!.getVariables();
    assert.deepEqual(vars.map((v) => [v.getName(), v.isDefined(), v.isBuildVariable()]), [['A', true, false], ['C', false, false]]);
  });

  it('a stage of 30,000 instructions with a variable each is answered (no scan of the stage per variable)', () => {
    const doc = docOf(`FROM alpine\nARG A=1\n${'RUN echo $A\n'.repeat(30_000)}`);
    assert.equal(doc.dockerfile.getInstructions()[30_001]!.getVariables()[0]!.isDefined(), true);
    assert.ok(semanticTokens(doc).data.length > 30_000);
  });

  it('a long invalid stage name is reported with its name, without exponential backtracking in dockerfile-utils', () => {
    const name = `builder_${'a'.repeat(40)}="x"`;
    const found = lintDocument(docOf(`FROM alpine AS ${name}\n`), DEFAULT_SETTINGS).filter((d) => d.code === 'syntax/invalid-build-stage-name');
    assert.equal(found.length, 1);
    assert.ok(found[0]!.message.includes(`"${name}"`), found[0]!.message);
    assert.deepEqual(found[0]!.range.start, { line: 0, character: 15 });
  });

  it("FROM's third argument is defused without AS too (fuzz document 66132 of seed 14: 10 s per edit)", () => {
    const text = 'FROM registUTF-8 \\\n    # a comment\n    PSModuleAnalysisCachePath=/var/cache/microsoft/powershell/PSModuleAnalysisCache/ModuleAnalysisCache \\\n    POWERSHELL_DISTRIBUTION_CHANNEL=PSDocker-UBI-8.4\n';
    const found = lintDocument(docOf(text), DEFAULT_SETTINGS).filter((d) => d.code === 'syntax/invalid-build-stage-name');
    assert.equal(found.length, 1);
    assert.ok(found[0]!.message.includes('"powershell_distribution_channel=psdocker-ubi-8.4"'), found[0]!.message);
    assert.deepEqual(found[0]!.range.start, { line: 3, character: 4 });
    // dockerfile-utils is handed the argument with a first character its pattern rejects at once.
    assert.ok(defuseStageNames(docOf(text)).text.includes('\n    !OWERSHELL_DISTRIBUTION_CHANNEL='));
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

  it('defaults nested 20,000 deep are not expanded (unknown, never guessed) instead of overflowing the stack', () => {
    const scope = new VarScope();
    scope.set('A', { kind: 'arg', value: undefined });
    const deep = scope.expand(`${'${A:-'.repeat(20_000)}x${'}'.repeat(20_000)}/bin`);
    assert.equal(deep.certain, false);
    assert.equal(deep.error, undefined);
    const shallow = new VarScope().expand('${B:-${C:-x}}/bin');
    assert.equal(shallow.text, 'x/bin');
  });

  it('ENV keys referring to each other are each reported once (the rule reads every value once)', () => {
    const pairs = Array.from({ length: 90 }, (_, i) => `K${i}=$K${i + 1}`).join(' ');
    const found = lintDocument(docOf(`FROM alpine\nENV ${pairs}\n`), DEFAULT_SETTINGS).filter((d) => d.code === 'env-same-instruction-reference');
    // K0..K88 refer to a key of the same ENV; K89 refers to K90, which is not one.
    assert.equal(found.length, 89);
  });
});

describe('a budget per instruction', () => {
  before(() => initShellParser());

  it('an instruction with thousands of problems shows the first 100 and says how many more', () => {
    const found = lintDocument(docOf(`FROM alpine:3.20\nENV V=1 ${Array(3_000).fill('a b').join(' ')}\n`), DEFAULT_SETTINGS);
    const onEnv = found.filter((d) => d.range.start.line === 1);
    const note = onEnv.filter((d) => d.code === 'instruction-too-large');
    assert.equal(note.length, 1);
    assert.equal(note[0]!.severity, 3);
    assert.deepEqual(note[0]!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } });
    assert.match(note[0]!.message, /first 100 problems of this instruction; 5,900 more are not listed/);
    assert.equal(onEnv.length, 101);
  });

  it('a RUN script over the parse limit is not parsed, and the RUN says its shell commands are not checked', () => {
    const doc = docOf(`FROM alpine:3.20\nRUN <<EOF\n${Array(6_000).fill('apt-get install x').join('\n')}\nEOF\n`);
    const run = doc.model().runs()[0]!;
    assert.equal(run.run!.shell!.tooLarge, true);
    assert.deepEqual(run.run!.commands, []);
    const note = lintDocument(doc, DEFAULT_SETTINGS).filter((d) => d.code === 'instruction-too-large');
    assert.equal(note.length, 1);
    assert.match(note[0]!.message, /This RUN's script has 10[0-9],[0-9]{3} characters, more than the 100,000 Layerwise parses/);
  });

  it('a document over 256 KiB, over 2,000 instructions or with a logical line over 16 KiB is not checked, and one information diagnostic says so', () => {
    const huge = lintDocument(docOf(`FROM alpine:3.20\n${'RUN echo $A\n'.repeat(30_000)}`), DEFAULT_SETTINGS);
    assert.equal(huge.length, 1);
    assert.equal(huge[0]!.code, 'document-too-large');
    assert.equal(huge[0]!.severity, 3);
    assert.match(huge[0]!.message, /This Dockerfile has 360,017 characters, more than the 262,144 Layerwise checks/);
    const long = lintDocument(docOf(`FROM alpine:3.20\nRUN true\nRUN echo a \\\n${'  && b \\\n'.repeat(4_000)}  && c\n`), DEFAULT_SETTINGS);
    assert.deepEqual(long.map((d) => [d.code, d.range.start.line]), [['document-too-large', 2]]);
    assert.match(long[0]!.message, /more than 16,384 characters, the most Layerwise checks in one instruction/);
    const many = lintDocument(docOf(`FROM alpine:3.20\n${'run true\n'.repeat(2_000)}`), DEFAULT_SETTINGS);
    assert.deepEqual(many.map((d) => [d.code, d.range.start.line]), [['document-too-large', 0]]);
    assert.match(many[0]!.message, /more than 2,000 instructions/);
    const heredocs = lintDocument(docOf(`FROM alpine:3.20\n${'RUN <<EOF\necho a\nEOF\n'.repeat(1_999)}`), DEFAULT_SETTINGS);
    assert.equal(heredocs.filter((d) => d.code === 'document-too-large').length, 0);
  });

  it('CR-only line ends are lines for the limits: 1,500 of them are checked', () => {
    const found = lintDocument(docOf(`FROM alpine:3.20\r${'RUN cd /tmp\r'.repeat(1_500)}`), DEFAULT_SETTINGS);
    assert.equal(found.filter((d) => d.code === 'document-too-large').length, 0);
    const cds = found.filter((d) => d.code === 'run-cd-instead-of-workdir');
    assert.equal(cds.length, 1_500);
    assert.equal(cds[1_499]!.range.start.line, 1_500);
  });

  it('a document under the limits is reported in full, without a note', () => {
    const found = lintDocument(docOf(`FROM alpine:3.20\nENV V=1 ${Array(40).fill('a b').join(' ')}\nRUN apt-get install x\n`), DEFAULT_SETTINGS);
    assert.equal(found.filter((d) => d.code === 'instruction-too-large').length, 0);
    assert.equal(found.filter((d) => d.range.start.line === 1).length, 80);
  });
});
