// The system tools the test tiers need, in one place for `.ci/run` and `npm test`.
// On Debian as root the missing ones are installed with apt-get; anywhere else the missing ones are
// named, with the tiers and tests that will skip because of them (test/run.ts counts the skips).
//   node scripts/install-test-deps.mjs [tier...]      (no tier: every tier)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `tool`: a command looked up on PATH (or an absolute path); absent for build-only libraries,
 * which are checked through dpkg where there is one. `needs`: what skips without it.
 */
export const REQUIREMENTS = [
  { pkg: 'git', tool: 'git', tiers: ['unit', 'protocol', 'daemon'], needs: 'the build-cache tests (git history of fixture repositories)' },
  { pkg: 'zstd', tool: 'zstd', tiers: ['unit'], needs: 'the zstd layer cases of the Analyze Image tests' },
  { pkg: 'shellcheck', tool: 'shellcheck', tiers: ['rules'], needs: 'the shellcheck rule tests' },
  { pkg: 'docker.io', tool: 'dockerd', tiers: ['daemon'], needs: 'every daemon test on Docker Engine 20.10' },
  { pkg: 'iproute2', tool: 'ip', tiers: ['daemon'], needs: 'the daemon tests (each engine has its own bridge)' },
  { pkg: 'busybox-static', tool: '/bin/busybox', tiers: ['daemon'], needs: 'the busybox base image of the daemon tests' },
  { pkg: 'debootstrap', tool: 'debootstrap', tiers: ['daemon'], needs: 'the Debian base image of the fix tests' },
  { pkg: 'docker-registry', tool: 'docker-registry', tiers: ['protocol', 'daemon', 'e2e'], needs: 'the registry of the RepoDigests, registry-client and registry-lens tests' },
  { pkg: 'openssl', tool: 'openssl', tiers: ['protocol', 'daemon'], needs: 'the TLS transport tests and the token server of the registry tests' },
  { pkg: 'apache2-utils', tool: 'htpasswd', tiers: ['protocol'], needs: 'the basic-authentication registry test (htpasswd -B)' },
  { pkg: 'ca-certificates', tiers: ['daemon'], needs: 'TLS to the npm registry inside test builds' },
  { pkg: 'podman', tool: 'podman', tiers: ['daemon'], needs: 'the daemon tests on Podman' },
  { pkg: 'xz-utils', tool: 'xz', tiers: ['daemon', 'neovim'], needs: "the daemon tests on Engine 26 and the Helix test (trixie's package index is Packages.xz)" },
  { pkg: 'neovim', tool: 'nvim', tiers: ['neovim'], needs: 'the Neovim tier' },
  { pkg: 'emacs-nox', tool: 'emacs', tiers: ['neovim'], needs: 'the Emacs (eglot) tests of the neovim tier' },
  { pkg: 'elpa-eglot', tiers: ['neovim'], needs: 'the Emacs (eglot) tests of the neovim tier' },
  { pkg: 'elpa-dockerfile-mode', tiers: ['neovim'], needs: 'the Emacs (eglot) tests of the neovim tier' },
  { pkg: 'chromium', tool: '/usr/bin/chromium', tiers: ['e2e'], needs: 'the e2e tier (code-server driven by Chromium)' },
  { pkg: 'ripgrep', tool: 'rg', tiers: ['e2e'], needs: 'code-server search (e2e tier)' },
  ...['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'make', 'g++', 'python3'].map((pkg) => ({
    pkg,
    tiers: ['e2e'],
    needs: "code-server's native modules (e2e tier)",
  })),
];

const has = (tool) => (tool.startsWith('/') ? existsSync(tool) : spawnSync('sh', ['-c', `command -v '${tool}'`], { stdio: 'ignore' }).status === 0);
const dpkgInstalled = (pkg) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') ?? false;
const hasDpkg = () => has('dpkg-query');

function isMissing(r) {
  if (r.tool) return !has(r.tool);
  return hasDpkg() ? !dpkgInstalled(r.pkg) : false;
}

export function canInstall() {
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/etc/debian_version') && has('apt-get');
}

/**
 * Installs (Debian as root) or reports what the given tiers need. Returns the requirements still
 * missing afterwards; the caller skips what depends on them.
 */
export function ensureTestDeps(tiers, log = (s) => console.log(s)) {
  const wanted = REQUIREMENTS.filter((r) => r.tiers.some((t) => tiers.includes(t)));
  let missing = wanted.filter(isMissing);
  if (missing.length && canInstall()) {
    const pkgs = [...new Set(missing.map((r) => r.pkg))];
    log(`[deps] installing with apt-get: ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install =
      update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (!install || install.status !== 0) log('[deps] apt-get failed; the tests that need these packages will skip');
    missing = wanted.filter(isMissing);
  }
  for (const r of missing) {
    log(`[deps] MISSING ${r.pkg}${r.tool ? ` (${r.tool})` : ''}: ${r.needs} will SKIP.${canInstall() ? '' : ` Install it (Debian: apt-get install ${r.pkg}).`}`);
  }
  return missing;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const tiers = args.length ? args : [...new Set(REQUIREMENTS.flatMap((r) => r.tiers))];
  const missing = ensureTestDeps(tiers);
  if (!missing.length) console.log(`[deps] everything the ${args.length ? args.join(', ') : 'test'} tiers need is installed`);
}
