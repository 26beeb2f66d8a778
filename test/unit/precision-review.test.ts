import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { sample, table } from '../../scripts/precision-review';

function write(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
}

describe('precision review (scripts/precision-review.ts)', () => {
  it('samples findings with their instruction, takes verdicts, and tables what the tree reports now', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-precision-'));
    const review = path.join(dir, 'review');
    // The repository builds from its root: the COPY source is there, not beside the Dockerfile.
    write(review, {
      'acme+app/docker/Dockerfile': 'FROM debian:bookworm\nCOPY app.sh /app.sh\nRUN apt-get update && \\\n    apt-get install -y curl\nUSER nobody\n',
      'acme+app/app.sh': 'echo hi\n',
      'acme+app/pkg/dockerfile.go': 'package dockerfile\n',
    });
    const judgments = path.join(dir, 'judgments.tsv');
    const out = path.join(dir, 'out', 'review.md');
    const exclude = 'never-matches';
    await sample(review, new Map([['out', out], ['judgments', judgments], ['info-per-rule', '0'], ['exclude', exclude]]));

    const md = fs.readFileSync(out, 'utf8');
    assert.match(md, /## apt-lists-not-removed \(warning\): 1 of 1/);
    assert.match(md, /### acme\+app\/docker\/Dockerfile:3:5 — not judged/);
    assert.match(md, /context: `acme\+app`/, 'the context is the folder where the COPY source is');
    assert.match(md, />4 {6}apt-get install -y curl/, 'the excerpt shows the whole RUN');
    assert.doesNotMatch(md, /dockerfile\.go/);

    const rows = fs.readFileSync(judgments, 'utf8').trim().split('\n');
    assert.ok(rows.includes('apt-lists-not-removed\tacme+app/docker/Dockerfile\t3\t\t'), rows.join('\n'));
    const judged = rows.map((r) => {
      const [rule, file, line] = r.split('\t');
      return rule === 'apt-lists-not-removed' ? `${rule}\t${file}\t${line}\tfalse\tthe lists are removed later` : `${rule}\t${file}\t${line}\ttrue\tas the rule says`;
    });
    fs.writeFileSync(judgments, [...judged, '#fixed\tapt-lists-not-removed\twhat changed'].join('\n') + '\n');

    const doc = path.join(dir, 'PRECISION.md');
    fs.writeFileSync(doc, '# Precision\n\nKept.\n\n<!-- precision:table:start -->\nold\n<!-- precision:table:end -->\n\nAlso kept.\n');
    await table(review, new Map([['judgments', judgments], ['doc', doc], ['exclude', exclude]]));
    let text = fs.readFileSync(doc, 'utf8');
    assert.match(text, /^# Precision\n\nKept\.\n\n<!-- precision:table:start -->/);
    assert.match(text, /<!-- precision:table:end -->\n\nAlso kept\.\n$/);
    assert.doesNotMatch(text, /\nold\n/);
    assert.match(text, /\| apt-lists-not-removed \| warning \| 1 \| 1 \| 0 \| 1 \| 0 \| 0\.0% \| what changed \|/);
    assert.match(text, /- `apt-lists-not-removed` acme\+app\/docker\/Dockerfile:3: the lists are removed later/);

    // The file is fixed: the false finding is gone and counts as fixed, not as remaining.
    write(review, { 'acme+app/docker/Dockerfile': 'FROM debian:bookworm\nCOPY app.sh /app.sh\nRUN apt-get update && \\\n    apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nUSER nobody\n' });
    await table(review, new Map([['judgments', judgments], ['doc', doc], ['exclude', exclude]]));
    text = fs.readFileSync(doc, 'utf8');
    assert.match(text, /\| apt-lists-not-removed \| warning \| 0 \| 0 \| 0 \| 0 \| 0 \| – \| what changed; 1 judged false no longer reported \|/);
    assert.match(text, /\*\*Remaining false positives\*\*\n\n- none/);
  });
});
