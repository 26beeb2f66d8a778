import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const CLI = path.resolve('server/out/cli.js');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerwise-cli-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('layerwise lint (bundled cli.js)', () => {
  it('exits 1 and reports errors as JSON with 1-based positions', () => {
    const dir = workspace({ 'Dockerfile': 'FROM alpine\nWRONG x\n', 'node_modules/x/Dockerfile': 'WRONG\n' });
    const r = run(['lint', '--format', 'json', dir]);
    assert.equal(r.status, 1, r.stderr);
    const findings = JSON.parse(r.stdout) as { file: string; rule: string }[];
    assert.ok(!findings.some((f) => f.file.includes('node_modules')), 'node_modules is not searched');
    const syntax = findings.filter((f) => f.rule.startsWith('syntax/'));
    assert.equal(syntax.length, 1);
    assert.deepEqual(syntax[0], {
      file: path.join(dir, 'Dockerfile'),
      rule: 'syntax/unknown-instruction',
      aliases: [],
      severity: 'error',
      line: 2,
      column: 1,
      endLine: 2,
      endColumn: 6,
      message: 'Unknown instruction: WRONG',
    });
  });

  it('exits 0 on a clean file and says so in tty format', () => {
    const dir = workspace({ 'app/Containerfile': 'FROM alpine:3.20\nRUN echo hi\nUSER nobody\nCMD ["sh"]\n' });
    const r = run(['lint', dir]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 file\(s\) checked, no problems found/);
  });

  it('a directory walk leaves out sources and templates named after Dockerfiles', () => {
    const dir = workspace({ 'Dockerfile.dev': 'FROM alpine:3.20\nWRONG\n', 'pkg/dockerfile.go': 'package dockerfile\n', 'docker/Dockerfile.j2': '{% if x %}\n', 'Dockerfile.template': 'FROM %%BASE%%\n', 'Dockerfile.dev.dockerignore': '*\n!src\n' });
    const r = run(['lint', '--format', 'json', dir]);
    assert.deepEqual([...new Set((JSON.parse(r.stdout) as { file: string }[]).map((f) => path.basename(f.file)))], ['Dockerfile.dev']);
  });

  it('lints an explicitly named file whatever its name', () => {
    const dir = workspace({ 'build.txt': 'FROM alpine\nWRONG x\n' });
    const r = run(['lint', '--format=json', path.join(dir, 'build.txt')]);
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout)[0].line, 2);
  });

  it('exits 2 with a message on usage errors', () => {
    assert.equal(run(['lint']).status, 2);
    assert.equal(run(['lint', '--format', 'xml', '.']).status, 2);
    const missing = run(['lint', '/nonexistent/Dockerfile']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
    assert.equal(run(['frobnicate']).status, 2);
  });
});

describe('--help', () => {
  const top = run(['--help']);
  const subcommands = [...top.stdout.matchAll(/^Usage: layerwise ([a-z-]+)/gm)].map((m) => m[1]!);

  it('the top-level usage names every subcommand, exit 0', () => {
    assert.equal(top.status, 0, top.stderr);
    assert.deepEqual(subcommands.sort(), ['analyze', 'cache-report', 'image-info', 'lint', 'next-build', 'record']);
  });

  for (const sub of subcommands) {
    for (const flag of ['--help', '-h']) {
      it(`layerwise ${sub} ${flag} prints its usage and exits 0`, () => {
        const r = run([sub, flag]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^Usage: layerwise ${sub} `));
        assert.equal(r.stderr, '');
      });
    }
  }
});

describe('layerwise-language-server (the bin for other editors)', () => {
  it('--help prints its usage and exits 0', () => {
    const r = spawnSync(process.execPath, [path.resolve('server/bin/layerwise-language-server.js'), '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: layerwise-language-server /);
  });
  it('is a bin of the package', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { bin: Record<string, string> };
    assert.equal(pkg.bin['layerwise-language-server'], 'server/bin/layerwise-language-server.js');
  });
});
