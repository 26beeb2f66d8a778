import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initShellParser } from '../../server/src/model/shell';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { ParsedDocument } from '../../server/src/engine/document';
import { EditorFeatures } from '../../server/src/engine/editor-features';
import { heredocBodies } from '../../server/src/engine/heredocs';
import { lintDocument } from '../../server/src/engine/lint';
import { readReal, realFiles } from '../support/corpus';

/**
 * The corpus files that `docker build` really rejects, each with its reason. Any other file with
 * an error-level diagnostic fails the test.
 */
const INVALID: Record<string, string> = {
  'docker-library__mysql__Dockerfile.oracle': 'a jq template ({{ ... }}), not a Dockerfile',
  'docker__compose__pkg__e2e__fixtures__wrong-composefile__service1__Dockerfile': 'deliberately broken fixture: "WRONG DOCKERFILE"',
  moby__buildkit__frontend__dockerfile__parser__testfiles__flags__Dockerfile: 'parser test: COPY --user/--doit and CMD --doit are unknown flags',
  moby__buildkit__frontend__dockerfile__parser__testfiles__health__Dockerfile: 'parser test: HEALTHCHECK without arguments, CMD without command, CONNECT TCP',
  'moby__buildkit__frontend__dockerfile__parser__testfiles__jeztah-invalid-json-json-inside-string-double__Dockerfile': 'parser test fragment: CMD without any FROM',
  'moby__buildkit__frontend__dockerfile__parser__testfiles__jeztah-invalid-json-json-inside-string__Dockerfile': 'parser test fragment: CMD without any FROM',
  'moby__buildkit__frontend__dockerfile__parser__testfiles__jeztah-invalid-json-single-quotes__Dockerfile': 'parser test fragment: CMD without any FROM',
  'moby__buildkit__frontend__dockerfile__parser__testfiles__jeztah-invalid-json-unterminated-bracket__Dockerfile': 'parser test fragment: CMD without any FROM',
  'moby__buildkit__frontend__dockerfile__parser__testfiles__jeztah-invalid-json-unterminated-string__Dockerfile': 'parser test fragment: CMD without any FROM',
  moby__buildkit__frontend__dockerfile__parser__testfiles__json__Dockerfile: 'parser test fragment: CMD without any FROM',
};

const libraryErrors: string[] = [];
const features = new EditorFeatures({}, () => undefined, (feature, error) => libraryErrors.push(`${feature}: ${(error as Error).message}`));
const files = realFiles();

describe('real-world corpus', () => {
  before(() => initShellParser());
  it('holds the files the issue names', () => {
    for (const f of ['apache__airflow__Dockerfile', 'ggml-org__llama.cpp__.devops__cuda.Dockerfile', 'home-assistant__docker-base__alpine__Dockerfile']) {
      assert.ok(files.includes(f), f);
    }
    assert.ok(files.length >= 700);
  });

  it('no error-level diagnostic on a valid file; every listed invalid file has one', () => {
    const falseErrors: string[] = [];
    const quietInvalid: string[] = [];
    for (const f of files) {
      const doc = new ParsedDocument(`file:///corpus/${f}`, 1, readReal(f));
      const errors = lintDocument(doc, DEFAULT_SETTINGS).filter((d) => d.severity === DiagnosticSeverity.Error);
      if (INVALID[f]) {
        if (!errors.length) quietInvalid.push(f);
      } else {
        for (const e of errors) falseErrors.push(`${f}:${e.range.start.line + 1} ${String(e.code)} ${e.message}`);
      }
    }
    assert.deepEqual(falseErrors, []);
    assert.deepEqual(quietInvalid, [], 'listed as invalid but no error: remove them from INVALID');
  });

  it('every editor feature answers on every file without throwing', () => {
    for (const f of files) {
      const doc = new ParsedDocument(`file:///corpus/${f}`, 1, readReal(f));
      try {
        features.symbols(doc);
        features.folding(doc);
        features.links(doc);
        features.semanticTokens(doc);
        features.format(doc, { tabSize: 4, insertSpaces: false }, DEFAULT_SETTINGS);
        for (const instruction of doc.dockerfile.getInstructions().slice(0, 15)) {
          const p = instruction.getRange().start;
          features.hover(doc, p);
          features.highlights(doc, p);
          features.signatureHelp(doc, p);
          features.definition(doc, p);
          features.prepareRename(doc, p);
        }
      } catch (e) {
        assert.fail(`${f}: ${(e as Error).stack}`);
      }
    }
    assert.deepEqual(libraryErrors, [], 'a library feature threw (the server answers empty, but we want to know)');
  });

  it('formatting never changes a heredoc body', () => {
    let checked = 0;
    for (const f of files) {
      const text = readReal(f);
      if (!text.includes('<<')) continue;
      const doc = new ParsedDocument(`file:///corpus/${f}`, 1, text);
      const bodies = heredocBodies(doc.dockerfile, (r) => doc.textDocument.getText(r));
      if (!bodies.length) continue;
      checked++;
      const formatted = TextDocument.applyEdits(doc.textDocument, features.format(doc, { tabSize: 4, insertSpaces: true }, DEFAULT_SETTINGS));
      const after = new ParsedDocument(`file:///corpus/${f}.formatted`, 1, formatted);
      const bodiesAfter = heredocBodies(after.dockerfile, (r) => after.textDocument.getText(r));
      assert.deepEqual(
        bodiesAfter.map((b) => after.textDocument.getText(b.range)),
        bodies.map((b) => doc.textDocument.getText(b.range)),
        f,
      );
    }
    assert.ok(checked >= 10, `only ${checked} corpus files with heredocs`);
  });
});
