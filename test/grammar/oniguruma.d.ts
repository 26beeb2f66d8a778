// vscode-oniguruma ships no type declarations; these are the parts the grammar tests use.
declare module 'vscode-oniguruma' {
  export interface OnigScanner {
    findNextMatchSync(string: string | OnigString, startPosition: number): unknown;
    dispose?(): void;
  }
  export interface OnigString {
    readonly content: string;
    dispose?(): void;
  }
  export function loadWASM(data: ArrayBuffer | Uint8Array): Promise<void>;
  export const OnigScanner: new (patterns: string[]) => OnigScanner;
  export const OnigString: new (content: string) => OnigString;
}
