import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initShellParser } from '../../server/src/model/shell';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { EditorFeatures } from '../../server/src/engine/editor-features';
import { lintDocument } from '../../server/src/engine/lint';
import { parseCount } from '../../server/src/engine/parse';
import { patternRegExp } from '../../server/src/rules/lib/build-context';
import { docOf } from '../support/docs';

describe('bad input gets a clear answer', () => {
  before(() => initShellParser());
  it('a binary file gets one information diagnostic and no analysis', () => {
    const d = lintDocument(docOf('\u007fELF\u0002\u0001\u0001\u0000\u0000FROM x\n'), DEFAULT_SETTINGS);
    assert.equal(d.length, 1);
    assert.equal(d[0]!.code, 'binary-file');
  });

  it('a 2 MB line is linted and formatted without losing anything', () => {
    const long = 'RUN echo ' + 'a'.repeat(2 * 1024 * 1024);
    const doc = docOf(`FROM alpine\n${long}\n`);
    assert.ok(Array.isArray(lintDocument(doc, DEFAULT_SETTINGS)));
    const edits = new EditorFeatures().format(doc, { tabSize: 4, insertSpaces: true }, DEFAULT_SETTINGS);
    for (const e of edits) assert.ok(e.newText.length < 100, 'formatting only touches whitespace');
  });

  it('an empty file and a file of only comments are answered', () => {
    for (const text of ['', '# only a comment\n', '\n\n\n']) assert.ok(Array.isArray(lintDocument(docOf(text), DEFAULT_SETTINGS)));
  });
});

describe('one parse per document version', () => {
  it('every feature reuses the parse of the version it is asked about', () => {
    const doc = docOf('FROM alpine AS base\nARG V=1\nRUN echo $V\nFROM base\nCOPY --from=base /a /b\n');
    const features = new EditorFeatures();
    void doc.dockerfile;
    const before = parseCount();
    const p = { line: 2, character: 11 };
    lintDocument(doc, DEFAULT_SETTINGS);
    features.hover(doc, p);
    features.highlights(doc, p);
    features.definition(doc, p);
    features.symbols(doc);
    features.folding(doc);
    features.links(doc);
    features.semanticTokens(doc);
    features.format(doc, { tabSize: 2, insertSpaces: true }, DEFAULT_SETTINGS);
    features.prepareRename(doc, p);
    features.rename(doc, p, 'W');
    assert.equal(parseCount(), before, 'a feature parsed the document again');
  });
});

describe('glob patterns from the Dockerfile never throw', () => {
  it('a class Go calls a bad pattern (`[z-a]`) matches nothing; a good one still matches', () => {
    assert.equal(patternRegExp('[z-a]').test('z'), false);
    assert.equal(patternRegExp('[^/]*\\.txt').test('notes.txt'), true);
  });
});
