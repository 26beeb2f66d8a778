import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { syntaxCodeName, syntaxCodeNumber, syntaxDiagnostics } from '../../server/src/engine/syntax-validation';
import { docOf } from '../support/docs';

const errorsOf = (text: string, crlf = false) =>
  syntaxDiagnostics(docOf(text, crlf)).filter((d) => d.severity === DiagnosticSeverity.Error);

/** Dockerfiles BuildKit builds, on which dockerfile-utils alone reports an error. */
const VALID: Record<string, string> = {
  'variable modifiers inside a RUN heredoc': 'FROM alpine\nRUN <<EOF\nif [ ${X:="a"} = a ]; then echo ${Y:?}; fi\nEOF\n',
  'variable modifiers inside a quoted COPY heredoc': 'FROM alpine\nCOPY <<"EOF" /s.sh\necho ${X:=1}\nEOF\n',
  'ADD --unpack': 'FROM alpine\nADD --unpack=true https://example.com/a.tar.gz /opt/\n',
  'ADD --unpack without value': 'FROM alpine\nADD --unpack a.tar.gz /opt/\n',
  'zero HEALTHCHECK durations': 'FROM alpine\nHEALTHCHECK --start-period=0s --interval=0s --timeout=0s CMD ["true"]\n',
  'zero HEALTHCHECK retries': 'FROM alpine\nHEALTHCHECK --retries=0 CMD ["true"]\n',
  'multi-source COPY to a directory without a slash': 'FROM alpine\nCOPY a b /app\n',
};

/** Dockerfiles BuildKit rejects: the error must stay. */
const INVALID: Record<string, [string, string]> = {
  'unknown instruction': ['FROM alpine\nWRONG x\n', 'syntax/unknown-instruction'],
  'unknown ADD flag': ['FROM alpine\nADD --doit a /b\n', 'syntax/unknown-add-flag'],
  'HEALTHCHECK interval below 1ms but not zero': ['FROM alpine\nHEALTHCHECK --interval=1ns CMD ["true"]\n', 'syntax/flag-less-than-1ms'],
  'variable modifier outside heredocs': ['FROM alpine\nENV A=${B:=x}\n', 'syntax/unsupported-modifier'],
  'no FROM': ['CMD ["a"]\n', 'syntax/no-source-image'],
};

for (const crlf of [false, true]) {
  describe(`syntax validation corrections${crlf ? ' (CRLF)' : ''}`, () => {
    for (const [name, text] of Object.entries(VALID)) {
      it(`no error: ${name}`, () => assert.deepEqual(errorsOf(text, crlf), []));
    }
    for (const [name, [text, code]] of Object.entries(INVALID)) {
      it(`error stays: ${name}`, () => {
        const errors = errorsOf(text, crlf);
        assert.ok(
          errors.some((e) => e.code === code),
          `expected ${code}, got ${JSON.stringify(errors.map((e) => e.code))}`,
        );
      });
    }
    it('multi-source COPY without a slash is left to the copy-multi-source-no-slash rule', () => {
      assert.equal(syntaxDiagnostics(docOf('FROM alpine\nCOPY a b /app\n', crlf)).length, 0);
    });
  });
}

describe('syntax codes', () => {
  it('round-trip between names and the library numbers', () => {
    for (let n = 0; n <= 52; n++) {
      const name = syntaxCodeName(n);
      assert.equal(syntaxCodeNumber(name) !== undefined, true, name);
    }
    assert.equal(syntaxCodeNumber('apt-update-separate'), undefined);
  });
  it('every diagnostic says it comes from layerwise', () => {
    for (const d of syntaxDiagnostics(docOf('from alpine\nWRONG x\n'))) assert.equal(d.source, 'layerwise');
  });
});
