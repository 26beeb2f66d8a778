/**
 * The README's picture is the product, not a mock-up: scripts/readme-screenshot.ts takes it from a
 * real run and writes what that run found beside it. This checks the committed pair: the JSON
 * describes this very PNG (its hash), the run found diagnostics in the Problems panel and layer
 * lenses from the built image, and it pictured the Dockerfile the script shows today.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { README_SHOT, SHOT_DOCKERFILE, SHOT_IMAGE, type ShotRecord } from '../e2e/support/readme-shot';

describe('the README screenshot', () => {
  const record = JSON.parse(fs.readFileSync(README_SHOT.json, 'utf8')) as ShotRecord;

  it('is the picture the README shows, and the JSON beside it describes that very file', () => {
    const readme = fs.readFileSync(path.resolve('README.md'), 'utf8');
    assert.ok(readme.includes(`](${path.relative(path.resolve('.'), README_SHOT.png)})`), 'README references the PNG');
    assert.equal(record.png, path.basename(README_SHOT.png));
    assert.equal(createHash('sha256').update(fs.readFileSync(README_SHOT.png)).digest('hex'), record.sha256, 'the PNG was replaced without its run record: run scripts/readme-screenshot.ts');
    assert.equal(record.dockerfile, SHOT_DOCKERFILE, 'the pictured Dockerfile is the one the script shows');
  });

  it('its run found diagnostics in the Problems panel', () => {
    assert.ok(record.diagnostics >= 3, JSON.stringify(record.problems));
    assert.equal(record.diagnostics, record.problems.length);
    for (const rule of ['json-args-recommended', 'add-instead-of-copy']) assert.ok(record.problems.some((p) => p.includes(rule)), `${rule}: ${record.problems.join('\n')}`);
  });

  it('its run found the layer lenses of the built image', () => {
    const from = record.lenses.find((l) => l.line === 1);
    assert.ok(from?.text.includes(SHOT_IMAGE) && from.text.includes('Analyze'), JSON.stringify(record.lenses));
    const dd = record.lenses.find((l) => l.line === 5);
    assert.match(dd?.text ?? '', /^2\.\d+ MB · \d+%/, JSON.stringify(record.lenses));
  });
});
