import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Hover, MarkupContent } from 'vscode-languageserver-types';
import { ParsedDocument } from '../../server/src/engine/document';
import { initShellParser } from '../../server/src/model/shell';
import { localImageAge, registryBases, registryHover, registryLenses, type RegistryBase } from '../../server/src/registry/editor';
import { machinePlatform, type ImageInfo } from '../../server/src/registry/image-info';
import type { LocalImageFacts } from '../../server/src/rules/rule';

/**
 * Whether the local image of a FROM is what its tag points to in the registry now: the pure
 * comparison of RepoDigests with the index and platform manifest digests, and the hover and lens
 * lines built from it.
 */

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const INDEX = D('a');
const AMD64 = D('b');
const OLD = D('c');
const REPO = 'registry.test:5000/lib/base';

const info: ImageInfo = {
  reference: `${REPO}:1`,
  digest: INDEX,
  platforms: [{ platform: 'linux/amd64', digest: AMD64, compressedSize: 5000, layers: 2 }],
  tagPlatforms: ['linux/amd64'],
  targetPlatform: 'linux/amd64',
  target: { platform: 'linux/amd64', digest: AMD64, compressedSize: 5000, layers: 2 },
  newerTags: [],
  variants: [],
};

const facts = (...repoDigests: string[]): LocalImageFacts => ({ id: D('f'), os: 'linux', architecture: 'amd64', repoDigests });

function basesOf(from: string): RegistryBase[] {
  const model = new ParsedDocument('file:///w/Dockerfile', 1, `FROM ${from}\n`).model();
  return registryBases(model, () => ({ state: 'ready', info }), { os: 'linux', architecture: 'amd64' });
}

const images = (f: LocalImageFacts | null): Map<string, LocalImageFacts | null> => new Map([[`${REPO}:1`, f]]);

describe('the local image against the digest its tag points to now', () => {
  before(initShellParser);

  it('current when RepoDigests hold the index digest or the platform manifest digest of the same repository', () => {
    const [b] = basesOf(`${REPO}:1`);
    assert.deepEqual(localImageAge(b!, info, images(facts(`${REPO}@${INDEX}`))), { state: 'current' });
    assert.deepEqual(localImageAge(b!, info, images(facts(`${REPO}@${AMD64}`))), { state: 'current' });
    assert.deepEqual(localImageAge(b!, info, images(facts(`other.test/lib/base@${OLD}`, `${REPO}@${AMD64}`))), { state: 'current' });
  });

  it('older when its digest there is another; unknown with no digest from that repository', () => {
    const [b] = basesOf(`${REPO}:1`);
    assert.deepEqual(localImageAge(b!, info, images(facts(`${REPO}@${OLD}`))), { state: 'older', local: OLD });
    // The same digest in another registry's repository says nothing about this one.
    assert.deepEqual(localImageAge(b!, info, images(facts(`other.test/lib/base@${INDEX}`))), { state: 'unknown' });
    assert.deepEqual(localImageAge(b!, info, images(facts())), { state: 'unknown' });
  });

  it('nothing to say without a local image, a registry answer or a tag', () => {
    const [b] = basesOf(`${REPO}:1`);
    assert.equal(localImageAge(b!, info, images(null)), undefined);
    assert.equal(localImageAge(b!, info, undefined), undefined);
    assert.equal(localImageAge(b!, undefined, images(facts(`${REPO}@${OLD}`))), undefined);
    const [pinned] = basesOf(`${REPO}@${OLD}`);
    assert.equal(localImageAge(pinned!, info, new Map([[`${REPO}@${OLD}`, facts(`${REPO}@${OLD}`)]])), undefined);
  });

  it('the hover and the lens say it', () => {
    const bases = basesOf(`${REPO}:1`);
    const at = { line: 0, character: 8 };
    const hoverText = (f: LocalImageFacts | null): string => ((registryHover(bases, at, null, images(f)) as Hover).contents as MarkupContent).value;
    assert.match(hoverText(facts(`${REPO}@${INDEX}`)), /^- local image: current, what the tag points to now$/m);
    assert.match(hoverText(facts(`${REPO}@${OLD}`)), /^- local image: older, not what the tag points to now \(local `sha256:cccccccccccc…`\): `docker pull` to update$/m);
    assert.match(hoverText(facts()), /^- local image: age unknown/m);
    assert.doesNotMatch(hoverText(null), /local image/);
    const lens = (f: LocalImageFacts | null): string => registryLenses(bases, images(f))[0]!.command!.title;
    assert.match(lens(facts(`${REPO}@${AMD64}`)), / · local image current$/);
    assert.match(lens(facts(`${REPO}@${OLD}`)), / · local image older: docker pull$/);
    assert.doesNotMatch(lens(facts()), /local/);
  });
});

describe('the platform the registry is asked for', () => {
  before(initShellParser);
  const asked = (text: string, daemon: { os: string; architecture: string } | undefined): string[] => {
    const out: string[] = [];
    const model = new ParsedDocument('file:///w/Dockerfile', 1, text).model();
    registryBases(model, (_ref, p) => void out.push([p.os, p.architecture, p.variant].filter(Boolean).join('/')), daemon);
    return out;
  };

  it("--platform first, then the daemon's platform, then this machine's", () => {
    const arm = { os: 'linux', architecture: 'arm64' };
    assert.deepEqual(asked('FROM --platform=linux/s390x alpine:3\n', arm), ['linux/s390x']);
    assert.deepEqual(asked('FROM --platform=$BUILDPLATFORM alpine:3\n', arm), ['linux/arm64/v8']);
    assert.deepEqual(asked('FROM alpine:3\n', arm), ['linux/arm64']);
    const machine = machinePlatform();
    assert.deepEqual(asked('FROM alpine:3\n', undefined), [[machine.os, machine.architecture, machine.variant].filter(Boolean).join('/')]);
    // An ARG with no value: the platform is not guessed, the registry not asked.
    assert.deepEqual(asked('ARG P\nFROM --platform=$P alpine:3\n', arm), []);
  });
});
