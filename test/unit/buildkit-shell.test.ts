import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { VarScope, type ExpandOptions } from '../../server/src/model/variables';
import { CORPUS } from '../support/corpus';

/**
 * BuildKit's own tables for its word lexer (`frontend/dockerfile/shell/envVarTest` and `wordsTest`,
 * kept in ../shared/corpus/buildkit-shell), run line by line through VarScope the way BuildKit's
 * lex_test.go runs them: escape `\`, quotes processed, the table's environment set and nothing else.
 */
const TABLES = path.join(CORPUS, 'buildkit-shell');

function table(name: string): string[] {
  const file = path.join(TABLES, name);
  if (!fs.existsSync(file)) throw new Error(`BuildKit's ${name} is missing: expected ${file} (the shared corpus beside the repository, or LAYERWISE_CORPUS)`);
  return fs.readFileSync(file, 'utf8').split('\n');
}

function scopeOf(env: [string, string][]): VarScope {
  const scope = new VarScope();
  for (const [name, value] of env) scope.set(name, { kind: 'env', value });
  return scope;
}

describe('BuildKit envVarTest', () => {
  const scope = scopeOf([
    ['PWD', '/home'],
    ['SHELL', 'bash'],
    ['KOREAN', '한국어'],
    ['NULL', ''],
  ]);
  const lines = table('envVarTest');
  assert.ok(lines.length > 100, 'envVarTest is empty');
  lines.forEach((raw, index) => {
    if (raw.startsWith('#') || !raw.trim()) return;
    const parts = raw.trim().split('|');
    assert.equal(parts.length, 3, `envVarTest line ${index + 1}: ${raw}`);
    const [platform, input, expected] = parts.map((p) => p.trim()) as [string, string, string];
    // `A` lines hold on both platforms; `U` and `W` are the same input with the platform's answer
    // (BuildKit on Windows reads environment names case-insensitively), so each runs on its own platform.
    const platforms: ('unix' | 'windows')[] = platform === 'A' ? ['unix', 'windows'] : platform === 'U' ? ['unix'] : platform === 'W' ? ['windows'] : [];
    assert.ok(platforms.length, `envVarTest line ${index + 1}: unknown platform ${platform}`);
    for (const p of platforms) {
      it(`line ${index + 1} (${p}): ${input} → ${expected || '(empty)'}`, () => {
        const e = scope.expand(input, { quotes: 'remove', closed: true, windows: p === 'windows' });
        if (expected === 'error') {
          assert.ok(e.error, `expected an error, got ${JSON.stringify(e.text)}`);
          assert.equal(e.certain, false);
        } else {
          assert.equal(e.error, undefined);
          assert.equal(e.text, expected);
          assert.equal(e.certain, true);
        }
      });
    }
  });
});

describe('BuildKit wordsTest', () => {
  const env: [string, string][] = [];
  table('wordsTest').forEach((raw, index) => {
    if (raw.startsWith('#') || raw === '') return;
    if (raw.startsWith('ENV ')) {
      const decl = raw.slice(3).replace(/^ +/, '');
      const eq = decl.indexOf('=');
      env.push(eq < 0 ? [decl, ''] : [decl.slice(0, eq), decl.slice(eq + 1)]);
      return;
    }
    const parts = raw.split('|');
    assert.equal(parts.length, 2, `wordsTest line ${index + 1}: ${raw}`);
    const input = parts[0]!.trim();
    const expected = parts[1]!.replace(/^ +/, '').split(',');
    const scope = scopeOf([...env]);
    it(`line ${index + 1}: ${input} → ${JSON.stringify(expected)}`, () => {
      const e = scope.expandWords(input, { closed: true });
      const got = e.error ? ['error'] : e.words.map((w) => w.text);
      assert.deepEqual(got, expected);
    });
  });
});

