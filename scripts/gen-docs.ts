// Generates docs/rules/<id>.md for every rule and the rule table docs/rules/README.md from the
// rules' metadata. Run by `npm run gen`; a test fails when the pages are out of date.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aliasesOf } from '../server/src/engine/rule-runner';
import { RULES } from '../server/src/rules';
import type { Rule } from '../server/src/rules/rule';

const DOCS = path.join(__dirname, '..', 'docs', 'rules');

export function rulePage(rule: Rule): string {
  const m = rule.meta;
  const a = m.aliases;
  const aliasRows = [
    a.hadolint?.length ? `| hadolint | ${a.hadolint.map((c) => `\`${c}\``).join(', ')} |` : undefined,
    a.buildkit ? `| BuildKit check | \`${a.buildkit}\` |` : undefined,
    a.trivy ? `| Trivy | \`${a.trivy}\` |` : undefined,
    a.checkov ? `| Checkov | \`${a.checkov}\` |` : undefined,
    a.dockle ? `| Dockle | \`${a.dockle}\` |` : undefined,
  ].filter(Boolean);
  const lines = [
    `# ${m.id}`,
    '',
    `> ${m.description}`,
    '',
    `Default severity: **${m.severity}** · Category: ${m.category} · Fix: ${m.fix ?? 'none'}`,
    '',
    '## Why',
    '',
    m.docs.why,
    '',
    ...(m.docs.context ? ['## Build context of the examples', '', ...Object.keys(m.docs.context.files).map((f) => `- \`${f}\``), ...(m.docs.context.dockerignore !== undefined ? ['', '`.dockerignore`:', '', '```', m.docs.context.dockerignore.trimEnd(), '```'] : ['', 'No `.dockerignore`.']), ''] : []),
    '## Bad',
    '',
    '```dockerfile',
    m.docs.bad,
    '```',
    '',
    '## Good',
    '',
    '```dockerfile',
    m.docs.good,
    '```',
    '',
  ];
  if (aliasRows.length) lines.push('## Same rule elsewhere', '', '| tool | id |', '|---|---|', ...(aliasRows as string[]), '');
  if (m.differences?.length) {
    lines.push('## Where Layerwise differs on purpose', '');
    for (const d of m.differences) lines.push(`- \`${d.case}\`: ${d.reason}`);
    lines.push('');
  }
  lines.push(
    '## Configure',
    '',
    `Turn it off or change its severity with \`"layerwise.rules": { "${m.id}": "off" }\`, or for one instruction with a comment above it:`,
    '',
    '```dockerfile',
    `# layerwise ignore=${m.id}`,
    '```',
    '',
  );
  return lines.join('\n');
}

export function ruleTablePage(): string {
  const rows = [...RULES]
    .sort((x, y) => x.meta.id.localeCompare(y.meta.id))
    .map((r) => `| [${r.meta.id}](${r.meta.id}.md) | ${r.meta.severity} | ${r.meta.category} | ${aliasesOf(r).join(', ')} | ${r.meta.fix ?? ''} | ${r.meta.description.replace(/\|/g, '\\|')} |`);
  return [
    '# Rules',
    '',
    'Generated from the rules\' metadata by `npm run gen`. Severities follow [the severity policy](../SEVERITY.md).',
    '',
    `${RULES.length} rules.`,
    '',
    '| rule | default | category | aliases | fix | description |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (require.main === module) {
  fs.mkdirSync(DOCS, { recursive: true });
  const wanted = new Set(RULES.map((r) => `${r.meta.id}.md`).concat('README.md'));
  for (const f of fs.readdirSync(DOCS)) if (f.endsWith('.md') && !wanted.has(f)) fs.unlinkSync(path.join(DOCS, f));
  for (const r of RULES) fs.writeFileSync(path.join(DOCS, `${r.meta.id}.md`), rulePage(r));
  fs.writeFileSync(path.join(DOCS, 'README.md'), ruleTablePage());
}
