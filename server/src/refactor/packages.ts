import type { Inst, Stage } from '../model/model';
import type { ShellCommand, ShellWord } from '../model/shell';
import { aptInstall, isAptCommand, operands } from '../rules/lib/commands';
import { operandsOf } from '../rules/lib/language-packages';

/**
 * OS packages of a build stage: which are the toolchain (compilers, headers, build tools), which the
 * program may need at run time, and the runtime library each `-dev` package builds against.
 */

/** Compilers, headers and build tools, by package manager naming. */
export const TOOLCHAIN_APT = /^(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|clang(-\d+)?|make|cmake|ninja-build|autoconf|automake|libtool|[\w.+-]+-dev|golang(-go|-\d[\d.]*)?|default-jdk(-headless)?|openjdk-\d+-jdk(-headless)?|maven|gradle|rustc|cargo)$/;
export const TOOLCHAIN_APK = /^(build-base|alpine-sdk|gcc|g\+\+|clang\d*|make|cmake|samurai|autoconf|automake|libtool|linux-headers|[\w.+-]+-dev|go|openjdk\d+(-jdk)?|maven|gradle|rust|cargo)$/;
export const TOOLCHAIN_RPM = /^(gcc|gcc-c\+\+|clang|make|cmake|autoconf|automake|libtool|[\w.+-]+-devel|golang|java-[\d.]+-openjdk-devel|maven|gradle|rust|cargo|@development-tools|@?"?Development Tools"?)$/;

export type PackageManager = 'apt' | 'apk' | 'rpm';

/** Tools that only fetch or configure a build; the runtime gets them only when CMD, ENTRYPOINT or HEALTHCHECK names them. */
const BUILD_HELPERS = /^(git|git-core|pkg-config|pkgconf|pkgconfig|gnupg2?|dirmngr|unzip|xz-utils|xz|bzip2|patch|file|dpkg-dev|software-properties-common|apt-transport-https|lsb-release|wget|upx|upx-ucl|protobuf-compiler|swig|bison|flex|gettext|m4|nasm|yasm)$/;

/** Debian/Ubuntu: the library package a `-dev` package builds against (bookworm names); `''` when the base image already has it. */
const APT_RUNTIME_LIBS: Record<string, string> = {
  'libc6-dev': '',
  'libc-dev': '',
  'linux-libc-dev': '',
  'zlib1g-dev': '',
  'libstdc++-12-dev': '',
  'libgcc-12-dev': '',
  'python3-dev': 'python3',
  'python-dev': 'python',
  'python3-all-dev': 'python3',
  'musl-dev': '',
  'libssl-dev': 'libssl3',
  'libpq-dev': 'libpq5',
  'libffi-dev': 'libffi8',
  'libsqlite3-dev': 'libsqlite3-0',
  'libxml2-dev': 'libxml2',
  'libxslt1-dev': 'libxslt1.1',
  'libxslt-dev': 'libxslt1.1',
  'libjpeg-dev': 'libjpeg62-turbo',
  'libjpeg62-turbo-dev': 'libjpeg62-turbo',
  'libpng-dev': 'libpng16-16',
  'libwebp-dev': 'libwebp7',
  'libtiff-dev': 'libtiff6',
  'libtiff5-dev': 'libtiff6',
  'libfreetype6-dev': 'libfreetype6',
  'libfreetype-dev': 'libfreetype6',
  'libcurl4-openssl-dev': 'libcurl4',
  'libmariadb-dev': 'libmariadb3',
  'libmariadb-dev-compat': 'libmariadb3',
  'default-libmysqlclient-dev': 'libmariadb3',
  'libyaml-dev': 'libyaml-0-2',
  'libreadline-dev': 'libreadline8',
  'libbz2-dev': 'libbz2-1.0',
  'liblzma-dev': 'liblzma5',
  'libncurses-dev': 'libncursesw6',
  'libncurses5-dev': 'libncursesw6',
  'libncursesw5-dev': 'libncursesw6',
  'libpcre3-dev': 'libpcre3',
  'libpcre2-dev': 'libpcre2-8-0',
  'libzstd-dev': 'libzstd1',
  'libgmp-dev': 'libgmp10',
  'uuid-dev': 'libuuid1',
  'libsodium-dev': 'libsodium23',
  'libmagic-dev': 'libmagic1',
  'libldap2-dev': 'libldap-2.5-0',
  'libsasl2-dev': 'libsasl2-2',
  'libkrb5-dev': 'libgssapi-krb5-2',
  'libgeos-dev': 'libgeos-c1v5',
  'libpq5-dev': 'libpq5',
  'libevent-dev': 'libevent-2.1-7',
  'libexpat1-dev': 'libexpat1',
  'libgdbm-dev': 'libgdbm6',
  'libdb-dev': 'libdb5.3',
  'libuv1-dev': 'libuv1',
  'libsnappy-dev': 'libsnappy1v5',
  'liblz4-dev': 'liblz4-1',
  'libre2-dev': 'libre2-9',
  'libprotobuf-dev': 'libprotobuf32',
  'libcap-dev': 'libcap2',
  'libseccomp-dev': 'libseccomp2',
  'libacl1-dev': 'libacl1',
  'libattr1-dev': 'libattr1',
  'libselinux1-dev': 'libselinux1',
  'libsystemd-dev': 'libsystemd0',
  'libudev-dev': 'libudev1',
  'libusb-1.0-0-dev': 'libusb-1.0-0',
  'default-jdk': 'default-jre-headless',
  'default-jdk-headless': 'default-jre-headless',
};

