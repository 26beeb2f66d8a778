import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { ParsedDocument } from '../../server/src/engine/document';
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
  // BuildKit's lexer reads these modifiers and nested words; dockerfile-utils stops at the first `}` or `:`.
  'replace in FROM': 'ARG IMAGE=alpine:3.20\nFROM ${IMAGE/:/:v}\n',
  'replace all with a colon in the pattern': 'ARG V=a:b\nFROM alpine:${V//:/-}\n',
  'replace with an escaped slash': 'FROM alpine\nARG P=/a/b\nENV X=${P//\\//_}\n',
  'prefix and suffix patterns in FROM': 'ARG V=3.20.1\nFROM alpine:${V%.*}\nFROM alpine:${V##*:}\nFROM ${V#x}\n',
  'a pattern with a colon in ENV': 'FROM alpine\nARG V=a:b\nENV A=${V%%:*} B=${V/a:/b}\n',
  'nested words in FROM': 'ARG DIGEST\nARG NAME=app\nARG VERSION=1\nARG IMAGE\nFROM alpine${DIGEST:+@${DIGEST}}\nFROM ${IMAGE:-ghcr.io/acme/${NAME}-main:${VERSION}}\n',
  'a required ARG in FROM that --build-arg may pass': 'ARG IMAGE\nFROM ${IMAGE?required}\n',
  'modifiers in instructions BuildKit does not expand': 'FROM alpine\nHEALTHCHECK CMD echo ${X:=1}\nSHELL ["sh", "-c", "${X:=1}"]\nMAINTAINER ${X:=1}\nONBUILD RUN echo ${X:=1}\n',
  'a modifier inside single quotes': "FROM alpine\nENV A='${B:=x}'\n",
  'STOPSIGNAL with a default': 'FROM alpine\nSTOPSIGNAL ${S:-SIGTERM}\n',
  'STOPSIGNAL with a default the base image may override': 'FROM example.com/app:1\nSTOPSIGNAL ${S:-SIGFOO}\n',
  'STOPSIGNAL with a pattern': 'FROM alpine\nARG S=SIGKILL\nSTOPSIGNAL ${S#x}\n',
  'EXPOSE with an alternative value': 'FROM alpine\nEXPOSE 80${Q:+/udp}\n',
  'the backtick escape before a modifier': '# escape=`\nFROM alpine\nENV A=${B##*:} C=`${D:=x}\n',
  'a space in a default inside quotes': 'FROM alpine\nARG A="${B:-a b}"\nENV C="${D:-c d}" E=\'${}\'\n',
};

