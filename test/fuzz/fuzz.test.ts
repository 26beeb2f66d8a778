import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { percentile, runFuzz, type FuzzFailure } from '../support/fuzz';
import { realFiles, readReal } from '../support/corpus';
import { LspClient } from '../support/lsp-client';

/**
 * The fuzz tier: a fixed-seed run of mutated real Dockerfiles and generated pathologies through
 * the bundled server, every advertised request at random positions with edits in between.
 * 0 error answers, 0 unanswered requests, 0 crashes. A failure prints the document number; rerun
 * it alone with LAYERWISE_FUZZ_FIRST=<n> LAYERWISE_FUZZ_DOCUMENTS=1, then add the (minimized)
 * document to test/protocol/hostile-documents.test.ts.
 * LAYERWISE_FUZZ_SEED and LAYERWISE_FUZZ_DOCUMENTS change the run; the long run is scripts/fuzz-long.ts.
 */
const SERVER = path.resolve('server/out/server.js');
const SEED = Number(process.env.LAYERWISE_FUZZ_SEED ?? 20261207);
const DOCUMENTS = Number(process.env.LAYERWISE_FUZZ_DOCUMENTS ?? 2000);
const FIRST = Number(process.env.LAYERWISE_FUZZ_FIRST ?? 0);

describe(`fuzz: ${DOCUMENTS} documents from seed ${SEED}`, () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-fuzz-'));
  const artifacts = path.resolve('test-artifacts/fuzz');
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('every request is answered without an error and the server never exits', { timeout: 30 * 60_000 }, async () => {
    const corpus = realFiles().map(readReal);
    const failures: FuzzFailure[] = [];
    const result = await runFuzz(
      {
        seed: SEED,
        documents: DOCUMENTS,
        first: FIRST,
        command: [process.execPath, SERVER, '--stdio'],
        // No daemon and no git repository: lenses and cache figures answer with what they cannot read.
        settings: { layerwise: { docker: { host: `unix://${folder}/no-docker.sock` } } },
        folder,
        corpus,
        deadlineMs: 20_000,
        size: { maxChars: 4_000 },
        edits: 1,
        onFailure: (f) => {
          failures.push(f);
          fs.mkdirSync(artifacts, { recursive: true });
          fs.writeFileSync(path.join(artifacts, `doc-${f.doc}-${f.method.replace(/\W+/g, '_')}.txt`), `${JSON.stringify(f.params)}\n${f.message}\n---\n${f.text}`);
        },
      },
      ([command, ...args], settings) => LspClient.spawn({ command: command!, args, settings }),
    );
    console.log(
      `fuzz: ${result.documents} documents, ${result.requests} requests, ${result.errors} errors, ${result.unanswered} unanswered, ${result.crashes} crashes, ` +
        `p99 ${percentile(result.latencies, 99).toFixed(0)} ms, peak RSS ${((result.peakRssKiB ?? 0) / 1024).toFixed(0)} MiB, ${(result.durationMs / 1000).toFixed(0)} s`,
    );
    assert.deepEqual(
      failures.map((f) => `document ${f.doc}: ${f.kind} ${f.method}: ${f.message.slice(0, 300)}`),
      [],
    );
    assert.equal(result.documents, DOCUMENTS);
  });
});
