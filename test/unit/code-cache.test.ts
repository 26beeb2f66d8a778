import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const MAIN = path.resolve(__dirname, '../../server/src/main.ts');

// A module shaped like the server bundle where it matters: CommonJS, a relative require, a built-in
// required at run time. No import(): code run from the cache cannot do it on Node 20, so the build
// keeps it out of the server (scripts/build.mjs).
const MODULE = `
const helper = require('./helper.js');
exports.answer = async () => {
  const { createRequire } = require('node:module');
  return helper.value + (typeof createRequire) + ':' + (require.main === module);
};
`;

/** Loads the module through requireWithCodeCache in a new process, as server.js does at each start. */
function start(dir: string, cache: string, env: NodeJS.ProcessEnv = {}): string {
  const script = `const { requireWithCodeCache } = require(${JSON.stringify(MAIN)});
    requireWithCodeCache(${JSON.stringify(path.join(dir, 'mod.js'))}, ${JSON.stringify(cache)}).answer().then((a) => process.stdout.write(a));`;
  return execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, LAYERWISE_NO_CODE_CACHE: '', ...env } });
}

function cacheFiles(cache: string): { name: string; mtimeMs: number }[] {
  if (!fs.existsSync(cache)) return [];
  return fs.readdirSync(cache).map((name) => ({ name, mtimeMs: fs.statSync(path.join(cache, name)).mtimeMs }));
}

describe('the server starts from V8 code cache (server/src/main.ts)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-code-cache-'));
  fs.writeFileSync(path.join(dir, 'mod.js'), MODULE);
  fs.writeFileSync(path.join(dir, 'helper.js'), "exports.value = 'helper:';");

  it('the first start runs the module and writes a cache at exit', () => {
    const cache = path.join(dir, 'cache-a');
    assert.equal(start(dir, cache), 'helper:function:false');
    const files = cacheFiles(cache);
    assert.equal(files.length, 1);
    assert.match(files[0]!.name, /^mod-[0-9a-f]{24}\.bin$/);
  });

  it('a later start runs from the cache and leaves it as it is', () => {
    const cache = path.join(dir, 'cache-b');
    start(dir, cache);
    const [before] = cacheFiles(cache);
    assert.equal(start(dir, cache), 'helper:function:false');
    // A rejected or missing cache is written again at exit; an accepted one is not.
    assert.deepEqual(cacheFiles(cache), [before]);
  });

  it('a changed module is compiled again and gets its own cache', () => {
    const cache = path.join(dir, 'cache-c');
    start(dir, cache);
    fs.writeFileSync(path.join(dir, 'mod.js'), `${MODULE}\nexports.extra = 1;\n`);
    assert.equal(start(dir, cache), 'helper:function:false');
    assert.equal(cacheFiles(cache).length, 2);
    fs.writeFileSync(path.join(dir, 'mod.js'), MODULE);
  });

  it('a damaged cache is rejected by V8, and written again', () => {
    const cache = path.join(dir, 'cache-e');
    start(dir, cache);
    const [file] = cacheFiles(cache);
    fs.writeFileSync(path.join(cache, file!.name), Buffer.from('not V8 code'));
    assert.equal(start(dir, cache), 'helper:function:false');
    assert.ok(fs.statSync(path.join(cache, file!.name)).size > 100);
  });

  it('LAYERWISE_NO_CODE_CACHE loads the module without writing anything', () => {
    const cache = path.join(dir, 'cache-d');
    assert.equal(start(dir, cache, { LAYERWISE_NO_CODE_CACHE: '1' }), 'helper:function:false');
    assert.deepEqual(cacheFiles(cache), []);
  });

  it('an unwritable cache folder does not stop the start', () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    assert.equal(start(dir, path.join(blocker, 'cache')), 'helper:function:false');
  });
});
