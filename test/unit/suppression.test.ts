import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS, type LayerwiseSettings } from '../../server/src/config';
import { parseHadolintConfig } from '../../server/src/engine/hadolint-config';
import { lintDocument, type LintEnvironment } from '../../server/src/engine/lint';
import { ruleCodeActions } from '../../server/src/engine/rule-actions';
import { initShellParser } from '../../server/src/model/shell';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { docOf } from '../support/docs';

const BASE = 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\nWORKDIR app\nCMD run\n';

function codes(text: string, settings: Partial<LayerwiseSettings> = {}, env: LintEnvironment = {}): string[] {
  return lintDocument(docOf(text), { ...DEFAULT_SETTINGS, ...settings }, env)
    .filter((d) => d.source === 'layerwise' && typeof d.code === 'string' && !d.code.startsWith('syntax/'))
    .map((d) => `${d.range.start.line + 1}:${String(d.code)}`)
    .filter((c) => /apt-update-separate|workdir-relative-path|json-args-recommended/.test(c));
}

describe('suppression and configuration', () => {
  before(() => initShellParser());

  it('reports the three findings of the base file', () => {
    assert.deepEqual(codes(BASE), ['2:apt-update-separate', '4:workdir-relative-path', '5:json-args-recommended']);
  });

  it('# layerwise ignore= above an instruction silences that rule there only', () => {
    const text = 'FROM debian\n# layerwise ignore=apt-update-separate,json-args-recommended  # reason\nRUN apt-get update\nRUN apt-get install -y curl\nWORKDIR app\nCMD run\n';
    assert.deepEqual(codes(text), ['5:workdir-relative-path', '6:json-args-recommended']);
  });

  it('# hadolint ignore= works through the aliases', () => {
    const text = 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n# hadolint ignore=DL3000\nWORKDIR app\n# hadolint ignore=DL3025\nCMD run\n';
    assert.deepEqual(codes(text), ['2:apt-update-separate']);
  });

  it('global ignore, in either form, silences the rule in the whole file', () => {
    assert.deepEqual(codes('# hadolint global ignore=DL3000\n' + BASE), ['3:apt-update-separate', '6:json-args-recommended']);
    assert.deepEqual(codes(BASE + '# layerwise global ignore=apt-update-separate\n'), ['4:workdir-relative-path', '5:json-args-recommended']);
  });

  it("BuildKit's # check=skip= turns off rules by their BuildKit name, error=true raises them", () => {
    assert.deepEqual(codes('# check=skip=JSONArgsRecommended,WorkdirRelativePath\n' + BASE), ['3:apt-update-separate']);
    const raised = lintDocument(docOf('# check=error=true\n' + BASE), DEFAULT_SETTINGS).filter((d) => d.code === 'json-args-recommended');
    assert.equal(raised[0]?.severity, 1);
    const notBuildkit = lintDocument(docOf('# check=error=true\n' + BASE), DEFAULT_SETTINGS).filter((d) => d.code === 'apt-update-separate');
    assert.equal(notBuildkit[0]?.severity, 2, 'rules without a BuildKit name keep their severity');
  });

  it('layerwise.rules takes ids and aliases', () => {
    assert.deepEqual(codes(BASE, { rules: { DL3025: 'off', 'apt-update-separate': 'off' } }), ['4:workdir-relative-path']);
    const d = lintDocument(docOf(BASE), { ...DEFAULT_SETTINGS, rules: { WorkdirRelativePath: 'error' } }).find((x) => x.code === 'workdir-relative-path');
    assert.equal(d?.severity, 1);
  });

  it('.hadolint.yaml: ignored and override', () => {
    const hadolint = parseHadolintConfig('ignored:\n  - DL3025\noverride:\n  error:\n    - DL3000\nfailure-threshold: warning\ntrustedRegistries:\n  - docker.io\n', '.hadolint.yaml');
    assert.deepEqual(hadolint.trustedRegistries, ['docker.io']);
    assert.equal(hadolint.failureThreshold, 'warning');
    const diagnostics = lintDocument(docOf(BASE), DEFAULT_SETTINGS, { hadolint });
    assert.ok(!diagnostics.some((d) => d.code === 'json-args-recommended'));
    assert.equal(diagnostics.find((d) => d.code === 'workdir-relative-path')?.severity, 1);
  });

  it('every rule diagnostic links to its documentation and names its aliases', () => {
    const d = lintDocument(docOf(BASE), DEFAULT_SETTINGS).find((x) => x.code === 'json-args-recommended')!;
    assert.equal(d.source, 'layerwise');
    assert.match(d.codeDescription!.href, /^file:\/\/.*\/docs\/rules\/json-args-recommended\.md$/);
    assert.ok(fs.existsSync(fileURLToPath(d.codeDescription!.href)), 'the page shipped in the package');
    assert.deepEqual((d.data as { aliases: string[] }).aliases, ['DL3025', 'JSONArgsRecommended']);
  });
});

describe('code actions of rule diagnostics', () => {
  before(() => initShellParser());

  it('ignore for this instruction, ignore in this file, show documentation', () => {
    const doc = docOf(BASE);
    const d = lintDocument(doc, DEFAULT_SETTINGS).find((x) => x.code === 'workdir-relative-path')!;
    const actions = ruleCodeActions(doc, [d]);
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Ignore workdir-relative-path for this instruction', 'Ignore workdir-relative-path in this file', 'Show documentation for workdir-relative-path'],
    );
    const ignoreHere = TextDocument.applyEdits(doc.textDocument, actions[0]!.edit!.changes![doc.uri]!);
    assert.deepEqual(codes(ignoreHere), ['2:apt-update-separate', '6:json-args-recommended']);
    assert.match(ignoreHere, /\n# layerwise ignore=workdir-relative-path\nWORKDIR app\n/);
    const ignoreFile = TextDocument.applyEdits(doc.textDocument, actions[1]!.edit!.changes![doc.uri]!);
    assert.ok(!codes(ignoreFile).some((c) => c.endsWith('workdir-relative-path')));
    assert.deepEqual(actions[2]!.command?.arguments, ['workdir-relative-path']);
  });

  it('a second ignore extends the existing comment, in the file line ending', () => {
    const doc = docOf('FROM debian\n# layerwise ignore=apt-update-separate\nWORKDIR app\n', true);
    const d = lintDocument(doc, DEFAULT_SETTINGS).find((x) => x.code === 'workdir-relative-path')!;
    const fixed = TextDocument.applyEdits(doc.textDocument, ruleCodeActions(doc, [d])[0]!.edit!.changes![doc.uri]!);
    assert.equal(fixed, 'FROM debian\r\n# layerwise ignore=apt-update-separate,workdir-relative-path\r\nWORKDIR app\r\n');
  });
});
