import type { BaseImage } from '../model/model';

/**
 * Which image a runtime stage starts from: the builder's distribution without the toolchain
 * (golang:1.22-bookworm → debian:bookworm-slim, node:20 → node:20-slim, maven:3-eclipse-temurin-21 →
 * eclipse-temurin:21-jre), and the distroless images that match it.
 */

export type ImageKind = 'go' | 'rust' | 'gcc' | 'buildpack-deps' | 'node' | 'python' | 'java' | 'os' | 'unknown';
export type Family = 'debian' | 'ubuntu' | 'alpine' | 'rpm' | 'windows' | 'unknown';

export interface BuilderImage {
  kind: ImageKind;
  /** The repository's last path segment, lower case (`golang`). */
  name: string;
  /** What comes before the name in the FROM text (`docker.io/library/`), kept on mapped images. */
  prefix: string;
  /** The tag as written (variables kept), or undefined. */
  tagRaw: string | undefined;
  /** The tag with build args expanded when they are known. */
  tag: string | undefined;
  family: Family;
  /** Debian suite, Ubuntu codename or Alpine version, when the tag says (or the image's default). */
  release: string | undefined;
  /** The image keeps a toolchain or an interpreter in /usr/local (so `/usr/local` is not only what the build installed). */
  usrLocalTaken: boolean;
  /** The image has /etc/ssl/certs/ca-certificates.crt. */
  caBundle: boolean;
  /** It is built on the full buildpack-deps image, whose `-dev` libraries a program may link against (libssl, libpq, ...). */
  devLibraries: boolean;
  /** Environment the image sets, for paths in build commands (`$GOPATH/bin`). */
  env: Record<string, string>;
  /** The FROM text as written. */
  raw: string;
}

/** Splits an image reference as written, `${A:-x}` braces respected: prefix, name, tag. */
function splitRaw(raw: string): { prefix: string; name: string; tag: string | undefined } {
  let depth = 0;
  let lastSlash = -1;
  let colon = -1;
  let at = raw.length;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && c === '/') {
      lastSlash = i;
      colon = -1;
    } else if (depth === 0 && c === ':') colon = i;
    else if (depth === 0 && c === '@') {
      at = i;
      break;
    }
  }
  const end = colon > lastSlash ? colon : at;
  return { prefix: raw.slice(0, lastSlash + 1), name: raw.slice(lastSlash + 1, end), tag: colon > lastSlash ? raw.slice(colon + 1, at) : undefined };
}

const DEBIAN = /(?:^|-)(trixie|bookworm|bullseye|buster|stretch)(?:-|$)/;
const UBUNTU = /(?:^|-)(noble|jammy|focal|bionic)(?:-|$)/;
const ALPINE = /(?:^|-)alpine(\d+\.\d+)?(?:-|$)/;

function distroOf(tag: string | undefined): { family: Family; release: string | undefined } | undefined {
  if (!tag) return undefined;
  if (/windowsservercore|nanoserver|ltsc/.test(tag)) return { family: 'windows', release: undefined };
  const d = DEBIAN.exec(tag);
  if (d) return { family: 'debian', release: d[1] };
  const u = UBUNTU.exec(tag);
  if (u) return { family: 'ubuntu', release: u[1] };
  const a = ALPINE.exec(tag);
  if (a) return { family: 'alpine', release: a[1] };
  return undefined;
}

const KINDS: [RegExp, ImageKind][] = [
  [/^golang$/, 'go'],
  [/^rust$/, 'rust'],
  [/^gcc$/, 'gcc'],
  [/^buildpack-deps$/, 'buildpack-deps'],
  [/^node$/, 'node'],
  [/^python$/, 'python'],
  [/^(maven|gradle|eclipse-temurin|openjdk|amazoncorretto|sapmachine|ibm-semeru-runtimes)$/, 'java'],
  [/^(debian|ubuntu|alpine|fedora|centos|rockylinux|almalinux|amazonlinux|oraclelinux|ubi\d*|ubi\d+-minimal|archlinux|opensuse\/.*|leap|tumbleweed)$/, 'os'],
];

