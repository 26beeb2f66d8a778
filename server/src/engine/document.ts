import type { Dockerfile } from 'dockerfile-ast';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseDockerfile } from './parse';

/** One version of a Dockerfile, parsed once; every feature reads this. */
export class ParsedDocument {
  readonly textDocument: TextDocument;
  private ast: Dockerfile | undefined;

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
  ) {
    this.textDocument = TextDocument.create(uri, 'dockerfile', version, text);
  }

  get dockerfile(): Dockerfile {
    this.ast ??= parseDockerfile(this.text);
    return this.ast;
  }
}
