import type { CodeAction, CodeLens, Hover, MarkedString, Position, Range } from 'vscode-languageserver-types';
import { humanSize } from '../docker/units';
import type { BaseImage, Model, Stage } from '../model/model';
import { localDigests, localImageKey, pulledBases, stagePlatform } from '../rules/lib/local-images';
import { withoutDigest } from '../rules/lib/registry-digests';
import type { DaemonPlatform, LocalImageFacts } from '../rules/rule';
import type { RegistryError } from './client';
import { machinePlatform, type ImageInfo, type TagSize } from './image-info';
import type { RegistryAnswer } from './service';

/**
 * What the editor shows from the registry on FROM: a lens (compressed size and layer count for the
 * target platform), a hover (platforms, digest, newer tags, smaller variants, the local image's
 * age), code actions that rewrite the tag, and the digests the pinning rules compare with. Pure
 * functions of the model and the answers known now; images of earlier stages are never asked.
 */

export interface RegistryBase {
  stage: Stage;
  base: BaseImage;
  ref: string;
  platform: DaemonPlatform;
  answer: RegistryAnswer;
}

export type RegistryLookup = (ref: string, platform: DaemonPlatform) => RegistryAnswer | undefined;

/** The FROMs that pull an image, each with its target platform and what the registry answered. */
export function registryBases(model: Model, lookup: RegistryLookup, daemon: DaemonPlatform | undefined): RegistryBase[] {
  const out: RegistryBase[] = [];
  for (const { stage, base, ref } of pulledBases(model)) {
    // A --platform that names an unknown ARG: the platform is not guessed.
    const platform = stagePlatform(model, stage, daemon ?? machinePlatform());
    if (!platform) continue;
    const answer = lookup(ref, platform);
    if (answer) out.push({ stage, base, ref, platform, answer });
  }
  return out;
}

/** For RuleContext.registryDigests: the digest each tag points to now. */
export function registryDigests(bases: readonly RegistryBase[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of bases) {
    const info = 'info' in b.answer ? b.answer.info : undefined;
    if (info && b.base.ref?.tag) out.set(localImageKey(withoutDigest(b.ref)), info.digest);
  }
  return out;
}

export function failureText(e: RegistryError): string {
  switch (e.kind) {
    case 'offline':
      return 'registry not reachable';
    case 'timeout':
      return 'registry not answering';
    case 'unauthorized':
      return 'registry wants credentials (401)';
    case 'denied':
      return 'registry denied access (403)';
    case 'not-found':
      return 'not in the registry (404)';
    case 'rate-limited':
      return `registry rate limit (429)${e.retryAfterMs !== undefined ? `, retry in ${Math.ceil(e.retryAfterMs / 1000)} s` : ''}`;
    case 'too-large':
      return 'registry answer too large';
    case 'garbage':
      return 'registry answer unreadable';
    default:
      return `registry error (HTTP ${e.status ?? '?'})`;
  }
}

export type LocalImageAge = { state: 'current' } | { state: 'older'; local: string } | { state: 'unknown' };

/**
 * Whether the local image of a tagged FROM is what the tag points to in the registry now: its
 * RepoDigests (in the reference's repository) hold the index digest or the target platform's
 * manifest digest (a pull records the one it asked for). Unknown when it has no digest there
 * (built, loaded, or on a store whose RepoDigests are not the registry's); undefined when there is
 * no local image, no tag, or no registry answer.
 */
export function localImageAge(b: Pick<RegistryBase, 'ref' | 'base'>, info: Pick<ImageInfo, 'digest' | 'target'> | undefined, images: ReadonlyMap<string, LocalImageFacts | null> | undefined): LocalImageAge | undefined {
  if (!info || !b.base.ref?.tag) return undefined;
  const local = images?.get(localImageKey(b.ref));
  if (!local) return undefined;
  const digests = localDigests(local, b.ref);
  if (!digests.length) return { state: 'unknown' };
  if (digests.includes(info.digest) || (info.target && digests.includes(info.target.digest))) return { state: 'current' };
  return { state: 'older', local: digests[0]! };
}

const layersText = (n: number): string => `${n} layer${n === 1 ? '' : 's'}`;

/** One lens per FROM: `5.2 MB compressed · 3 layers · linux/amd64` (from the registry, before any build). */
export function registryLenses(bases: readonly RegistryBase[], images?: ReadonlyMap<string, LocalImageFacts | null>): CodeLens[] {
  const out: CodeLens[] = [];
  for (const b of bases) {
    const info = 'info' in b.answer ? b.answer.info : undefined;
    let title: string | undefined;
    if (info?.target) {
      title = `${humanSize(info.target.compressedSize)} compressed · ${layersText(info.target.layers)} · ${info.targetPlatform}`;
      if (info.newerTags[0]) title += ` · ${info.newerTags[0].tag} is out`;
      const age = localImageAge(b, info, images);
      if (age?.state === 'current') title += ' · local image current';
      else if (age?.state === 'older') title += ' · local image older: docker pull';
    } else if (info) {
      title = `no ${info.targetPlatform} image under this tag (${info.tagPlatforms.join(', ') || 'no platforms'})`;
    }
    if (b.answer.state === 'failed') title = title ? `${title} · ${failureText(b.answer.error)}` : failureText(b.answer.error);
    // No command: a label (VS Code renders a lens without a command id as text).
    if (title) out.push({ range: b.base.range, command: { title: `registry: ${title}`, command: '' } });
  }
  return out;
}

