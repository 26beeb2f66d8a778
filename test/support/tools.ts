import { spawnSync } from 'node:child_process';

/**
 * The skip reason of a test that needs a system tool this machine lacks, or false when it is
 * there. `scripts/install-test-deps.mjs` installs the tools on Debian as root; elsewhere these
 * skips are counted in the summary line of `npm test`.
 */
export function missingTool(tool: string, pkg = tool): string | false {
  if (spawnSync('sh', ['-c', `command -v '${tool}'`], { stdio: 'ignore' }).status === 0) return false;
  return `SKIPPED: ${tool} is not installed (Debian: apt-get install ${pkg}, or run node scripts/install-test-deps.mjs as root)`;
}