export function describeBuilder(base: BaseImage): BuilderImage {
  const raw = base.raw.replace(/["']/g, '');
  const parts = splitRaw(raw);
  const name = parts.name.toLowerCase();
  const resolvedTag = base.ref?.tag;
  const tag = resolvedTag ?? parts.tag;
  const kind = name.includes('$') ? 'unknown' : (KINDS.find(([re]) => re.test(name))?.[1] ?? 'unknown');
  const distro = distroOf(tag);
  let family: Family = distro?.family ?? 'unknown';
  let release = distro?.release;
  if (!distro) {
    if (kind === 'go' || kind === 'rust' || kind === 'gcc' || kind === 'node' || kind === 'python' || kind === 'buildpack-deps') {
      family = 'debian';
      release = 'bookworm';
    } else if (kind === 'java') family = /corretto/.test(`${name} ${tag ?? ''}`) ? 'rpm' : 'ubuntu';
    else if (kind === 'os') {
      family = name === 'debian' ? 'debian' : name === 'ubuntu' ? 'ubuntu' : name === 'alpine' ? 'alpine' : 'rpm';
      if (name === 'debian') release = /^(\w+)/.exec(tag ?? '')?.[1];
      if (name === 'alpine') release = /^(\d+\.\d+)/.exec(tag ?? '')?.[1];
    }
  }
  const env: Record<string, string> = { HOME: '/root' };
  if (kind === 'go') Object.assign(env, { GOPATH: '/go' });
  if (kind === 'rust') Object.assign(env, { CARGO_HOME: '/usr/local/cargo', RUSTUP_HOME: '/usr/local/rustup' });
  return {
    kind,
    name,
    prefix: parts.prefix,
    tagRaw: parts.tag,
    tag,
    family,
    release,
    usrLocalTaken: ['go', 'rust', 'gcc', 'node', 'python'].includes(kind),
    caBundle: ['go', 'rust', 'gcc', 'buildpack-deps', 'python', 'java'].includes(kind) || (kind === 'node' && !/slim|alpine/.test(tag ?? '')),
    devLibraries:
      kind === 'gcc' ||
      (kind === 'buildpack-deps' && !/curl|scm/.test(tag ?? '')) ||
      (['rust', 'python'].includes(kind) && !/slim|alpine/.test(tag ?? '')),
    env,
    raw,
  };
}

/** The tag text to transform: as written when its variant reads the same, else the resolved one. */
function tagText(b: BuilderImage, key: (t: string | undefined) => string): string | undefined {
  if (b.tagRaw === undefined) return b.tag;
  return b.tagRaw.includes('$') && b.tag !== undefined && key(b.tagRaw) !== key(b.tag) ? b.tag : b.tagRaw;
}

const variantKey = (t: string | undefined): string => `${distroOf(t)?.family ?? ''}:${distroOf(t)?.release ?? ''}:${/slim/.test(t ?? '')}`;

/** `-slim` variants of node and python: node:20 → node:20-slim, python:3.12-bookworm → python:3.12-slim-bookworm. */
function slimTag(b: BuilderImage): string {
  const t = tagText(b, variantKey);
  if (t === undefined || t === 'latest') return 'slim';
  if (/slim|alpine|windowsservercore|nanoserver/.test(t)) return t;
  if (t === 'lts' || t === 'current') return `${t}-slim`;
  const d = /^(.*)-(trixie|bookworm|bullseye|buster)$/.exec(t);
  if (d) return b.kind === 'python' ? `${d[1]}-slim-${d[2]}` : `${d[1]}-${d[2]}-slim`;
  if (/^(trixie|bookworm|bullseye|buster)$/.test(t)) return `${t}-slim`;
  return `${t}-slim`;
}

/** Java runtime images: the JRE of the JDK the build used. */
function jreImage(b: BuilderImage): string {
  const t = tagText(b, (x) => `${distroOf(x)?.family ?? ''}${/corretto|sapmachine|semeru/.exec(x ?? '')?.[0] ?? ''}`) ?? '';
  const alpine = /alpine/.test(t) ? '-alpine' : '';
  const codename = UBUNTU.exec(t)?.[1];
  if (b.name === 'eclipse-temurin') {
    if (/-jdk/.test(t)) return `${b.prefix}eclipse-temurin:${t.replace(/-jdk/, '-jre')}`;
    if (/-jre/.test(t)) return `${b.prefix}eclipse-temurin:${t}`;
    const m = /^([^-]+)(.*)$/.exec(t);
    return `${b.prefix}eclipse-temurin:${m ? `${m[1]}-jre${m[2]}` : 'latest'}`;
  }
  if (b.name === 'amazoncorretto') return `${b.prefix}amazoncorretto:${t || 'latest'}`;
  if (b.name === 'sapmachine') return `${b.prefix}sapmachine:${t.replace(/-jdk/, '-jre') || 'jre'}`;
  if (b.name === 'ibm-semeru-runtimes') return `${b.prefix}ibm-semeru-runtimes:${t.replace(/-jdk/, '-jre')}`;
  const version = /(?:eclipse-temurin|amazoncorretto|openjdk|jdk|sapmachine|ibm-semeru|graalvm|corretto)-?(\$\{[^}]+\}|\d+)/.exec(t)?.[1] ?? (b.name === 'openjdk' ? /^(\d+|\$\{[^}]+\})/.exec(t)?.[1] : undefined) ?? '21';
  if (/corretto/.test(t)) return `${b.prefix}amazoncorretto:${version}${alpine}`;
  if (/sapmachine/.test(t)) return `${b.prefix}sapmachine:${version}-jre`;
  if (/semeru/.test(t)) return `${b.prefix}ibm-semeru-runtimes:open-${version}-jre${codename ? `-${codename}` : ''}`;
  return `${b.prefix}eclipse-temurin:${version}-jre${alpine || (codename ? `-${codename}` : '')}`;
}

