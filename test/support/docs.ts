import { ParsedDocument } from '../../server/src/engine/document';

let counter = 0;

/** A parsed document for a test; `crlf` re-runs the same text with Windows line endings. */
export function docOf(text: string, crlf = false): ParsedDocument {
  const body = crlf ? text.replace(/\r?\n/g, '\r\n') : text;
  return new ParsedDocument(`file:///test/${++counter}/Dockerfile`, 1, body);
}
