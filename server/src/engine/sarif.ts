import { RULES } from '../rules';
import type { Finding } from './findings';
import { aliasesOf } from './rule-runner';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/**
 * SARIF 2.1.0 for code-scanning services: one run, every rule described, one result per finding.
 * Each rule carries its documentation inline (`help`): the pages exist only inside the package, so
 * neither the rules nor the driver name a web address.
 */
export function toSarif(findings: Finding[], toolVersion: string): object {
  const used = new Set(findings.map((f) => f.rule));
  const rules = RULES.filter((r) => used.has(r.meta.id)).map((r) => ({
    id: r.meta.id,
    name: r.meta.id,
    shortDescription: { text: r.meta.description },
    fullDescription: { text: r.meta.docs.why },
    help: { text: r.meta.docs.why, markdown: `${r.meta.docs.why}\n\nBad:\n\n\`\`\`dockerfile\n${r.meta.docs.bad}\n\`\`\`\n\nGood:\n\n\`\`\`dockerfile\n${r.meta.docs.good}\n\`\`\`` },
    defaultConfiguration: { level: r.meta.severity === 'off' ? 'none' : LEVEL[r.meta.severity] },
    properties: { category: r.meta.category, aliases: aliasesOf(r), tags: [r.meta.category] },
  }));
  const otherRules = [...used].filter((id) => !rules.some((r) => r.id === id)).map((id) => ({ id, name: id, shortDescription: { text: id } }));
  const allRules = [...rules, ...otherRules];
  const index = new Map(allRules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'layerwise', version: toolVersion, rules: allRules } },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split(/[\\/]/).map(encodeURIComponent).join('/') },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
          properties: { aliases: f.aliases },
        })),
      },
    ],
  };
}
