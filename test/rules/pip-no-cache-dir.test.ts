import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { findingsOf, ruleTable } from './harness';

ruleTable('pip-no-cache-dir', {
  valid: [
    'FROM python:3.12\nRUN pip install --no-cache-dir flask\n',
    'FROM python:3.12\nRUN pip --no-cache-dir install flask\n',
    'FROM python:3.12\nRUN pip install flask --no-cache-dir\n',
    'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n',
    // pip reads any boolean there as "no cache", even `off`.
    'FROM python:3.12\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n',
    'FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six\n',
    'FROM python:3.12\nARG PIP_NO_CACHE_DIR\nRUN pip install flask\n',
    'FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n',
    'FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=true \\\n && pip install flask\n',
    'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n',
    'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache \\\n    python3 -m pip install -r requirements.txt\n',
    'FROM python:3.12\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install --user flask\n',
    'FROM python:3.12\nRUN --mount=type=cache,target=/pipcache pip install --cache-dir=/pipcache flask\n',
    'FROM python:3.12\nRUN pip install flask && rm -rf /root/.cache/pip\n',
    'FROM python:3.12\nRUN pip install flask \\\n && pip cache purge\n',
    'FROM python:3.12\nRUN pipx install black && pipenv install\n',
    'FROM python:3.12\nRUN uv pip install flask\n',
    'FROM python:3.12\nRUN pip download flask && python -m pip --version\n',
    'FROM python:3.12\nRUN echo pip install flask\n',
    // A builder whose cache never reaches the image: only /install is copied out.
    'FROM python:3.12 AS build\nRUN pip install --prefix=/install six\nFROM python:3.12-slim\nCOPY --from=build /install /usr/local\n',
    'FROM python:3.12\nSHELL ["pwsh", "-c"]\nRUN pip install flask\n',
    'FROM python:3.12\nARG PIP_FLAGS="--no-cache-dir --upgrade"\nRUN pip install $PIP_FLAGS flask==3.0.0\n',
  ],
  invalid: [
    { code: 'FROM python:3.12\nENV PIP="python3 -m pip"\nRUN $PIP install flask==3.0.0\n', errors: [{ line: 3, column: 5 }] },
    {
      code: 'FROM python:3.12\nRUN pip install flask\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16, message: /leaves its download cache/ }],
      output: 'FROM python:3.12\nRUN pip install --no-cache-dir flask\n',
    },
    {
      code: 'FROM python:3.12\nRUN apt-get update \\\n # the app\n && python3 -m pip install \\\n    -r requirements.txt\n',
      errors: [{ line: 4, column: 5, endLine: 4, endColumn: 27, message: /^`python3 -m pip install`/ }],
      output: 'FROM python:3.12\nRUN apt-get update \\\n # the app\n && python3 -m pip install --no-cache-dir \\\n    -r requirements.txt\n',
    },
    {
      code: 'FROM python:3.12\nRUN ["pip", "install", "flask"]\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 22 }],
      output: 'FROM python:3.12\nRUN ["pip", "install", "--no-cache-dir", "flask"]\n',
    },
    {
      code: 'FROM python:3.12\nRUN <<EOF\nset -e\npip3 install flask\nEOF\n',
      errors: [{ line: 4, column: 1, endLine: 4, endColumn: 13 }],
      output: 'FROM python:3.12\nRUN <<EOF\nset -e\npip3 install --no-cache-dir flask\nEOF\n',
    },
    {
      code: 'FROM python:3.12\nONBUILD RUN sudo -H pip install -r /app/requirements.txt\n',
      errors: [{ line: 2, column: 21, endLine: 2, endColumn: 32 }],
      output: 'FROM python:3.12\nONBUILD RUN sudo -H pip install --no-cache-dir -r /app/requirements.txt\n',
    },
    // ENV of another stage is not inherited.
    { code: 'FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM python:3.12\nRUN pip install six\n', errors: [{ line: 4, column: 5 }] },
    { code: 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=""\nRUN pip install six | tee log\n', errors: [{ line: 3, column: 5, endColumn: 16 }] },
    // The cache mount is elsewhere than the cache; no fix, because `--cache-dir` after it would win.
    { code: 'FROM python:3.12\nRUN --mount=type=cache,target=/tmp/pip pip install --cache-dir /tmp/other six\n', errors: [{ line: 2, column: 40, endColumn: 51 }] },
    { code: 'FROM python:3.12\nRUN pip --disable-pip-version-check install six\n', errors: [{ line: 2, column: 5, endColumn: 44 }], output: 'FROM python:3.12\nRUN pip --disable-pip-version-check install --no-cache-dir six\n' },
    { code: 'FROM python:3.12\nRUN pip install six && pip cache remove six\n', errors: [{ line: 2 }] },
    // Removing the cache in a later RUN does not shrink the earlier layer.
    { code: 'FROM python:3.12\nRUN pip install six\nRUN rm -rf /root/.cache/pip\n', errors: [{ line: 2 }] },
    { code: 'FROM python:3.12\nRUN pip install six && pip install flask\n', errors: [{ line: 2, column: 5 }, { line: 2, column: 24 }] },
  ],
});

describe('pip-no-cache-dir: the cache mount fix', () => {
  before(() => initShellParser());
  /** The text after the fix whose title matches, for LF and CRLF; and whether the rule is then quiet about that command. */
  const cases: { code: string; output?: string }[] = [
    { code: 'FROM python:3.12\nRUN pip install flask\n', output: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n' },
    {
      code: 'FROM python:3.12\nRUN --network=default \\\n    # the app\n    pip install -r requirements.txt\n',
      output: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    --network=default \\\n    # the app\n    pip install -r requirements.txt\n',
    },
    { code: 'FROM python:3.12\nRUN ["pip", "install", "flask"]\n', output: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "flask"]\n' },
    { code: 'FROM python:3.12\nRUN <<EOF\npip3 install flask\nEOF\n', output: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip <<EOF\npip3 install flask\nEOF\n' },
    { code: '# escape=`\nFROM python:3.12 AS base\nFROM base\nRUN pip install `\n    flask\n', output: '# escape=`\nFROM python:3.12 AS base\nFROM base\nRUN --mount=type=cache,target=/root/.cache/pip `\n    pip install `\n    flask\n' },
    // The cache folder named by PIP_CACHE_DIR is the mount's target (and the only fix).
    { code: 'FROM python:3.12\nENV PIP_CACHE_DIR=/var/cache/pip\nRUN pip install six\n', output: 'FROM python:3.12\nENV PIP_CACHE_DIR=/var/cache/pip\nRUN --mount=type=cache,target=/var/cache/pip pip install six\n' },
    // Not as another user or HOME (the mount is root's), not through sudo, not in ONBUILD.
    { code: 'FROM python:3.12\nUSER app\nRUN pip install --user six\n' },
    { code: 'FROM python:3.12\nENV HOME=/home/app\nRUN pip install six\n' },
    { code: 'FROM python:3.12\nRUN sudo -H pip install six\n' },
    { code: 'FROM python:3.12\nONBUILD RUN pip install six\n' },
    { code: 'ARG BASE\nFROM $BASE\nRUN pip install six\n' },
  ];
  for (const [k, c] of cases.entries()) {
    for (const eol of ['\n', '\r\n']) {
      it(`#${k + 1}${eol === '\n' ? '' : ' (CRLF)'}: ${c.code.split('\n').find((l) => /pip/.test(l))}`, () => {
        const code = c.code.replace(/\n/g, eol);
        const { doc, diagnostics } = findingsOf('pip-no-cache-dir', code);
        const fix = (diagnostics[0]!.data as RuleDiagnosticData).fixes.find((f) => /cache mount/.test(f.title));
        if (c.output === undefined) return assert.equal(fix, undefined);
        assert.ok(fix, 'expected a cache mount fix');
        assert.equal(fix.safe, false);
        assert.match(fix.title, /\(BuildKit\)$/);
        const fixed = TextDocument.applyEdits(doc.textDocument, fix.edits);
        assert.equal(fixed, c.output.replace(/\n/g, eol));
        assert.deepEqual(findingsOf('pip-no-cache-dir', fixed).diagnostics.map((d) => d.message), []);
      });
    }
  }
});
