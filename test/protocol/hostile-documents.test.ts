import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, type InitializeResult } from 'vscode-languageserver-protocol';
import { driveDocument, emptyStats, Rng, type FuzzStats } from '../support/fuzz';
import { LspClient } from '../support/lsp-client';

/**
 * Documents that made the bundled server answer with an error, overflow its stack or stall:
 * each is opened, edited and asked every request the server advertises at random positions,
 * and must get 0 error answers and 0 unanswered requests. Fuzz finds land here as fixed cases.
 */
const SERVER = path.resolve('server/out/server.js');
/** A hang detector for a loaded CI machine, not a speed assertion. */
const DEADLINE_MS = 20_000;

const CASES: Record<string, string> = {
  // Each `&&` nests the tree-sitter-bash tree one level deeper: a recursive walk overflowed.
  'a 12,000-command && chain': `FROM alpine\nRUN ${Array(12_000).fill('a').join(' && ')}\n`,
  'a 5,000-command pipeline': `FROM alpine\nRUN ${Array(5_000).fill('a').join(' | ')}\n`,
  'nested command substitutions': `FROM alpine\nRUN ${'echo $('.repeat(2_000)}x${')'.repeat(2_000)}\n`,
  // dockerfile-ast resolved a variable before any FROM on an indented line by calling itself forever.
  'an indented instruction with a variable before any FROM': '  RUN $A\n',
  'an indented ENV before FROM, then a stage': '  ENV X=$Y\nFROM alpine\n  RUN echo $X\n',
  'stages naming each other in a circle': 'FROM b AS a\nFROM a AS b\nWORKDIR /x\nCOPY . .\nRUN echo $A\n',
  // dockerfile-ast's heredoc reader read past its markers on a CR line end after an escape.
  'an escaped CR before a comment': '" \\\r#p\n',
  'CR-only line ends with a heredoc': 'FROM alpine\rRUN <<EOF\recho hi\rEOF\rRUN <<A <<B\r',
  // Quadratic in the pairs of one ENV (env-same-instruction-reference compared every key with every value).
  'ENV with 20,000 words on one line': `FROM alpine\nENV V=1 ${Array(10_000).fill('a b').join(' ')}\n`,
  'ENV with 5,000 pairs referring to each other': `FROM alpine\nENV ${Array.from({ length: 5_000 }, (_, i) => `K${i}=$K${i + 1}`).join(' ')}\n`,
  // Quadratic in the stages once (a stage lookup per variable); 2,000 keep the test quick on a loaded machine.
  '2,000 stages': Array.from({ length: 2_000 }, (_, i) => `FROM alpine AS s${i}\nCOPY --from=s${Math.max(0, i - 1)} /a /a\nRUN echo $A ${i}\n`).join(''),
  // BuildKit's word lexer (variables.ts) recursed once per level: inlay hints overflowed the stack.
  'defaults nested 5,000 deep': `FROM alpine\nARG A\nRUN echo ${'${A:-'.repeat(5_000)}x${'}'.repeat(5_000)}\nENV B=${'${A:-'.repeat(5_000)}x${'}'.repeat(5_000)}\n`,
  // dockerfile-utils' stage-name regex backtracked exponentially: 30 s for this name (found by the long fuzz run).
  'a long invalid stage name': 'FROM alpine AS openssl-builderSL_SOURCE_SHA256="a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8"\nRUN echo hi\n',
  'a lone surrogate and a BOM': '\ufeffFROM alpine\nRUN echo \ud800 $A\nLABEL a=\udfff\n',
  'unterminated JSON and heredocs': 'FROM alpine\nCMD ["a", "b\nRUN <<EOF\nENTRYPOINT [\nSHELL ["/bin/sh", "-c"\nCOPY <<A <<B /x\n',
  // Fuzz document 54735 (seed 14): a removed package pattern with an open `[` threw in single-stage-toolchain's code action.
  'glob and regex characters in package patterns and COPY sources':
    "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev && apt-get purge -y 'do[cker-*' 'gc*' && rm -rf /var/lib/apt/lists/*\nCOPY [z-a] do[cker-php-ext-* /usr/local/bin/\nCMD [\"python\", \"-m\", \"app\"]\n",
  // Fuzz document 66132 (seed 14): FROM's third argument, tested with a backtracking pattern without AS, held the server 10 s.
  'FROM with a long third argument and no AS':
    'FROM registUTF-8 \\\n    # a comment\n    PSModuleAnalysisCachePath=/var/cache/microsoft/powershell/PSModuleAnalysisCache/ModuleAnalysisCache \\\n    POWERSHELL_DISTRIBUTION_CHANNEL=PSDocker-UBI-8.4\nRUN echo hi\n',
  'escape flipped to backtick': '# escape=`\nFROM alpine\nRUN echo a `\n  && echo $A \\\nENV A=1 B=$A\n',
};

