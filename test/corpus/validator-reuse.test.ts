import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { ReusingValidator } from '../../server/src/engine/validator-reuse';

const CORPUS = '/work/shared/corpus/real';
/** Every check on, so that as many problems as possible are compared. */
const SETTINGS: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.WARNING,
  directiveCasing: ValidationSeverity.WARNING,
  emptyContinuationLine: ValidationSeverity.WARNING,
  instructionCasing: ValidationSeverity.WARNING,
  instructionCmdMultiple: ValidationSeverity.WARNING,
  instructionEntrypointMultiple: ValidationSeverity.WARNING,
  instructionHealthcheckMultiple: ValidationSeverity.WARNING,
  instructionJSONInSingleQuotes: ValidationSeverity.WARNING,
  instructionWorkdirRelative: ValidationSeverity.WARNING,
};

/** The edits a user makes, each a new version of the previous text: the reused answers must equal a fresh validation. */
const EDITS: { name: string; apply: (text: string, seed: number) => string }[] = [
  { name: 'a character typed in an instruction line', apply: (t, seed) => editLine(t, seed, (l) => l.slice(0, l.length >> 1) + 'x' + l.slice(l.length >> 1)) },
  { name: 'a line inserted at the top (every instruction moves)', apply: (t) => `# moved\n\n${t}` },
  { name: 'an ARG or ENV value changed (variables resolve differently)', apply: (t) => t.replace(/^(\s*(?:ARG|ENV)\s+\w+=)/im, '$1z') },
  { name: 'an instruction line deleted', apply: (t, seed) => editLine(t, seed + 7, () => '') },
  { name: 'FROM and ARG lines renamed', apply: (t) => t.replace(/^(\s*FROM\s+)/gim, '$1${BASE:-x}').replace(/^(\s*ARG\s+)(\w+)/im, '$1$2_') },
  { name: 'the escape character flipped', apply: (t) => `# escape=\`\n${t}` },
];

function editLine(text: string, seed: number, change: (line: string) => string): string {
  const lines = text.split('\n');
  const candidates = lines.map((l, i) => (/^\s*[A-Za-z]+\s/.test(l) ? i : -1)).filter((i) => i >= 0);
  if (!candidates.length) return text;
  const at = candidates[seed % candidates.length]!;
  lines[at] = change(lines[at]!);
  return lines.join('\n');
}

describe('dockerfile-utils validation with per-instruction answers kept across versions', () => {
  it('equals a fresh validate() after every edit of every corpus file, and reuses most instructions', { timeout: 600_000 }, () => {
    const files = fs.readdirSync(CORPUS).filter((f) => !f.endsWith('.tsv')).sort();
    assert.ok(files.length > 700);
    const reusing = new ReusingValidator(SETTINGS);
    const mismatches: string[] = [];
    let reused = 0;
    let checked = 0;
    files.forEach((file, seed) => {
      let text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
      const uri = `file:///corpus/${file}`;
      const versions = [text, ...EDITS.map((e) => (text = e.apply(text, seed)))];
      versions.forEach((version, i) => {
        const got = reusing.validate(uri, version);
        if (i > 0) {
          reused += reusing.lastRun.reused;
          checked += reusing.lastRun.checked;
        }
        const want = validate(version, SETTINGS);
        try {
          assert.deepStrictEqual(got, want);
        } catch {
          mismatches.push(`${file} after ${i ? EDITS[i - 1]!.name : 'opening'}`);
        }
      });
    });
    assert.deepEqual(mismatches, []);
    // The edits above change one line in three of six versions: most answers must come from the previous version.
    assert.ok(reused > checked, `reused ${reused}, checked ${checked}`);
  });
});