/** Alpine: most `-dev` packages pair with the package of the same name without `-dev`. */
const APK_RUNTIME_LIBS: Record<string, string> = {
  'musl-dev': '',
  'libc-dev': '',
  'linux-headers': '',
  'python3-dev': 'python3',
  'zlib-dev': 'zlib',
  'openssl-dev': 'libssl3',
  'libressl-dev': 'libressl',
  'postgresql-dev': 'libpq',
  'libpq-dev': 'libpq',
  'mariadb-dev': 'mariadb-connector-c',
  'mariadb-connector-c-dev': 'mariadb-connector-c',
  'jpeg-dev': 'libjpeg-turbo',
  'libjpeg-turbo-dev': 'libjpeg-turbo',
  'libffi-dev': 'libffi',
  'libxml2-dev': 'libxml2',
  'libxslt-dev': 'libxslt',
  'sqlite-dev': 'sqlite-libs',
  'curl-dev': 'libcurl',
  'pcre-dev': 'pcre',
  'pcre2-dev': 'pcre2',
  'ncurses-dev': 'ncurses-libs',
  'readline-dev': 'readline',
  'yaml-dev': 'yaml',
};

export interface InstalledPackage {
  /** As written, version pin included (`curl=7.88.1-10`). */
  text: string;
  /** The bare name. */
  name: string;
  manager: PackageManager;
  /** The command that installs it (`apt-get`, `apk`, `dnf`). */
  tool: string;
  inst: Inst;
  cmd: ShellCommand;
  word: ShellWord;
  /** `apk add --virtual .build-deps` */
  group: string | undefined;
}

const APK_VALUE = ['-t', '--virtual', '-X', '--repository', '--root', '-p', '--arch', '--cache-dir'];
const RPM_VALUE = ['--setopt', '--enablerepo', '--disablerepo', '--installroot', '--releasever', '-c', '--config'];

function bareName(text: string, manager: PackageManager): string {
  if (manager === 'apt') return text.replace(/[=:].*$/, '').replace(/\/.*$/, '');
  if (manager === 'apk') return text.replace(/[=<>~].*$/, '');
  return text.replace(/-\d[\w.:+~-]*$/, '');
}