const within = (p: Position, r: Range): boolean =>
  (p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character)) && (p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character));

/** `−35%`, `+2%` against the current tag's size; '' when either is unknown. */
function delta(size: number | undefined, own: number | undefined): string {
  if (size === undefined || !own) return '';
  return `${size < own ? '−' : '+'}${Math.round((Math.abs(size - own) / own) * 100)}%`;
}

function tagLine(t: TagSize, own: number | undefined): string {
  const size = t.compressedSize === undefined ? 'no image for this platform' : humanSize(t.compressedSize);
  const d = delta(t.compressedSize, own);
  return `\`${t.tag}\` ${size}${d ? ` (${d})` : ''}${t.mayChangeBehaviour ? ` — may change behaviour: ${t.mayChangeBehaviour}` : ''}`;
}

/** The registry section of the hover on a FROM's image. */
export function registryHover(bases: readonly RegistryBase[], position: Position, hover: Hover | null, images?: ReadonlyMap<string, LocalImageFacts | null>): Hover | null {
  const b = bases.find((x) => within(position, x.base.range));
  if (!b) return hover;
  const info = 'info' in b.answer ? b.answer.info : undefined;
  const lines: string[] = [];
  if (info) {
    lines.push(`**Registry** (${info.reference}, no pull)`);
    if (info.target) lines.push(`- ${info.targetPlatform}: ${humanSize(info.target.compressedSize)} compressed, ${layersText(info.target.layers)}`);
    else lines.push(`- no ${info.targetPlatform} image under this tag`);
    lines.push(`- platforms: ${info.tagPlatforms.join(', ')}`);
    lines.push(`- digest now: \`${info.digest}\``);
    const own = info.target?.compressedSize;
    if (info.newerTags.length) lines.push(`- newer: ${info.newerTags.map((t) => tagLine(t, own)).join('; ')}`);
    if (info.variants.length) lines.push(`- smaller: ${info.variants.map((t) => tagLine(t, own)).join('; ')}`);
    const age = localImageAge(b, info, images);
    if (age?.state === 'current') lines.push('- local image: current, what the tag points to now');
    else if (age?.state === 'older') lines.push(`- local image: older, not what the tag points to now (local \`${age.local.slice(0, 19)}…\`): \`docker pull\` to update`);
    else if (age) lines.push('- local image: age unknown (no digest from this registry in its RepoDigests)');
  }
  if (b.answer.state === 'failed') lines.push(`${info ? '- ' : '**Registry**: '}${failureText(b.answer.error)}: ${b.answer.error.message}`);
  if (!lines.length) return hover;
  const section = lines.join('\n');
  if (!hover) return { contents: { kind: 'markdown', value: section }, range: b.base.range };
  const c = hover.contents;
  if (typeof c === 'object' && 'kind' in c) return { ...hover, contents: { kind: c.kind, value: `${c.value}\n\n---\n\n${section}` } };
  const list: MarkedString[] = Array.isArray(c) ? [...c] : [c];
  return { ...hover, contents: [...list, section] };
}

/** Rewrites of a FROM's tag to a newer tag of its line or a smaller variant, each with its measured size. */
export function registryActions(model: Model, uri: string, bases: readonly RegistryBase[], range: Range): CodeAction[] {
  const out: CodeAction[] = [];
  for (const b of bases) {
    if (!within(range.start, b.base.range) && !within(b.base.range.start, range)) continue;
    const info = 'info' in b.answer ? b.answer.info : undefined;
    const tag = b.base.ref?.tag;
    if (!info || !tag) continue;
    const start = model.offsetAt(b.base.range.start);
    const end = model.offsetAt(b.base.range.end);
    // Only where the reference is written out: through an ARG the default would need the edit.
    if (model.text.slice(start, end) !== b.ref) continue;
    const name = withoutDigest(b.ref);
    const repo = name.slice(0, name.length - tag.length - 1);
    const pinned = b.ref.includes('@');
    const own = info.target?.compressedSize;
    const offer = (t: TagSize, why: string): void => {
      if (t.compressedSize === undefined || (pinned && !t.digest)) return;
      const text = `${repo}:${t.tag}${pinned ? `@${t.digest}` : ''}`;
      const caution = t.mayChangeBehaviour ? ` — may change behaviour: ${t.mayChangeBehaviour}` : '';
      out.push({
        title: `Use ${repo}:${t.tag} (${[humanSize(t.compressedSize), delta(t.compressedSize, own), why].filter(Boolean).join(', ')})${caution}`,
        kind: 'refactor.rewrite',
        edit: { changes: { [uri]: [{ range: b.base.range, newText: text }] } },
      });
    };
    for (const t of info.newerTags) offer(t, `newer in the ${tag.replace(/\.\d+(-.*)?$/, '')} line`);
    for (const t of info.variants) offer(t, `smaller variant of ${tag}`);
  }
  return out;
}