/** Dockerfiles BuildKit rejects: the error must stay. */
const INVALID: Record<string, [string, string]> = {
  'unknown instruction': ['FROM alpine\nWRONG x\n', 'syntax/unknown-instruction'],
  'unknown ADD flag': ['FROM alpine\nADD --doit a /b\n', 'syntax/unknown-add-flag'],
  'HEALTHCHECK interval below 1ms but not zero': ['FROM alpine\nHEALTHCHECK --interval=1ns CMD ["true"]\n', 'syntax/flag-less-than-1ms'],
  'variable modifier outside heredocs': ['FROM alpine\nENV A=${B:=x}\n', 'syntax/unsupported-modifier'],
  'no FROM': ['CMD ["a"]\n', 'syntax/no-source-image'],
  'variable modifier on a continuation line': ['FROM alpine\nENV A=a \\\n  B=${C:=x}\n', 'syntax/unsupported-modifier'],
  'empty modifier': ['FROM alpine\nENV A=${V:}\n', 'syntax/unsupported-modifier'],
  'FROM an undeclared variable': ['FROM ${V}\n', 'syntax/base-name-empty'],
  'FROM an alternative value of an undeclared variable': ['FROM ${V:+alpine}\n', 'syntax/base-name-empty'],
  'STOPSIGNAL that expands to no signal': ['FROM alpine\nSTOPSIGNAL ${S:-SIGFOO}\n', 'syntax/invalid-signal'],
  'EXPOSE that expands to no port': ['FROM alpine\nEXPOSE 80${Q:-x}\n', 'syntax/invalid-port'],
  'COPY --from with a variable': ['ARG IMAGE=busybox\nFROM alpine\nCOPY --from=${IMAGE} /a /b\n', 'syntax/flag-invalid-from-value'],
  // Measured with docker build on Docker 20.10, BuildKit and the classic builder.
  'an empty reference in ENV': ['FROM alpine\nENV A=${}\n', 'syntax/unsupported-modifier'],
  'a stage ARG whose default has a space in a word the parser splits': ['FROM alpine\nARG A=${B:-a b}\n', 'syntax/unsupported-modifier'],
  'COPY --from an image name with a variable': ['FROM alpine\nARG TAG=3\nCOPY --from=busybox:${TAG} /bin/busybox /x\n', 'syntax/flag-invalid-from-value'],
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
    it('an unsupported modifier covers the whole reference, with BuildKit\'s message', () => {
      const [e] = errorsOf('FROM alpine\nENV A=${V:=x}\n', crlf);
      assert.deepEqual(e?.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 13 } });
      assert.equal(e?.message, 'failed to process "${V:=x}": unsupported modifier (:=) in substitution');
    });
    it('an unsupported modifier in an ONBUILD trigger is a warning: this build accepts it', () => {
      const [d, ...rest] = syntaxDiagnostics(docOf('FROM alpine\nONBUILD ENV A=${X:=1}\n', crlf));
      assert.equal(rest.length, 0);
      assert.equal(d?.severity, DiagnosticSeverity.Warning);
      assert.match(d?.message ?? '', /ONBUILD trigger/);
    });
    it('COPY --from with a variable: BuildKit\'s message; a warning in a Containerfile, which buildah builds', () => {
      const text = 'ARG IMAGE=busybox\nFROM alpine\nCOPY --from=${IMAGE} /a /b\n';
      const [docker] = errorsOf(text, crlf);
      assert.match(docker?.message ?? '', /^variable expansion is not supported for --from/);
      const body = crlf ? text.replace(/\n/g, '\r\n') : text;
      const diagnostics = syntaxDiagnostics(new ParsedDocument('file:///test/containerfile/Containerfile', 1, body));
      assert.deepEqual(
        diagnostics.map((d) => d.severity),
        [DiagnosticSeverity.Warning],
      );
      assert.match(diagnostics[0]?.message ?? '', /buildah and podman build expand it/);
    });
    it('a stage name BuildKit rejects: an error; a warning in a Containerfile, which buildah builds (buildah\'s base-with-arg test)', () => {
      const text = 'FROM alpine AS platform-arm/v6\nRUN true\nFROM platform-arm/v6\n';
      const [docker, ...others] = errorsOf(text, crlf);
      assert.equal(others.length, 0);
      assert.match(docker?.message ?? '', /invalid name for build stage: "platform-arm\/v6"/);
      const body = crlf ? text.replace(/\n/g, '\r\n') : text;
      for (const name of ['Containerfile', 'Containerfile.arm', 'base.containerfile']) {
        const diagnostics = syntaxDiagnostics(new ParsedDocument(`file:///test/containerfile/${name}`, 1, body));
        assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['syntax/invalid-build-stage-name', DiagnosticSeverity.Warning]], name);
        assert.match(diagnostics[0]?.message ?? '', /docker build rejects it; buildah and podman build accept it/);
      }
    });
    it('a value the lexer cannot read: BuildKit\'s message on the reference; a warning in a global ARG, which BuildKit 20.10 builds', () => {
      const [e] = errorsOf('FROM alpine\nARG A=${B:-a b}\n', crlf);
      assert.deepEqual([e?.range.start, e?.message], [{ line: 1, character: 6 }, 'failed to process "${B:-a": syntax error: missing \'}\'']);
      const [g, ...rest] = syntaxDiagnostics(docOf('ARG A=${B:-a b}\nFROM alpine\n', crlf));
      assert.deepEqual([rest.length, g?.severity], [0, DiagnosticSeverity.Warning]);
    });
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
