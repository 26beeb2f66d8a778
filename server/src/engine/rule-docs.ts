import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

let base: string | undefined;

/**
 * The folder of rule pages shipped in the package (`docs/rules/`), as a file: URI ending in `/`.
 * The bundles run from `server/out/`, the sources (tests) from `server/src/engine/`; the pages are
 * the only documentation there is, so diagnostics link to them and to nothing on the web.
 */
export function ruleDocsBase(): string {
  if (base !== undefined) return base;
  const found = [path.join(__dirname, '..', '..', 'docs', 'rules'), path.join(__dirname, '..', '..', '..', 'docs', 'rules')].find((d) =>
    fs.existsSync(path.join(d, 'README.md')),
  );
  base = pathToFileURL((found ?? path.join(__dirname, '..', '..', 'docs', 'rules')) + path.sep).href;
  return base;
}

/** The page of one rule: `file:///…/docs/rules/<id>.md`. */
export function ruleDocsUri(id: string): string {
  return `${ruleDocsBase()}${id}.md`;
}