/** Cases BuildKit's lex_test.go checks outside the tables: the pattern modifiers and `?`. */
describe('BuildKit pattern modifiers', () => {
  const cases: [string, Record<string, string>, string | Error][] = [
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
    ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
    ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
    ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
    ['${FOO#}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
    ['${FOO##}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
    ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
    ['${FOO%}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
    ['${FOO:#}', {}, new Error()],
    ['${FOO:##}', {}, new Error()],
    ['${FOO:%}', {}, new Error()],
    ['${FOO:%%}', {}, new Error()],
    ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
    ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt'],
    ['${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}', { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' }, '/foo/b/c.txt - /foo/c.txt'],
    ['${FOO/$NEEDLE/$REPLACEMENT}', { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, 'https://google.de'],
    ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt'],
    ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy'],
    ['${FOO//ww}', { FOO: 'xxyy' }, new Error()],
    ['${FOO//}', { FOO: 'xxyy' }, new Error()],
    ['${FOO///}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO///}', {}, ''],
    ['${FOO#\\x}', { FOO: 'x' }, new Error()],
    ['${FOO=aaa}', { FOO: 'xxx' }, new Error()],
    ['${VAR:?message here$ARG}', { VAR: '', ARG: 'x' }, new Error('VAR: message herex')],
    ['${VAR?message here$ARG}', { VAR: '', ARG: 'x' }, ''],
    ['${VAR?message here$ARG}', { ARG: 'x' }, new Error('VAR: message herex')],
    ['something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz', { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v7' }, 'something-v1.2.3.linux-arm-v7.tar.gz'],
    ['something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz', { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm64' }, 'something-v1.2.3.linux-arm64.tar.gz'],
  ];
  for (const [input, env, expected] of cases) {
    it(`${input} with ${JSON.stringify(env)}`, () => {
      const e = scopeOf(Object.entries(env)).expand(input, { quotes: 'remove', closed: true });
      if (expected instanceof Error) {
        assert.ok(e.error, `expected an error, got ${JSON.stringify(e.text)}`);
        if (expected.message) assert.match(e.error, new RegExp(expected.message));
      } else {
        assert.equal(e.error, undefined);
        assert.equal(e.text, expected);
      }
    });
  }
});

describe('VarScope.expand: unknown values stay unknown', () => {
  const scope = new VarScope();
  scope.set('KNOWN', { kind: 'arg', value: 'v1.2' });
  scope.set('EMPTY', { kind: 'arg', value: '' });
  scope.set('UNKNOWN', { kind: 'arg', value: undefined });
  scope.set('ENVUNKNOWN', { kind: 'env', value: undefined });
  const expand = (text: string, options: ExpandOptions = {}) => scope.expand(text, { quotes: 'remove', ...options });

  for (const text of ['${UNKNOWN#p}', '${UNKNOWN%%.*}', '${UNKNOWN/a/b}', '${UNKNOWN:-x}', '${UNKNOWN:+x}', '${UNKNOWN:?x}', '$UNKNOWN', '${KNOWN#$UNKNOWN}', '${KNOWN/$UNKNOWN/x}', '${KNOWN/x/$UNKNOWN}']) {
    it(`${text} is not certain`, () => {
      const e = expand(text);
      assert.equal(e.certain, false);
      assert.equal(e.error, undefined);
      assert.deepEqual(e.unresolved, ['UNKNOWN']);
    });
  }
  it('an unknown variable in a word that is not used does not matter', () => {
    assert.deepEqual([expand('${KNOWN:-$UNKNOWN}').text, expand('${KNOWN:-$UNKNOWN}').certain], ['v1.2', true]);
    assert.deepEqual([expand('${EMPTY:+$UNKNOWN}').text, expand('${EMPTY:+$UNKNOWN}').certain], ['', true]);
    assert.equal(expand('${EMPTY:-$UNKNOWN}').certain, false);
  });
  it('an ENV of unknown value is still set', () => {
    assert.deepEqual([expand('${ENVUNKNOWN+set}').text, expand('${ENVUNKNOWN+set}').certain], ['set', true]);
    assert.equal(expand('${ENVUNKNOWN:+set}').certain, false);
  });
  it('an undeclared variable may come from the base image unless the scope is closed', () => {
    assert.deepEqual([expand('a$NOPE').text, expand('a$NOPE').certain, expand('a$NOPE').undeclared], ['a', false, ['NOPE']]);
    assert.equal(expand('a$NOPE', { closed: true }).certain, true);
    assert.equal(expand('${NOPE?}').error, undefined);
    assert.ok(expand('${NOPE?}', { closed: true }).error);
    // The base image may set it: the default is what BuildKit takes only when nothing else can set the name.
    assert.deepEqual([expand('${NOPE:-d}').text, expand('${NOPE:-d}').certain, expand('${NOPE:-d}').undeclared], ['d', false, ['NOPE']]);
    assert.deepEqual([expand('${NOPE+d}').certain, expand('${NOPE:-d}', { closed: true }).certain], [false, true]);
  });
  it('nested words', () => {
    const s = new VarScope();
    s.set('NAME', { kind: 'arg', value: 'app' });
    s.set('VERSION', { kind: 'arg', value: '1.0' });
    s.set('DIGEST', { kind: 'arg', value: 'sha256:abc' });
    s.set('IMAGE', { kind: 'arg', value: '' });
    assert.equal(s.expand('alpine${DIGEST:+@${DIGEST}}').text, 'alpine@sha256:abc');
    assert.equal(s.expand('${IMAGE:-ghcr.io/acme/${NAME}-main:${VERSION}}').text, 'ghcr.io/acme/app-main:1.0');
    assert.equal(s.expand('${IMAGE:-${X:-${Y:-${NAME}}}}').text, 'app');
  });
  it('quotes: literal by default, removed or kept on request', () => {
    assert.equal(expand(`'$KNOWN'`, { quotes: 'literal' }).text, `'v1.2'`);
    assert.equal(expand(`'$KNOWN'`).text, '$KNOWN');
    assert.equal(expand(`"$KNOWN"'$KNOWN'`, { quotes: 'keep' }).text, `"v1.2"'$KNOWN'`);
  });
  it('the escape character of `# escape=`', () => {
    assert.equal(scope.expand('`$KNOWN $KNOWN C:\\dir', '`').text, '$KNOWN v1.2 C:\\dir');
    assert.equal(scope.expand('\\$KNOWN $KNOWN').text, '$KNOWN v1.2');
  });
  it('literal text keeps its escapes (the caller processed them) but for `\\$`; a word as BuildKit reads it does not', () => {
    assert.equal(scope.expand('C:\\go\\$KNOWN').text, 'C:\\go$KNOWN');
    assert.equal(scope.expand('C:\\go\\$KNOWN', { quotes: 'remove' }).text, 'C:go$KNOWN');
    assert.equal(scope.expand('C:\\\\go', { quotes: 'remove' }).text, 'C:\\go');
  });
  it('a rejected word keeps its text and says why', () => {
    const e = expand('a${KNOWN:=x}');
    assert.equal(e.text, 'a${KNOWN:=x}');
    assert.equal(e.certain, false);
    assert.match(e.error ?? '', /unsupported modifier \(:=\)/);
  });
});

describe('VarScope.expand: offsets back into the word', () => {
  const scope = new VarScope();
  scope.set('TAG', { kind: 'arg', value: '3.20' });
  scope.set('NAME', { kind: 'arg', value: 'app' });
  it('literal text maps to itself, a value to its whole reference', () => {
    const input = 'alpine:${TAG} x';
    const e = scope.expand(input);
    assert.equal(e.text, 'alpine:3.20 x');
    assert.deepEqual(e.map.range(0, 6), { start: 0, end: 6 });
    assert.deepEqual(e.map.range(7, 11), { start: 7, end: 13 });
    assert.equal(input.slice(e.map.range(7, 11).start, e.map.range(7, 11).end), '${TAG}');
    assert.deepEqual(e.map.range(12, 13), { start: 14, end: 15 });
  });
  it('a default word maps to its own characters', () => {
    const input = '${IMAGE:-ghcr.io/${NAME}}:1';
    const e = scope.expand(input);
    assert.equal(e.text, 'ghcr.io/app:1');
    const r = e.map.range(0, 7);
    assert.equal(input.slice(r.start, r.end), 'ghcr.io');
    const v = e.map.range(8, 11);
    assert.equal(input.slice(v.start, v.end), '${NAME}');
  });
  it('quotes and escapes removed: characters still point at their place', () => {
    const input = '"a b"\\$c';
    const e = scope.expand(input, { quotes: 'remove' });
    assert.equal(e.text, 'a b$c');
    assert.equal(e.map.start(0), 1);
    assert.deepEqual(e.map.range(3, 4), { start: 5, end: 7 });
  });
  it('words keep their maps', () => {
    const input = 'x "$NAME y" ${TAG}';
    const w = scope.expandWords(input);
    assert.deepEqual(
      w.words.map((x) => x.text),
      ['x', 'app y', '3.20'],
    );
    const r = w.words[2]!.map.range(0, 4);
    assert.equal(input.slice(r.start, r.end), '${TAG}');
  });
});
