import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { splitShell } from '../../server/src/rules/lib/fix-helpers';
import { findingsOf, ruleTable } from './harness';

ruleTable('json-args-recommended', {
  valid: [
    'FROM alpine\nENTRYPOINT ["my-program", "start"]\n',
    'FROM alpine\nCMD [ "/bin/sh", "-c", \\\n      "echo foo && \\\n       echo bar" \\\n    ]\n',
    'FROM alpine\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT echo "hello world"\n',
    'FROM alpine\nRUN echo shell form is fine for RUN\n',
    // BusyBox ash (Alpine) and bash (Fedora, RHEL) replace themselves with a single simple command: it is PID 1.
    'FROM alpine:3.20\nCMD /app --listen :8080\n',
    'FROM node:20-alpine\nCMD node server.js > /var/log/app.log 2>&1\n',
    'FROM python:3.12-alpine AS base\nFROM base\nCMD gunicorn --bind 0.0.0.0:$PORT app:app\n',
    'FROM fedora:40\nCMD /usr/sbin/httpd -DFOREGROUND\n',
    'FROM registry.access.redhat.com/ubi9/ubi-minimal\nCMD /app\n',
    'FROM registry.fedoraproject.org/fedora:40\nCMD /usr/bin/toolbox-init\n',
    'FROM quay.io/fedora/fedora:40\nCMD /app\n',
    // `exec` replaces any shell, dash too.
    'FROM python:3.12\nCMD exec gunicorn --bind 0.0.0.0:8000 app:app\n',
    // An init in exec form that signals the whole process group.
    'FROM node:20\nENTRYPOINT ["dumb-init", "--"]\nCMD node server.js\n',
    'FROM debian:bookworm\nENTRYPOINT ["/usr/bin/tini", "-g", "--"]\nCMD my-server --port 80\n',
    'FROM ubuntu:24.04\nENTRYPOINT ["/init"]\nCMD nginx -g "daemon off;"\n',
    'FROM debian AS base\nENTRYPOINT ["/usr/local/bin/dumb-init", "--"]\nFROM base\nCMD ./run.sh\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nENTRYPOINT my-program start\n',
      errors: [{ line: 2, column: 12, endLine: 2, endColumn: 28, message: /exec form/ }],
      output: 'FROM alpine\nENTRYPOINT ["my-program", "start"]\n',
    },
    // Continuation lines are joined into one line.
    { code: 'FROM node\nCMD node \\\n  server.js\n', errors: [{ line: 2, column: 5, endLine: 3, endColumn: 12 }], output: 'FROM node\nCMD ["node", "server.js"]\n' },
    { code: 'FROM node\nONBUILD CMD node server.js\n', errors: [{ line: 2, column: 13 }], output: 'FROM node\nONBUILD CMD ["node", "server.js"]\n' },
    { code: 'FROM node\nSHELL ["/bin/bash", "-c"]\nFROM node\nCMD node server.js\n', errors: [{ line: 4 }], output: 'FROM node\nSHELL ["/bin/bash", "-c"]\nFROM node\nCMD ["node", "server.js"]\n' },
    // Quotes are removed and escapes resolved the way the shell does; JSON quoting is exact.
    {
      code: `FROM python:3.12\nCMD python -c 'print("hi")' "a b" c\\ d "tab\\\\t" ''\n`,
      errors: [{ line: 2 }],
      output: 'FROM python:3.12\nCMD ["python", "-c", "print(\\"hi\\")", "a b", "c d", "tab\\\\t", ""]\n',
    },
    // A leading `exec` is what the exec form does anyway; in an ENTRYPOINT, CMD is still ignored.
    { code: 'FROM python:3.12\nENTRYPOINT exec gunicorn --bind 0.0.0.0:8000 app:app\n', errors: [{ line: 2, message: /ignores CMD/ }], output: 'FROM python:3.12\nENTRYPOINT ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n' },
    // Variables need the shell: `exec` makes the program PID 1 after the shell expanded them.
    { code: 'FROM node:20\nCMD node server.js --port $PORT\n', errors: [{ line: 2 }], output: 'FROM node:20\nCMD ["/bin/sh", "-c", "exec node server.js --port $PORT"]\n' },
    { code: 'FROM alpine\nENTRYPOINT /app/run > /var/log/app.log 2>&1\n', errors: [{ line: 2 }], output: 'FROM alpine\nENTRYPOINT ["/bin/sh", "-c", "exec /app/run > /var/log/app.log 2>&1"]\n' },
    // Several commands: the shell is written out and stays PID 1.
    { code: 'FROM node:20\nCMD npm run migrate && npm start\n', errors: [{ line: 2 }], output: 'FROM node:20\nCMD ["/bin/sh", "-c", "npm run migrate && npm start"]\n' },
    { code: 'FROM alpine\nCMD echo "ready" ; sleep infinity\n', errors: [{ line: 2 }], output: 'FROM alpine\nCMD ["/bin/sh", "-c", "echo \\"ready\\" ; sleep infinity"]\n' },
    // Builtins have no program to exec.
    { code: 'FROM alpine\nCMD echo hello\n', errors: [{ line: 2 }], output: 'FROM alpine\nCMD ["/bin/sh", "-c", "echo hello"]\n' },
    // Comment lines inside the continuation move above the instruction.
    {
      code: 'FROM node:20\n  CMD node \\\n    # the entry point\n    --enable-source-maps \\\n    server.js\n',
      errors: [{ line: 2 }],
      output: 'FROM node:20\n  # the entry point\n  CMD ["node", "--enable-source-maps", "server.js"]\n',
    },
    // The backtick escape character: its continuations are joined; a backslash is the shell's.
    {
      code: '# escape=`\nFROM debian:bookworm\nCMD my-app `\n    --config /etc/app.conf `\n    --name "my app"\n',
      errors: [{ line: 3 }],
      output: '# escape=`\nFROM debian:bookworm\nCMD ["my-app", "--config", "/etc/app.conf", "--name", "my app"]\n',
    },
    // Several stages, an ARG-substituted image: the CMD of the last stage.
    {
      code: 'ARG GO=1.22\nFROM golang:${GO} AS build\nRUN go build -o /app .\nFROM debian:bookworm-slim\nCOPY --from=build /app /app\nCMD /app --listen :8080\n',
      errors: [{ line: 6 }],
      output: 'ARG GO=1.22\nFROM golang:${GO} AS build\nRUN go build -o /app .\nFROM debian:bookworm-slim\nCOPY --from=build /app /app\nCMD ["/app", "--listen", ":8080"]\n',
    },
    // A SHELL inherited from the parent stage is the shell the command runs under.
    { code: 'FROM debian AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\nCMD echo $HOME\n', errors: [{ line: 4 }], output: 'FROM debian AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\nCMD ["/bin/bash", "-c", "echo $HOME"]\n' },
    // dash (Debian, Ubuntu) forks and waits: the program is not PID 1.
    { code: 'FROM ubuntu:24.04\nCMD /app --listen :8080\n', errors: [{ line: 2, message: /^CMD in shell form runs under \/bin\/sh -c, so the program is not PID 1/ }] },
    // Several commands: the shell stays PID 1 on Alpine too; bash does not exec a command with a redirection.
    { code: 'FROM alpine\nCMD a && b\n', errors: [{ line: 2, message: /is not PID 1/ }] },
    { code: 'FROM fedora:40\nCMD /app > /var/log/app.log\n', errors: [{ line: 2, message: /is not PID 1/ }] },
    // An unknown base image: said conditionally.
    { code: 'ARG BASE\nFROM $BASE\nCMD /app --listen :8080\n', errors: [{ line: 3, message: /unless the image's \/bin\/sh replaces itself/ }] },
    { code: 'FROM registry.example.com/team/base:1\nCMD /app\n', errors: [{ line: 2, message: /BusyBox ash and bash do, dash does not/ }] },
    // tini without -g signals only the shell, which does not pass it on.
    { code: 'FROM debian:bookworm\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD my-server --port 80\n', errors: [{ line: 3, message: /tini passes SIGTERM only to that shell/ }] },
    // A shell-form ENTRYPOINT ignores CMD and run arguments on every image; FROM scratch has no shell at all.
    { code: 'FROM alpine\nENTRYPOINT /app --listen :8080\n', errors: [{ line: 2, message: /^ENTRYPOINT in shell form ignores CMD/ }], output: 'FROM alpine\nENTRYPOINT ["/app", "--listen", ":8080"]\n' },
    { code: 'FROM scratch\nCOPY app /app\nCMD /app\n', errors: [{ line: 3, message: /no \/bin\/sh/ }], output: 'FROM scratch\nCOPY app /app\nCMD ["/app"]\n' },
    // Broken JSON is a typo, not a shell command: no rewrite.
    { code: 'FROM node\nCMD [node, server.js]\n', errors: [{ line: 2 }] },
    // An unterminated quote: the command is written out as the shell gets it (and fails).
    { code: 'FROM node\nCMD node "server.js\n', errors: [{ line: 2 }], output: 'FROM node\nCMD ["/bin/sh", "-c", "node \\"server.js"]\n' },
  ],
});

function fixesOf(code: string) {
  const { diagnostics } = findingsOf('json-args-recommended', code);
  return (diagnostics[0]?.data as RuleDiagnosticData | undefined)?.fixes ?? [];
}

describe('json-args-recommended: which rewrites are safe', () => {
  before(() => initShellParser());
  const safety = (code: string) => fixesOf(code).map((f) => f.safe);
  it('a CMD on a base image without ENTRYPOINT, and no ENTRYPOINT in the Dockerfile', () => {
    assert.deepEqual(safety('FROM python:3.12-slim\nCMD python app.py\n'), [true]);
    assert.deepEqual(safety('ARG BASE=python:3.12\nFROM ${BASE}\nCMD python app.py\n'), [true]);
    assert.deepEqual(safety('FROM scratch\nCMD /app\n'), [true]);
  });
  it('a CMD handed to an ENTRYPOINT reads differently: unsafe', () => {
    assert.deepEqual(safety('FROM debian\nENTRYPOINT ["/entrypoint.sh"]\nCMD serve --port 80\n'), [false]);
    assert.deepEqual(safety('FROM debian AS base\nENTRYPOINT ["/entrypoint.sh"]\nFROM base\nCMD serve\n'), [false]);
    // nginx's entrypoint runs its setup only when $1 is nginx.
    assert.deepEqual(safety('FROM nginx:1.27\nCMD nginx -g daemon-off\n'), [false]);
    // The base image is unknown.
    assert.deepEqual(safety('ARG BASE\nFROM $BASE\nCMD app\n'), [false]);
    assert.deepEqual(safety('FROM registry.example.com/team/base:1\nCMD app\n'), [false]);
  });
  it('an ENTRYPOINT that would start receiving CMD arguments: unsafe', () => {
    assert.deepEqual(safety('FROM alpine\nENTRYPOINT my-program start\n'), [true]);
    assert.deepEqual(safety('FROM alpine\nENTRYPOINT my-program start\nCMD ["--verbose"]\n'), [false]);
    assert.deepEqual(safety('FROM alpine AS base\nENTRYPOINT my-program\nFROM base\nCMD ["--verbose"]\n'), [false]);
  });
  it('`sh -c "exec …"` keeps the argv the shell form had: safe; several commands: unsafe', () => {
    assert.deepEqual(safety('FROM nginx\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD nginx -g "daemon off;" -c $CONF\n'), [true]);
    assert.deepEqual(safety('FROM alpine\nCMD a && b\n'), [false]);
    assert.deepEqual(safety('FROM debian\nONBUILD CMD app $X\n'), [false]);
  });
  it('applies with CRLF line endings and keeps them', () => {
    const { doc, diagnostics } = findingsOf('json-args-recommended', 'FROM node\r\nCMD node \\\r\n  # entry\r\n  server.js\r\nEXPOSE 80\r\n');
    const fix = (diagnostics[0]!.data as RuleDiagnosticData).fixes[0]!;
    assert.equal(TextDocument.applyEdits(doc.textDocument, fix.edits), 'FROM node\r\n# entry\r\nCMD ["node", "server.js"]\r\nEXPOSE 80\r\n');
  });
});

describe('splitShell', () => {
  it('splits words as a POSIX shell does and names the features that need one', () => {
    assert.deepEqual(splitShell(`a 'b c' "d \\"e\\" \\$f" g\\ h`), { words: ['a', 'b c', 'd "e" $f', 'g h'], features: new Set() });
    const f = (s: string) => [...splitShell(s).features].sort();
    assert.deepEqual(f('a $B'), ['expansion']);
    assert.deepEqual(f('a "${B}"'), ['expansion']);
    assert.deepEqual(f('a $(date)'), ['expansion']);
    assert.deepEqual(f('a `date`'), ['expansion']);
    assert.deepEqual(f("a '$B'"), []);
    assert.deepEqual(f('a $'), []);
    assert.deepEqual(f('a *.txt'), ['glob']);
    assert.deepEqual(f('a ~/x'), ['tilde']);
    assert.deepEqual(f('a b=~/x'), []);
    assert.deepEqual(f('a > log 2>&1'), ['redirect']);
    assert.deepEqual(f('a <<EOF'), ['heredoc']);
    assert.deepEqual(f('a | b'), ['operator']);
    assert.deepEqual(f('a && b'), ['operator']);
    assert.deepEqual(f('(a)'), ['operator']);
    assert.deepEqual(f('a # note'), ['comment']);
    assert.deepEqual(f('a#b'), []);
    assert.deepEqual(f('X=1 a'), ['assignment']);
    assert.deepEqual(f('a X=1'), []);
    assert.deepEqual(f('a {b,c}'), ['brace']);
    assert.deepEqual(f('a "b'), ['unterminated']);
  });
});
