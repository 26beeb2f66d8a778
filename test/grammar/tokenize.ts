/**
 * Tokenizes text with the extension's TextMate grammars the way VS Code does (vscode-textmate on
 * vscode-oniguruma), embedding the shell grammars VS Code ships (vendored in vendor/, see NOTICE.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar, type IOnigLib, type StateStack } from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '..', '..');

export const GRAMMAR_FILES: Record<string, string> = {
  'source.dockerfile': path.join(ROOT, 'syntaxes', 'dockerfile.tmLanguage.json'),
  'source.dockerignore': path.join(ROOT, 'syntaxes', 'dockerignore.tmLanguage.json'),
  'source.shell': path.join(__dirname, 'vendor', 'shell-unix-bash.tmLanguage.json'),
  'source.powershell': path.join(__dirname, 'vendor', 'powershell.tmLanguage.json'),
};

let registry: Registry | undefined;

function getRegistry(): Registry {
  if (registry) return registry;
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  const onigLib: Promise<IOnigLib> = oniguruma.loadWASM(wasm).then(() => ({
    createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s: string) => new oniguruma.OnigString(s),
  })) as Promise<IOnigLib>;
  registry = new Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
      const file = GRAMMAR_FILES[scopeName];
      if (!file) return null;
      return parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry;
}

const grammars = new Map<string, Promise<IGrammar>>();

export function loadGrammar(scopeName: string): Promise<IGrammar> {
  let g = grammars.get(scopeName);
  if (!g) {
    g = getRegistry()
      .loadGrammar(scopeName)
      .then((grammar) => {
        if (!grammar) throw new Error(`no grammar for ${scopeName}`);
        return grammar;
      });
    grammars.set(scopeName, g);
  }
  return g;
}

export interface Token {
  line: number;
  start: number;
  end: number;
  text: string;
  scopes: string[];
}

/** Splits like VS Code's text model: \r\n, \r and \n all end a line. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The tokens of every line (the last line's trailing empty line included when the text ends with a newline). */
export function tokenize(grammar: IGrammar, text: string): Token[][] {
  let state: StateStack = INITIAL;
  return splitLines(text).map((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    if (result.stoppedEarly) throw new Error(`tokenizing line ${line + 1} stopped early`);
    state = result.ruleStack;
    return result.tokens.map((t) => ({
      line,
      start: t.startIndex,
      end: Math.min(t.endIndex, lineText.length),
      text: lineText.slice(t.startIndex, t.endIndex),
      scopes: t.scopes,
    }));
  });
}

/** The scopes of the token that covers `column` of `line` (0-based). */
export function scopesAt(lines: Token[][], line: number, column: number): string[] {
  const token = lines[line]?.find((t) => t.start <= column && column < t.end);
  if (!token) throw new Error(`no token at ${line}:${column}`);
  return token.scopes;
}

/**
 * A readable snapshot: each source line (`>`, tabs shown as →), then one line per token that is not
 * only blanks: carets under the token, then its scopes without the root scope.
 */
export function snapshot(grammar: IGrammar, text: string): string {
  const lines = splitLines(text);
  const tokens = tokenize(grammar, text);
  const root = grammar === undefined ? '' : undefined;
  void root;
  const out: string[] = [];
  lines.forEach((lineText, i) => {
    if (i === lines.length - 1 && lineText === '') return;
    out.push(`>${lineText.replace(/\t/g, '→')}`);
    for (const t of tokens[i] ?? []) {
      if (t.end <= t.start || /^\s*$/.test(t.text)) continue;
      const scopes = t.scopes.slice(1).join(' ') || t.scopes[0];
      out.push(`${' '.repeat(t.start + 1)}${'^'.repeat(t.end - t.start)} ${scopes}`);
    }
  });
  return out.join('\n') + '\n';
}
