import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';

const CLI = path.resolve('server/out/cli.js');
const SCHEMA = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));

describe('layerwise lint --format sarif', () => {
  it('writes SARIF 2.1.0 that validates against the official schema', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-sarif-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\nWORKDIR app\nCMD run\nWRONG\n');
    const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'sarif', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const log = JSON.parse(r.stdout) as { runs: { results: unknown[] }[] };
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(SCHEMA);
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 1));
    const results = log.runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[];
    const rules = new Set(results.map((x) => x.ruleId));
    for (const id of ['apt-update-separate', 'workdir-relative-path', 'json-args-recommended', 'syntax/unknown-instruction']) assert.ok(rules.has(id), id);
    const apt = results.find((x) => x.ruleId === 'apt-update-separate')!;
    assert.equal(apt.locations[0]!.physicalLocation.region.startLine, 2);
    assert.equal(results.find((x) => x.ruleId === 'syntax/unknown-instruction')!.level, 'error');
    assert.doesNotMatch(r.stdout, /"(informationUri|helpUri)"/, 'no home page or docs address that does not exist');
  });
});