/** Packages one command installs. */
function installedBy(cmd: ShellCommand): { words: ShellWord[]; group: string | undefined; manager: PackageManager } | undefined {
  const apt = aptInstall(cmd);
  if (apt) return { words: apt.packages, group: undefined, manager: 'apt' };
  if (cmd.name === 'apk' && operands(cmd, APK_VALUE)[0]?.text === 'add') {
    const i = cmd.args.findIndex((a) => a.text === '-t' || a.text === '--virtual');
    const group = i >= 0 ? cmd.args[i + 1]?.text : cmd.args.find((a) => a.text.startsWith('--virtual='))?.text.slice('--virtual='.length);
    return { words: operands(cmd, APK_VALUE).slice(1), group, manager: 'apk' };
  }
  if (['yum', 'dnf', 'microdnf', 'tdnf'].includes(cmd.name)) {
    const rpm = operandsOf(cmd.args, RPM_VALUE);
    if (rpm[0]?.text === 'install') return { words: rpm.slice(1), group: undefined, manager: 'rpm' };
  }
  return undefined;
}

/** Names a command removes again; `all` for the `apt-mark auto` + `--auto-remove` pattern. */
function removedBy(cmd: ShellCommand, run: ShellCommand[]): string[] | 'all' {
  if (isAptCommand(cmd, 'purge') || isAptCommand(cmd, 'remove') || isAptCommand(cmd, 'autoremove')) {
    const marksAuto = run.some((c) => c.start < cmd.start && c.name === 'apt-mark' && c.args[0]?.text === 'auto');
    const auto = isAptCommand(cmd, 'autoremove') || cmd.args.some((a) => a.text === '--auto-remove' || a.text === '--autoremove');
    if (marksAuto && auto) return 'all';
    return operands(cmd, ['-o']).slice(1).map((w) => w.text);
  }
  if (cmd.name === 'apk' && operands(cmd)[0]?.text === 'del') return operands(cmd).slice(1).map((w) => w.text);
  if (['yum', 'dnf', 'microdnf', 'tdnf'].includes(cmd.name) && ['remove', 'erase'].includes(operands(cmd)[0]?.text ?? '')) return operands(cmd).slice(1).map((w) => w.text);
  return [];
}

/** Every package the stage installs and does not remove again, in order. */
export function installedPackages(stage: Stage): InstalledPackage[] {
  const kept: InstalledPackage[] = [];
  for (const inst of stage.instructions) {
    const run = inst.run;
    if (!run) continue;
    for (const cmd of run.commands) {
      const found = installedBy(cmd);
      if (found) {
        for (const w of found.words) {
          if (w.dynamic || w.text.includes('$') || w.text.startsWith('/') || /\.(deb|rpm|apk)$/.test(w.text)) continue;
          kept.push({ text: w.text, name: bareName(w.text, found.manager), manager: found.manager, tool: cmd.name, inst, cmd, word: w, group: found.group });
        }
      }
      const gone = removedBy(cmd, run.commands);
      if (gone === 'all') {
        for (let k = kept.length - 1; k >= 0; k--) if (kept[k]!.inst === inst && kept[k]!.cmd.start < cmd.start) kept.splice(k, 1);
      } else if (gone.length) {
        for (let k = kept.length - 1; k >= 0; k--) {
          const p = kept[k]!;
          if (gone.includes(p.name) || gone.includes(p.text) || (p.group !== undefined && gone.includes(p.group))) kept.splice(k, 1);
        }
      }
    }
  }
  return kept;
}

export function isToolchainPackage(p: { name: string; manager: PackageManager }): boolean {
  const pattern = p.manager === 'apt' ? TOOLCHAIN_APT : p.manager === 'apk' ? TOOLCHAIN_APK : TOOLCHAIN_RPM;
  return pattern.test(p.name);
}

