import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { missingTool } from '../support/tools';
import { findingsOf } from './harness';

// The rule runs the `shellcheck` binary; without it the rule reports nothing and these tests skip.
const skip = missingTool('shellcheck');

/** `line:col-endLine:endCol SCxxxx` of every finding (1-based). */
function found(text: string): string[] {
  return findingsOf('shellcheck', text).diagnostics.map(
    (d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} ${d.message.split(':')[0]}`,
  );
}

describe('rule shellcheck', { skip }, () => {
  before(() => initShellParser());

  for (const eol of ['\n', '\r\n']) {
    const crlf = eol === '\n' ? '' : ' (CRLF)';
    const f = (text: string): string[] => found(text.replace(/\n/g, eol));

    it(`maps findings to the words they are about${crlf}`, () => {
      assert.deepEqual(f('FROM debian:bookworm\nARG VERSION=1.2.3\nRUN cd /opt; curl -fsSLO https://example.com/tool-$VERSION.tar.gz\n'), [
        '3:5-3:12 SC2164',
        '3:51-3:59 SC2086',
      ]);
    });

    it(`follows continuation lines and skips comment lines inside them${crlf}`, () => {
      assert.deepEqual(f('FROM debian:bookworm\nRUN true \\\n  # say it\n  && echo $HOME \\\n\t; cd /tmp; ls\n'), ['4:11-4:16 SC2086', '5:4-5:11 SC2164']);
    });

    it(`checks heredoc bodies with their shebang's dialect${crlf}`, () => {
      assert.deepEqual(f('FROM debian:bookworm\nRUN <<EOF\nif [[ -f /x ]]; then echo ok; fi\nEOF\n'), ['3:4-3:15 SC3010']);
      assert.deepEqual(f('FROM debian:bookworm\nRUN <<EOF\n#!/bin/bash\nif [[ -f /x ]]; then echo ok; fi\nEOF\n'), []);
      assert.deepEqual(f('FROM debian:bookworm\nRUN python3 <<EOF\nprint("hi")\nEOF\n'), []);
      // An unquoted heredoc is expanded by the shell before python sees it.
      assert.deepEqual(f('FROM debian:bookworm\nRUN python3 <<EOF\nprint("$x")\nEOF\n'), ['3:8-3:10 SC2154']);
      assert.deepEqual(f('FROM debian:bookworm\nRUN cat <<EOF > /etc/motd\nhello $who\nEOF\n'), ['3:7-3:11 SC2154']);
      assert.deepEqual(f('FROM debian:bookworm\nRUN cat <<EOF > /etc/app.conf\n# generated\nuser=$who\nEOF\n'), ['4:6-4:10 SC2154']);
      // Comment lines inside a continued head read differently in the shell: not checked.
      assert.deepEqual(f('FROM debian:bookworm\nRUN cat \\\n  # where\n  <<EOF > /etc/motd\nhello $who\nEOF\n'), []);
    });

    it(`uses the SHELL in effect, and what /bin/sh is in the base image${crlf}`, () => {
      const script = 'RUN if [[ -f /x ]]; then echo ok; fi\n';
      assert.deepEqual(f(`FROM debian:bookworm\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n${script}`), []);
      assert.deepEqual(f(`FROM rockylinux:9\n${script}`), []);
      assert.deepEqual(f(`FROM alpine:3.20\n${script}`), []);
      assert.deepEqual(f(`FROM alpine:3.20 AS base\nFROM base\n${script}`), []);
      assert.deepEqual(f(`FROM ubuntu:24.04\n${script}`), ['2:8-2:19 SC3010']);
      assert.deepEqual(f(`FROM example.com/app:1\n${script}`), ['2:8-2:19 SC3010']);
    });

    it(`stays quiet on exec form, non-POSIX shells and Windows images${crlf}`, () => {
      assert.deepEqual(f('FROM debian\nRUN ["sh", "-c", "echo $x"]\n'), []);
      assert.deepEqual(f('FROM debian\nSHELL ["pwsh", "-Command"]\nRUN echo $x\n'), []);
      assert.deepEqual(f('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo $x\n'), []);
      assert.deepEqual(f('FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN echo $x\n'), []);
    });

    it(`does not report variables declared with ARG or ENV as unassigned${crlf}`, () => {
      assert.deepEqual(f('FROM debian\nARG pkgs="curl git"\nENV dest=/opt\nRUN echo "$pkgs" "$dest" "$other"\n'), ['4:27-4:33 SC2154']);
    });

    it(`leaves out SC2046 and codes turned off in comments${crlf}`, () => {
      assert.deepEqual(f('FROM alpine\nRUN apk add --no-cache $(scanelf --needed /usr/local | sort -u)\n'), []);
      assert.deepEqual(f('FROM debian\n# hadolint ignore=SC2086,DL3008\nRUN echo $HOME\n'), []);
      assert.deepEqual(f('FROM debian\n# shellcheck disable=SC2086\nRUN echo $HOME\nRUN echo $PATH\n'), ['4:10-4:15 SC2086']);
      assert.deepEqual(f('# layerwise global ignore=SC2086\nFROM debian\nRUN echo $HOME\n'), []);
    });

    it(`covers ONBUILD triggers${crlf}`, () => {
      assert.deepEqual(f('FROM debian\nONBUILD RUN echo $HOME\n'), ['2:18-2:23 SC2086']);
    });

    it(`offers ShellCheck's fix as an unsafe fix${crlf}`, () => {
      const text = 'FROM debian\nRUN echo $HOME\n'.replace(/\n/g, eol);
      const { doc, diagnostics } = findingsOf('shellcheck', text);
      const fix = (diagnostics[0]?.data as RuleDiagnosticData).fixes[0]!;
      assert.equal(fix.safe, false);
      assert.equal(TextDocument.applyEdits(doc.textDocument, fix.edits), 'FROM debian\nRUN echo "$HOME"\n'.replace(/\n/g, eol));
    });

    it(`offers no fix where an edit would straddle a line continuation${crlf}`, () => {
      const { diagnostics } = findingsOf('shellcheck', 'FROM debian\nRUN echo $HOME\\\n  /x\n'.replace(/\n/g, eol));
      assert.equal(diagnostics.length, 1);
      assert.deepEqual((diagnostics[0]!.data as RuleDiagnosticData).fixes, []);
    });
  }

  it('is silent on a clean script', () => {
    assert.deepEqual(found('FROM debian:bookworm\nARG VERSION=1.2.3\nWORKDIR /opt\nRUN curl -fsSLO "https://example.com/tool-${VERSION}.tar.gz"\n'), []);
  });
});
