import type { Dockerfile } from 'dockerfile-ast';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildModelSteps, type Model } from '../model/model';
import { drain, type Steps } from './cooperative';
import { shellParserReady } from '../model/shell';
import { blankHeredocFds, blankOpaqueHeredocs } from './opaque-heredocs';
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

  /** The syntax checks read the model without build args and the rules with the user's: both are kept. */
  private readonly models = new Map<string, Model>();

  private blanked: string | undefined;

  /**
   * The text the parser and the library features see: the same offsets and lines, with the
   * bodies of quoted COPY/ADD heredocs blanked out and the fd of `5<<EOF` heredocs turned into a
   * space (see opaque-heredocs.ts).
   */
  get analysisText(): string {
    this.blanked ??= blankOpaqueHeredocs(blankHeredocFds(this.text));
    return this.blanked;
  }

  get dockerfile(): Dockerfile {
    this.ast ??= parseDockerfile(this.analysisText);
    return this.ast;
  }

  /** The rule model of this version, built once per set of build-arg values. */
  model(buildArgs: Record<string, string> = {}): Model {
    return drain(this.modelSteps(buildArgs));
  }

  /** The model in steps of one instruction each (the server's validation yields between them); cached as model() is. */
  *modelSteps(buildArgs: Record<string, string> = {}): Steps<Model> {
    // A model built before the shell parser is ready has no RUN commands: not kept once it is.
    const key = `${shellParserReady()}${JSON.stringify(buildArgs)}`;
    let model = this.models.get(key);
    if (!model) {
      if (this.models.size >= 2) this.models.delete(this.models.keys().next().value as string);
      model = yield* buildModelSteps(this, { buildArgs });
      this.models.set(key, model);
    }
    return model;
  }
}