/** The runtime base for an image that is a toolchain: the same distribution, slim. */
function osRuntime(b: BuilderImage): string {
  if (b.family === 'alpine') return `${b.prefix}alpine:${b.release ?? '3'}`;
  if (b.family === 'ubuntu') return `${b.prefix}ubuntu:${b.release ?? 'latest'}`;
  return `${b.prefix}debian:${b.release ?? 'bookworm'}-slim`;
}

export interface RuntimeImage {
  image: string;
  /** It has /etc/ssl/certs/ca-certificates.crt. */
  caBundle: boolean;
  /** It is the builder image itself. */
  same: boolean;
}

/** The default runtime base for a builder image. */
export function runtimeImageFor(b: BuilderImage): RuntimeImage | undefined {
  if (b.family === 'windows') return undefined;
  switch (b.kind) {
    case 'go':
    case 'rust':
    case 'gcc':
    case 'buildpack-deps':
      return { image: osRuntime(b), caBundle: b.family === 'alpine', same: false };
    case 'node':
      return { image: `${b.prefix}node:${slimTag(b)}`, caBundle: false, same: false };
    case 'python':
      return { image: `${b.prefix}python:${slimTag(b)}`, caBundle: true, same: false };
    case 'java':
      return { image: jreImage(b), caBundle: true, same: false };
    default:
      return { image: b.raw, caBundle: false, same: true };
  }
}

/** `gcr.io/distroless/<flavour>-debian12` for bookworm builds (debian11 for bullseye); undefined for other distributions. */
export function distrolessImage(b: BuilderImage, flavour: 'static' | 'base' | 'cc'): string | undefined {
  if (flavour !== 'static' && b.family !== 'debian') return undefined;
  const version = b.family !== 'debian' ? '12' : b.release === 'bookworm' ? '12' : b.release === 'bullseye' ? '11' : undefined;
  return version ? `gcr.io/distroless/${flavour}-debian${version}` : undefined;
}
