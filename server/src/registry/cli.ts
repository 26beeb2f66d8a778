import { humanSize } from '../docker/units';
import type { Model } from '../model/model';
import { formatPlatform, localImageKey, parsePlatformValue, pulledBases } from '../rules/lib/local-images';
import { withoutDigest } from '../rules/lib/registry-digests';
import { RegistryClient, RegistryError } from './client';
import { registryCredentials } from './credentials';
import { daemonRegistryConfig } from './daemon-config';
import { imageInfo, machinePlatform, type ImageInfo } from './image-info';
import { parseReference } from './reference';

export const IMAGE_INFO_USAGE = `Usage: layerwise image-info [--platform P] [--json] [--timeout SECONDS] REF

  Asks REF's registry, with no pull and no Docker daemon: the digest behind the tag now, every
  platform of the tag with its manifest digest, compressed size (config and layers as the manifest
  lists them) and layer count; newer tags of the same line (3.19.1 → 3.19.4) and smaller variants
  of the same version (-slim, -alpine, ...), measured for --platform (default: this machine's,
  as Linux). Running it is the permission to contact the registry: the credentials of
  ~/.docker/config.json (auths, credsStore, credHelpers) are sent to it; daemon.json's
  registry-mirrors and insecure-registries and HTTP(S)_PROXY apply.

  Exit status: 0 answered, 1 the registry could not be read (the reason is printed), 2 usage problem.`;

interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** The JSON of `--json`: the shape issue 17 names, plus the platform measured for. */
export function imageInfoJson(info: ImageInfo): unknown {
  const tag = (t: ImageInfo['newerTags'][number]) => ({ tag: t.tag, compressedSize: t.compressedSize ?? null, ...(t.mayChangeBehaviour ? { mayChangeBehaviour: t.mayChangeBehaviour } : {}) });
  return {
    reference: info.reference,
    digest: info.digest,
    targetPlatform: info.targetPlatform,
    platforms: info.platforms,
    newerTags: info.newerTags.map(tag),
    variants: info.variants.map(tag),
  };
}

function text(info: ImageInfo): string {
  const lines = [info.reference, `  digest     ${info.digest}`, `  platforms  (${info.platforms.length}; measured for ${info.targetPlatform})`];
  const width = Math.max(...info.platforms.map((p) => p.platform.length));
  for (const p of info.platforms) {
    const mark = p === info.target ? '*' : ' ';
    lines.push(`   ${mark} ${p.platform.padEnd(width)}  ${humanSize(p.compressedSize).padStart(9)}  ${String(p.layers).padStart(3)} layer${p.layers === 1 ? ' ' : 's'}  ${p.digest}`);
  }
  if (!info.target) lines.push(`  (no ${info.targetPlatform} image under this tag)`);
  const sized = (t: ImageInfo['newerTags'][number]) =>
    `${t.tag} (${t.compressedSize === undefined ? `no ${info.targetPlatform}` : humanSize(t.compressedSize)}${t.mayChangeBehaviour ? `; may change behaviour: ${t.mayChangeBehaviour}` : ''})`;
  lines.push(`  newer tags ${info.newerTags.length ? info.newerTags.map(sized).join(', ') : 'none'}`);
  lines.push(`  smaller    ${info.variants.length ? info.variants.map(sized).join(', ') : 'none'}`);
  return lines.join('\n');
}

export async function runImageInfo(args: string[], io: CliIO): Promise<number> {
  let json = false;
  let platformText: string | undefined;
  let timeoutMs = 10_000;
  const refs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') {
      io.out(IMAGE_INFO_USAGE);
      return 0;
    }
    if (a === '--json') json = true;
    else if (a === '--platform' || a.startsWith('--platform=')) platformText = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
    else if (a === '--timeout' || a.startsWith('--timeout=')) timeoutMs = Number(a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]) * 1000;
    else if (a.startsWith('-')) {
      io.err(`layerwise image-info: unknown option "${a}"\n\n${IMAGE_INFO_USAGE}`);
      return 2;
    } else refs.push(a);
  }
  if (refs.length !== 1) {
    io.err(`layerwise image-info: name one image reference\n\n${IMAGE_INFO_USAGE}`);
    return 2;
  }
  if (!(timeoutMs > 0)) {
    io.err('layerwise image-info: --timeout takes a number of seconds');
    return 2;
  }
  const platform = platformText === undefined ? machinePlatform() : parsePlatformValue(platformText);
  if (!platform) {
    io.err(`layerwise image-info: "${platformText ?? ''}" is not a platform (os/arch[/variant], such as linux/arm64)`);
    return 2;
  }
  const parsed = parseReference(refs[0]!);
  if (!parsed.ok) {
    io.err(`layerwise image-info: ${parsed.error}`);
    return 2;
  }
  const daemon = daemonRegistryConfig();
  const client = new RegistryClient({ timeoutMs, ...daemon, credentials: (r) => registryCredentials(r, { log: (m) => io.err(`layerwise: ${m}`) }), log: (m) => io.err(`layerwise: ${m}`) });
  try {
    const info = await imageInfo(client, parsed.ref, { platform });
    io.out(json ? JSON.stringify(imageInfoJson(info), null, 2) : text(info));
    return 0;
  } catch (e) {
    const why = e instanceof RegistryError ? `${e.kind}: ${e.message}` : (e as Error).message;
    io.err(`layerwise image-info: ${formatPlatform(platform)} ${refs[0]}: ${why}`);
    return 1;
  }
}

/**
 * `layerwise lint --registry`: for each model, the digest every pulled base image's tag points to
 * now (RuleContext.registryDigests), for the digest rules. A registry that cannot be read is
 * reported once through `warn`; those rules then stay silent and the exit status does not change.
 */
export function commandLineRegistryDigests(warn: (message: string) => void): (model: Model) => Promise<{ registryDigests: Map<string, string> }> {
  const client = new RegistryClient({ ...daemonRegistryConfig(), credentials: (r) => registryCredentials(r, { log: warn }), log: warn });
  const known = new Map<string, Promise<string | undefined>>();
  return async (model) => {
    const registryDigests = new Map<string, string>();
    for (const { base, ref } of pulledBases(model)) {
      if (!base.ref?.tag) continue;
      const key = localImageKey(withoutDigest(ref));
      let digest = known.get(key);
      if (!digest) {
        const parsed = parseReference(withoutDigest(ref));
        digest = parsed.ok
          ? imageInfo(client, parsed.ref, { candidates: false, allPlatforms: false }).then(
              (i) => i.digest,
              (e: unknown) => {
                warn(`--registry: ${ref}: ${e instanceof RegistryError ? `${e.kind}: ${e.message}` : (e as Error).message}`);
                return undefined;
              },
            )
          : Promise.resolve(undefined);
        known.set(key, digest);
      }
      const d = await digest;
      if (d) registryDigests.set(key, d);
    }
    return { registryDigests };
  };
}