export interface RuntimePackages {
  manager: PackageManager | undefined;
  /** The command to install with (`apt-get`, `apk`, `dnf`). */
  tool: string | undefined;
  /** Package words to install in the runtime stage (pins kept). */
  packages: string[];
  /** `-dev` packages whose runtime library is not known: the runtime stage says so in a comment. */
  unknownDev: string[];
  /** Whether the original install used `--no-install-recommends` (apt). */
  noRecommends: boolean;
  /** Whether the build installed ca-certificates (the runtime base may lack them). */
  caCertificates: boolean;
}

/**
 * What the runtime stage installs: every package of the build stage that is not the toolchain or a build
 * helper, plus the library each `-dev` package links against. `keep` names the commands the image runs
 * (CMD, ENTRYPOINT, HEALTHCHECK): a build helper they use stays.
 */
export function runtimePackages(stage: Stage, keep: Set<string>): RuntimePackages {
  const all = installedPackages(stage);
  const out: string[] = [];
  const unknownDev: string[] = [];
  const add = (p: string): void => {
    if (p && !out.includes(p)) out.push(p);
  };
  let caCertificates = false;
  for (const p of all) {
    if (p.name === 'ca-certificates') caCertificates = true;
    if (isToolchainPackage(p)) {
      const lib = runtimeLibraryOf(p);
      if (lib === undefined) {
        if (/-dev(el)?$/.test(p.name) && !unknownDev.includes(p.name)) unknownDev.push(p.name);
      } else add(lib);
      continue;
    }
    if (BUILD_HELPERS.test(p.name) && !keep.has(p.name)) continue;
    add(p.text);
  }
  const first = all[0];
  const noRecommends = all.some((p) => p.manager === 'apt' && p.cmd.args.some((a) => a.text === '--no-install-recommends'));
  return { manager: first?.manager, tool: first?.tool, packages: out, unknownDev, noRecommends, caCertificates };
}

function runtimeLibraryOf(p: InstalledPackage): string | undefined {
  if (p.manager === 'apt') {
    if (p.name in APT_RUNTIME_LIBS) return APT_RUNTIME_LIBS[p.name];
    const jdk = /^openjdk-(\d+)-jdk(-headless)?$/.exec(p.name);
    if (jdk) return `openjdk-${jdk[1]}-jre-headless`;
    if (/^lib(gcc|stdc\+\+)-\d+-dev$/.test(p.name)) return '';
    return /-dev$/.test(p.name) ? undefined : '';
  }
  if (p.manager === 'apk') {
    if (p.name in APK_RUNTIME_LIBS) return APK_RUNTIME_LIBS[p.name];
    const jdk = /^openjdk(\d+)(-jdk)?$/.exec(p.name);
    if (jdk) return `openjdk${jdk[1]}-jre-headless`;
    const dev = /^(.+)-dev$/.exec(p.name);
    return dev ? dev[1] : '';
  }
  const jdk = /^java-([\d.]+)-openjdk-devel$/.exec(p.name);
  if (jdk) return `java-${jdk[1]}-openjdk-headless`;
  const devel = /^(.+)-devel$/.exec(p.name);
  if (devel) return devel[1] === 'openssl' ? 'openssl-libs' : devel[1];
  return '';
}

/** The shell commands that install `packages` the way the build stage did, with the cache cleanup. */
export function installCommands(pkgs: RuntimePackages): string[] {
  if (!pkgs.packages.length || !pkgs.manager) return [];
  const list = pkgs.packages.join(' ');
  if (pkgs.manager === 'apt') {
    const tool = pkgs.tool === 'apt' ? 'apt-get' : (pkgs.tool ?? 'apt-get');
    return [`${tool} update`, `${tool} install -y${pkgs.noRecommends ? ' --no-install-recommends' : ''} ${list}`, 'rm -rf /var/lib/apt/lists/*'];
  }
  if (pkgs.manager === 'apk') return [`apk add --no-cache ${list}`];
  const tool = pkgs.tool ?? 'dnf';
  return [`${tool} install -y ${list}`, `${tool} clean all`];
}
