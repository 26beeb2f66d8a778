import * as fs from 'node:fs';

/**
 * The registry settings of the local Docker daemon's `daemon.json` (`registry-mirrors`,
 * `insecure-registries`), which the registry client honours as the daemon would. A file that is
 * absent or unreadable says nothing.
 */
export interface DaemonRegistryConfig {
  mirrors: string[];
  insecureRegistries: string[];
}

export const DAEMON_JSON = '/etc/docker/daemon.json';

export function daemonRegistryConfig(file = DAEMON_JSON): DaemonRegistryConfig {
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { mirrors: list(j['registry-mirrors']), insecureRegistries: list(j['insecure-registries']) };
  } catch {
    return { mirrors: [], insecureRegistries: [] };
  }
}