describe('hostile documents through the bundled server', () => {
  let client: LspClient;
  let init: InitializeResult;

  before(async () => {
    client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], settings: { layerwise: { docker: { host: 'unix:///nonexistent/layerwise-test.sock' } } } });
    init = await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  for (const [name, text] of Object.entries(CASES)) {
    it(`${name}: every advertised request answers, validation does not fail`, async () => {
      client.errorLogs.length = 0;
      const stats: FuzzStats = emptyStats();
      const uri = `untitled:hostile-${name.replace(/\W+/g, '-')}`;
      const published = client.waitForDiagnostics(uri, { version: 1 }, 60_000);
      // Three rounds of every request at random positions, with edits in between.
      await driveDocument(client, init, new Rng(name.length), uri, text, [text], 0, stats, { deadlineMs: DEADLINE_MS, size: { maxChars: 200 }, edits: 2 });
      await published;
      assert.ok(!client.hasExited, `the server exited: ${client.stderr.slice(-1000)}`);
      assert.deepEqual(
        stats.failures.map((f) => `${f.kind} ${f.method}: ${f.message}`),
        [],
      );
      assert.ok(stats.requests > 20, `only ${stats.requests} requests were sent`);
      const failures = client.errorLogs.filter((l) => /failed/.test(l));
      assert.deepEqual(failures, []);
    });
  }
});

describe('requests the client cancelled while the server was busy', () => {
  let client: LspClient;

  before(async () => {
    client = LspClient.spawn({ command: process.execPath, args: [SERVER, '--stdio'], settings: { layerwise: { docker: { host: 'unix:///nonexistent/layerwise-test.sock' } } } });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
  });

  it('are answered RequestCancelled without being computed', async () => {
    const small = 'untitled:small';
    const opened = client.waitForDiagnostics(small, { version: 1 });
    await client.didOpen(small, 'FROM alpine:3.20\nRUN echo hi\n', 1);
    await opened;
    // A document that keeps the server busy for a while, so the requests below queue up behind it:
    // under the lint limits, and its model build (one step of the validation: every RUN parsed by
    // tree-sitter) takes about a second. A 1 MB document is no longer linted at all.
    const big = 'untitled:big';
    const bigDone = client.waitForDiagnostics(big, { version: 1 }, 120_000);
    await client.didOpen(big, `FROM alpine\n${Array.from({ length: 100 }, (_, i) => `RUN ${'('.repeat(1_000)}true ${i}${')'.repeat(1_000)}\n`).join('')}`, 1);
    await new Promise((r) => setTimeout(r, 300));
    const source = new CancellationTokenSource();
    const symbols = client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: small } }, source.token);
    source.cancel();
    await assert.rejects(symbols, (e: { code?: number }) => e.code === -32800);
    await bigDone;
    // Asked again, it is answered.
    assert.ok(Array.isArray(await client.request('textDocument/documentSymbol', { textDocument: { uri: small } })));
  });
});
