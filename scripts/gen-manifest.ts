// Writes the settings schema of server/src/config.ts into package.json (contributes.configuration).
import { readFileSync, writeFileSync } from 'node:fs';
import { SETTINGS_SCHEMA } from '../server/src/config';

export function configurationContribution(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(SETTINGS_SCHEMA)) properties[`layerwise.${key}`] = { ...schema };
  return { title: 'Layerwise', properties };
}

if (require.main === module) {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  manifest.contributes.configuration = configurationContribution();
  writeFileSync('package.json', JSON.stringify(manifest, null, 2) + '\n');
}
