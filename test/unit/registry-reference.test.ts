import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInsecureRegistry, parseChallenge, proxyFor, retryAfterMs } from '../../server/src/registry/client';
import { familiarName, isExcluded, parseReference, type ImageReference } from '../../server/src/registry/reference';
import { mayChangeBehaviour, newerTags, parseTag, variantTags } from '../../server/src/registry/tags';

const ref = (text: string): ImageReference => {
  const r = parseReference(text);
  assert.ok(r.ok, text);
  return r.ref;
};

describe('image references as the docker CLI normalizes them', () => {
  it('defaults Docker Hub, library/ and latest; keeps ports, digests and other registries', () => {
    assert.deepEqual(ref('alpine'), { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' });
    assert.deepEqual(ref('bitnami/redis:7.2'), { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' });
    assert.deepEqual(ref('index.docker.io/library/node:20'), { registry: 'docker.io', repository: 'library/node', tag: '20' });
    assert.deepEqual(ref('localhost/app'), { registry: 'localhost', repository: 'app', tag: 'latest' });
    assert.deepEqual(ref('127.0.0.1:5000/a/b:1.0'), { registry: '127.0.0.1:5000', repository: 'a/b', tag: '1.0' });
    const d = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(ref(`ghcr.io/o/r:1@${d}`), { registry: 'ghcr.io', repository: 'o/r', tag: '1', digest: d });
    assert.deepEqual(ref(`python@${d}`), { registry: 'docker.io', repository: 'library/python', digest: d });
    assert.equal(familiarName(ref('docker.io/library/alpine:3.19')), 'alpine:3.19');
    assert.equal(familiarName(ref('[::1]:5000/x:1')), '[::1]:5000/x:1');
    for (const bad of ['', 'Upper/Case:1', 'alpine:', `alpine@sha256:short`, 'a//b']) assert.equal(parseReference(bad).ok, false, bad);
  });

  it('excludes by registry, repository, familiar name and wildcard', () => {
    const r = ref('ghcr.io/org/app:1');
    assert.ok(isExcluded(r, ['ghcr.io']));
    assert.ok(isExcluded(r, ['ghcr.io/org/*']));
    assert.ok(isExcluded(r, ['ghcr.io/org']));
    assert.ok(!isExcluded(r, ['ghcr.io/other/*', 'docker.io']));
    assert.ok(isExcluded(ref('alpine:3'), ['alpine']));
    assert.ok(isExcluded(ref('registry.corp.internal:5000/x'), ['*.internal:5000']));
    assert.ok(!isExcluded(ref('alpinex'), ['alpine']));
  });
});

describe('registry HTTP details', () => {
  it('parses Bearer and Basic challenges', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
    assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
    assert.equal(parseChallenge('Negotiate abc'), undefined);
  });

  it('reads Retry-After as seconds or a date', () => {
    assert.equal(retryAfterMs('7'), 7000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs('soon'), undefined);
  });

  it('speaks HTTP to loopback and the insecure registries (hosts, CIDRs), HTTPS elsewhere', () => {
    assert.ok(isInsecureRegistry('127.0.0.1:5000', []));
    assert.ok(isInsecureRegistry('localhost:5000', []));
    assert.ok(isInsecureRegistry('10.1.2.3:5000', ['10.0.0.0/8']));
    assert.ok(isInsecureRegistry('reg.lan:5000', ['reg.lan:5000']));
    assert.ok(!isInsecureRegistry('11.1.2.3:5000', ['10.0.0.0/8']));
    assert.ok(!isInsecureRegistry('ghcr.io', []));
  });

  it('picks the proxy from HTTP(S)_PROXY unless NO_PROXY or loopback', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.corp,internal.example' };
    assert.equal(proxyFor(new URL('https://ghcr.io/v2/'), env), 'http://p:3128');
    assert.equal(proxyFor(new URL('https://reg.corp/v2/'), env), undefined);
    assert.equal(proxyFor(new URL('https://internal.example/v2/'), env), undefined);
    assert.equal(proxyFor(new URL('http://127.0.0.1:5000/v2/'), { HTTP_PROXY: 'http://p' }), undefined);
    assert.equal(proxyFor(new URL('http://ghcr.io/v2/'), env), undefined, 'HTTPS_PROXY is for https');
  });
});

describe('tags: newer in the line, variants of the version', () => {
  const tags = ['3.19', '3.19.0', '3.19.1', '3.19.4', '3.19.2', '3.20.0', '3.19.10-slim', '3.19.1-slim', '3.19.1-alpine', 'v3.19.9', 'latest', '3.19.1-alpine3.20', '3.19.12'];
  it('finds newer patch releases of the same line and suffix, newest first', () => {
    assert.deepEqual(newerTags('3.19.1', tags), ['3.19.12', '3.19.4', '3.19.2']);
    assert.deepEqual(newerTags('3.19.1-slim', tags), ['3.19.10-slim']);
    assert.deepEqual(newerTags('3.19', tags), []);
    assert.deepEqual(newerTags('latest', tags), []);
    assert.deepEqual(parseTag('v1.2.3-rc1'), { tag: 'v1.2.3-rc1', prefix: 'v', numbers: [1, 2, 3], suffix: 'rc1' });
  });
  it('finds variants of exactly that version', () => {
    assert.deepEqual(variantTags('3.19.1', tags), ['3.19.1-slim', '3.19.1-alpine', '3.19.1-alpine3.20']);
    assert.deepEqual(variantTags('3.19.1-slim', tags), ['3.19.1-alpine', '3.19.1-alpine3.20']);
  });
  it('marks a move to or from musl, or to no shell', () => {
    assert.equal(mayChangeBehaviour('3.12', '3.12-alpine'), 'musl instead of glibc');
    assert.equal(mayChangeBehaviour('3.12-alpine', '3.12-slim'), 'glibc instead of musl');
    assert.equal(mayChangeBehaviour('3.12', '3.12-distroless'), 'no shell');
    assert.equal(mayChangeBehaviour('3.12', '3.12-slim-bookworm'), undefined);
  });
});
