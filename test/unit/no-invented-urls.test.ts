import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';

/**
 * The project has no web site and no public repository: every link it ships must point at
 * something that exists (the docs in the package, a real third-party page), never a made-up host.
 */
describe('no invented address', () => {
  const tracked = execFileSync('git', ['ls-files', 'package.json', 'README.md', 'CHANGELOG.md', 'docs', 'server/src', 'client/src'], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && fs.existsSync(f) && /\.(ts|md|json)$/.test(f));

  it('names no .invalid host or made-up project home', () => {
    const hits = tracked.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\b[\w.-]+\.invalid\b|layerwise-dev|github\.com\/layerwise/i.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(hits, []);
  });

  it('package.json names no repository, homepage or bugs page it does not have', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as Record<string, unknown>;
    for (const key of ['repository', 'homepage', 'bugs']) assert.equal(pkg[key], undefined, key);
  });
});
