import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CodeLens, InlayHint, MarkupContent } from 'vscode-languageserver-types';
import { ParsedDocument } from '../../server/src/engine/document';
import { inlayHints, lensHints, variableReferences, type InlayHintOptions } from '../../server/src/engine/inlay-hints';
import { initShellParser } from '../../server/src/model/shell';

/** The pure engine function: document + range + settings → hints. */

const ALL = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };

function hintsOf(text: string, options: Partial<InlayHintOptions> = {}): InlayHint[] {
  return inlayHints(new ParsedDocument('file:///w/Dockerfile', 1, text), ALL, { buildArgs: {}, variables: true, stages: true, ...options });
}

function label(h: InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

/** `line:character label`, the way a reader checks them against the text. */
function shown(text: string, options: Partial<InlayHintOptions> = {}): string[] {
  return hintsOf(text, options).map((h) => `${h.position.line}:${h.position.character} ${label(h)}`);
}

function tooltip(h: InlayHint | undefined): string {
  return (h?.tooltip as MarkupContent | undefined)?.value ?? '';
}

describe('variableReferences', () => {
  it('finds $X and ${X…} with nested words, and skips escaped and single-quoted ones', () => {
    const refs = variableReferences(`a $A \\$B '$C' "$D" \${E:-\${F:-x}}y \${1} $ \${G`, '\\').map((r) => r.text);
    assert.deepEqual(refs, ['$A', '$D', '${E:-${F:-x}}']);
  });

  it('uses the escape character of the Dockerfile', () => {
    assert.deepEqual(variableReferences('`$A $B \\$C', '`').map((r) => r.text), ['$B', '$C']);
  });
});

describe('inlayHints', () => {
  before(() => initShellParser());

  it('a stage built from scratch has no base-image ENV: an undeclared name is empty', () => {
    assert.deepEqual(shown('FROM scratch\nWORKDIR /a${SUB}\nUSER ${UID:-1000}\n'), ['1:16 = ""', '2:17 = 1000']);
  });

  it('an ARG whose default reads a name only the base image could set is not known where it is used', () => {
    // Measured with BuildKit on Docker 20.10: a base image with ENV NAME=fromimage makes APP /srv/fromimage.
    const text = 'FROM node:20\nARG APP=/srv/${NAME:-app}\nARG SUB=${APP}/x\nWORKDIR ${SUB}\nFROM scratch\nARG APP=/srv/${NAME:-app}\nWORKDIR ${APP}\n';
    const hints = hintsOf(text);
    assert.deepEqual(hints.map((h) => `${h.position.line}:${h.position.character} ${label(h)}`), ['1:25 = ?', '2:14 = ?', '3:14 = ?', '5:25 = app', '6:14 = /srv/app']);
    assert.match(tooltip(hints[2]), /`APP` is set on line 2 from `NAME`, which only the base image could set/);
  });

  it('FROM sees only global ARGs: one never declared expands to an empty string', () => {
    const text = 'ARG TAG=3.19\nFROM alpine:${TAG}${SUFFIX}\n';
    assert.deepEqual(shown(text), ['1:18 = 3.19', '1:27 = ""']);
    assert.match(tooltip(hintsOf(text)[1]), /not declared before the first FROM: BuildKit expands it to an empty string/);
  });

  it('positions follow continuations, CRLF and the escape directive', () => {
    const text = '# escape=`\r\nFROM alpine\r\nARG A=1\r\nRUN echo `\r\n  $A && `\r\n  echo "${A}"\r\n';
    assert.deepEqual(shown(text), ['4:4 = 1', '5:12 = 1']);
  });

  it('RUN: no hint for what the script assigns itself, for the shell\'s own variables, or in single quotes', () => {
    const text = [
      'FROM alpine',
      'ARG V=1 N=2 R=3',
      'RUN V=2; echo $V; for N in a; do echo $N; done; read R; echo $R $HOME \'$V\' $(echo $N)',
      'RUN ["sh", "-c", "echo $V"]',
      'RUN echo ${V:-x}',
      '',
    ].join('\n');
    assert.deepEqual(shown(text), ['4:16 = 1']);
  });

  it('an ARG whose default never applies shows the value it takes', () => {
    const text = 'FROM alpine\nENV MODE=dev\nARG MODE=prod\nARG KEEP=same\nARG ARCH=x\nRUN echo\n';
    const hints = hintsOf(text, { buildArgs: { ARCH: 'arm64' } });
    assert.deepEqual(hints.map((h) => `${h.position.line}:${h.position.character} ${label(h)}`), ['2:13 = dev', '4:10 = arm64']);
    assert.match(tooltip(hints[0]), /`MODE`: `ENV` on line 2/);
    assert.match(tooltip(hints[1]), /from `layerwise.buildArgs`/);
  });

  it('long values are cut in the label and whole in the tooltip', () => {
    const long = 'x'.repeat(60);
    const hints = hintsOf(`ARG L=${long}\nFROM alpine:\${L}\n`);
    assert.equal(label(hints[0]!), `= ${'x'.repeat(39)}…`);
    assert.match(tooltip(hints[0]), new RegExp(`\`${long}\``));
  });

  it('a COPY --from with a variable, an image, or a later stage gets no stage hint', () => {
    const text = 'FROM alpine AS a\nARG S=a\nCOPY --from=${S} /x /x\nCOPY --from=nginx /y /y\nCOPY --from=b /z /z\nFROM alpine AS b\nFROM a\n';
    assert.deepEqual(shown(text, { variables: false }), ['6:6 → stage 0 "a" (line 1)']);
  });

  it('a RUN mount from an earlier stage names it', () => {
    const text = 'FROM alpine AS deps\nFROM alpine\nRUN --mount=type=bind,from=deps,target=/d --mount=type=cache,target=/c cp -r /d /x\n';
    assert.deepEqual(shown(text), ['2:31 → stage 0 "deps" (line 1)']);
  });

  it('answers only inside the range', () => {
    const doc = new ParsedDocument('file:///w/Dockerfile', 1, 'ARG A=1\nFROM alpine:${A}\nFROM alpine:${A}\n');
    const hints = inlayHints(doc, { start: { line: 2, character: 0 }, end: { line: 2, character: 100 } }, { buildArgs: {}, variables: true, stages: true });
    assert.deepEqual(hints.map((h) => h.position.line), [2]);
  });
});

describe('lensHints', () => {
  it('puts the lenses of an instruction at its end, with their commands and tooltips', () => {
    const doc = new ParsedDocument('file:///w/Dockerfile', 1, 'FROM alpine\nRUN a \\\n  && b\nCMD ["x"]\n');
    const model = doc.model();
    const at = (line: number): CodeLens['range'] => ({ start: { line, character: 0 }, end: { line, character: 3 } });
    const lenses: CodeLens[] = [
      { range: at(0), command: { title: 'img · 9 MB · Analyze', command: 'layerwise.analyzeImage', arguments: [1] } },
      { range: at(0), command: { title: 'base 8 MB · 89%', command: 'layerwise.docker.showLayer', tooltip: 'Base image' } as CodeLens['command'] },
      { range: at(1), command: { title: '1 MB · 11%', command: 'layerwise.analyzeImage' } },
      { range: at(1), command: { title: 're-runs on 80% of commits', command: '' } },
    ];
    const hints = lensHints(lenses, model);
    assert.deepEqual(
      hints.map((h) => [h.position, label(h)]),
      [
        [{ line: 0, character: 11 }, 'img · 9 MB · Analyze | base 8 MB · 89%'],
        [{ line: 2, character: 6 }, '1 MB · 11% | re-runs on 80% of commits'],
      ],
    );
    const parts = hints[0]!.label as Exclude<InlayHint['label'], string>;
    assert.equal(parts[0]!.command?.command, 'layerwise.analyzeImage');
    assert.equal(parts[2]!.tooltip, 'Base image');
    assert.equal((hints[1]!.label as typeof parts)[2]!.command, undefined, 'a label lens has no command');
  });
});

describe('padding', () => {
  it('a hint inside a word is padded on both sides; at the end of a word, on the left', () => {
    const hints = hintsOf('ARG V=1\nFROM alpine:${V}-slim\nFROM alpine:${V}\n');
    assert.deepEqual(
      hints.map((h) => [h.position.line, h.paddingLeft, h.paddingRight]),
      [
        [1, true, true],
        [2, true, undefined],
      ],
    );
  });
});
