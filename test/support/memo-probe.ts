// Prints, per corpus file, a digest of what the library features answer; run with and without
// LAYERWISE_NO_AST_MEMO to prove the memoized dockerfile-ast getters change nothing.
import { createHash } from 'node:crypto';
import type { Heredoc } from 'dockerfile-ast';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { ParsedDocument } from '../../server/src/engine/document';
import { EditorFeatures } from '../../server/src/engine/editor-features';
import { syntaxDiagnostics } from '../../server/src/engine/syntax-validation';
import { readReal, realFiles } from './corpus';

const features = new EditorFeatures();
const out: Record<string, string> = {};
// Each file a second time, two lines further down: answers kept from the first version must move with it.
for (const [f, text] of realFiles().flatMap((f) => [[f, readReal(f)], [`${f} moved`, `# moved\n\n${readReal(f)}`]] as const)) {
  const doc = new ParsedDocument(`file:///corpus/${f}`, 1, text);
  const heredocs = doc.dockerfile
    .getInstructions()
    .flatMap((i) => (i as unknown as { getHeredocs(): Heredoc[] }).getHeredocs().map((h) => [h.getName(), h.getStartRange(), h.getNameRange(), h.getContentRange(), h.getDelimiterRange()]));
  const parts: unknown[] = [heredocs, syntaxDiagnostics(doc), features.symbols(doc), features.folding(doc), features.format(doc, { tabSize: 4, insertSpaces: true }, DEFAULT_SETTINGS)];
  for (const i of doc.dockerfile.getInstructions().slice(0, 12)) {
    const p = i.getRange().start;
    const inArgs = i.getArguments()[0]?.getRange().start ?? p;
    parts.push(features.hover(doc, p), features.highlights(doc, inArgs), features.definition(doc, inArgs), features.signatureHelp(doc, inArgs), i.getVariables().length);
  }
  out[f] = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
process.stdout.write(JSON.stringify(out));
