import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { lintDocument } from '../../server/src/engine/lint';
import type { RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { buildClassic, runOutput } from '../support/build';
import { testDaemon } from '../support/daemon';
import { ensureDebianImage } from '../support/debian-image';
import { dockerFor } from '../support/images';
import { docOf } from '../support/docs';

const ONCE = 'the fix is proven on one real build (a Debian image, apt): run once, on Engine 20.10';
const daemon = testDaemon({ podman: ONCE, docker26: ONCE });

/** The apt merge fix, proven by building the image before and after on the private daemon. */
describe('apt merge fix on a real build', { skip: daemon.skip }, () => {
  const docker = dockerFor(daemon.host ?? '');
  let base = '';
  before(async () => {
    await initShellParser();
    base = await ensureDebianImage(docker);
  });

  it('the merged Dockerfile builds, prints the same, and the image is tens of MB smaller', { timeout: 600_000 }, async () => {
    const before = [
      `FROM ${base}`,
      'RUN apt-get update',
      'ENV GREETING=hello',
      'RUN DEBIAN_FRONTEND=noninteractive apt-get install -y \\',
      '      curl',
      'CMD ["sh", "-c", "curl --version | head -1 | cut -d\\" \\" -f1,2 && echo $GREETING"]',
      '',
    ].join('\n');
    const doc = docOf(before);
    const d = lintDocument(doc, DEFAULT_SETTINGS).find((x) => x.code === 'apt-update-separate');
    assert.ok(d, 'apt-update-separate reported');
    const fix = (d.data as RuleDiagnosticData).fixes[0];
    assert.ok(fix, `a merge is offered: ${d.message}`);
    const after = TextDocument.applyEdits(doc.textDocument, fix.edits);
    assert.match(after, /RUN apt-get update \\\n\s+&& DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends -y \\\n\s+curl \\\n\s+&& rm -rf \/var\/lib\/apt\/lists\/\*\n/);

    const a = await buildClassic(docker, before, 'layerwise-test/apt-merge:before');
    const b = await buildClassic(docker, after, 'layerwise-test/apt-merge:after');
    const sizeA = (await docker.getImage(a.id).inspect()).Size;
    const sizeB = (await docker.getImage(b.id).inspect()).Size;
    const outA = await runOutput(docker, a.id);
    const outB = await runOutput(docker, b.id);
    assert.equal(outB, outA);
    assert.match(outA, /^curl \d/);
    const saved = sizeA - sizeB;
    console.log(`apt merge: before ${(sizeA / 1e6).toFixed(1)} MB, after ${(sizeB / 1e6).toFixed(1)} MB, saved ${(saved / 1e6).toFixed(1)} MB`);
    assert.ok(saved > 10e6, `saved only ${saved} bytes`);
    if (process.env.LAYERWISE_RECORD_FIX_PROOF) {
      fs.appendFileSync(process.env.LAYERWISE_RECORD_FIX_PROOF, JSON.stringify({ fix: 'apt-merge', before: sizeA, after: sizeB }) + '\n');
    }
  });
});
