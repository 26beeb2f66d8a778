import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

/**
 * Shell scripts of RUN instructions, parsed with tree-sitter-bash and turned into plain objects
 * (commands, words, offsets into the script), so rules never touch wasm memory and results can
 * be cached by script text: an edit elsewhere in the Dockerfile reuses them.
 */

export interface ShellWord {
  /** The word with quotes removed; expansions are kept as written. */
  text: string;
  raw: string;
  start: number;
  end: number;
  /** Contains a `$…` expansion or a command substitution whose value is unknown statically. */
  dynamic: boolean;
  /**
   * Set by the model on the words of an expansion with known ARG/ENV values (`$PKGS` → `curl`, `git`): `text` is one
   * of them, `raw`, `start` and `end` are the word written in the file, shared by all of them.
   */
  expanded?: true;
  /**
   * Set by the model when the value is unknown but certainly one word that is not an option: every value the script
   * itself assigns to the variable is a plain word not starting with `-` (`BINARY_URL='https://…'` in a `case`).
   */
  operand?: true;
}

export interface ShellAssignment {
  name: string;
  value: string;
  start: number;
  end: number;
}

export interface ShellCommand {
  /** The command after wrappers such as `sudo`, `env`, `nice`: `apt-get` for `sudo apt-get ...`; basename only. */
  name: string;
  nameWord: ShellWord;
  args: ShellWord[];
  /** Wrappers that were peeled off, outermost first (`sudo`, `env`, ...). */
  wrappers: ShellWord[];
  assignments: ShellAssignment[];
  start: number;
  end: number;
  /** Index of the pipeline this command belongs to, and its place in it. */
  pipeline: number;
  pipelinePosition: number;
  pipelineLength: number;
}

export interface ShellScript {
  text: string;
  commands: ShellCommand[];
  /** tree-sitter found a syntax error somewhere (rules may still use the commands it recovered). */
  hasError: boolean;
  /** Words written in `set` commands: `-e`, `-o`, `pipefail`, ... */
  setOptions: string[];
  /** Not parsed: longer than MAX_SCRIPT_CHARS (then `commands` is empty and `hasError` is set). */
  tooLarge?: true;
}

/**
 * Scripts longer than this are not parsed: the parse and the walk are linear, but a 1 MB script
 * would hold the server for seconds on every edit. The linter says so on the instruction.
 */
export const MAX_SCRIPT_CHARS = 100_000;

const WRAPPERS = new Set(['sudo', 'env', 'nice', 'nohup', 'time', 'exec', 'command', 'su-exec', 'gosu', 'chroot', 'stdbuf', 'ionice', 'timeout']);

let parser: Parser | undefined;
let initializing: Promise<void> | undefined;

function wasmPath(file: string, pkg: string): string {
  const beside = path.join(__dirname, file);
  if (fs.existsSync(beside)) return beside;
  return require.resolve(`${pkg}/${file}`);
}

/** Loads the wasm parser once; every other function here needs it done. */
export function initShellParser(): Promise<void> {
  initializing ??= (async () => {
    await Parser.init({ locateFile: (name: string) => wasmPath(name, 'web-tree-sitter') });
    const bash = await Language.load(wasmPath('tree-sitter-bash.wasm', 'tree-sitter-bash'));
    const p = new Parser();
    p.setLanguage(bash);
    parser = p;
  })();
  return initializing;
}

export function shellParserReady(): boolean {
  return parser !== undefined;
}

/**
 * The cache holds scripts up to this many characters in all; the least recently used go first. A
 * parsed script takes tens of times its text in objects (1,000,000 characters held 8.6 MB of the
 * heap after the corpus), and every keystroke in a RUN adds one; the scripts of the documents being
 * edited are used at each of their versions and stay.
 */
const CACHE_CHARS = 300_000;
const cache = new Map<string, ShellScript>();
let cachedChars = 0;
let parsesDone = 0;

/** How many scripts were really parsed (not served from the cache); for tests. */
export function shellParseCount(): number {
  return parsesDone;
}

export function parseShell(text: string): ShellScript {
  if (text.length > MAX_SCRIPT_CHARS) return { text, commands: [], hasError: true, setOptions: [], tooLarge: true };
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  if (!parser) throw new Error('initShellParser() has not finished');
  parsesDone++;
  const tree = parser.parse(text);
  if (!tree) return { text, commands: [], hasError: true, setOptions: [] };
  let script: ShellScript;
  try {
    script = collect(text, tree.rootNode);
  } finally {
    tree.delete();
  }
  cache.set(text, script);
  cachedChars += text.length;
  while (cachedChars > CACHE_CHARS && cache.size > 1) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    cachedChars -= oldest.length;
  }
  return script;
}

type PipelinePlace = { id: number; position: number; length: number };

/**
 * Walks the tree with an explicit stack: a `a && a && …` chain nests one level per command, and
 * thousands of levels would overflow the JS stack if this recursed.
 */
function collect(text: string, root: Node): ShellScript {
  const commands: ShellCommand[] = [];
  const setOptions: string[] = [];
  let pipelineCounter = 0;
  // `nested`: below a command, where only substitutions and subshells hold further commands.
  const stack: { node: Node; pipeline: PipelinePlace | undefined; nested: boolean }[] = [{ node: root, pipeline: undefined, nested: false }];
  const pushChildren = (children: (Node | null)[], nested: boolean, skip?: (c: Node) => boolean): void => {
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c && !skip?.(c)) stack.push({ node: c, pipeline: undefined, nested });
    }
  };
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, pipeline, nested } = item;
    if (nested) {
      const opens = node.type === 'command_substitution' || node.type === 'process_substitution' || node.type === 'subshell';
      pushChildren(node.namedChildren, !opens);
      continue;
    }
    if (node.type === 'pipeline') {
      const id = pipelineCounter++;
      const parts = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      for (let i = parts.length - 1; i >= 0; i--) stack.push({ node: parts[i]!, pipeline: { id, position: i, length: parts.length }, nested: false });
      continue;
    }
    if (node.type === 'command') {
      const cmd = toCommand(node, pipeline ?? { id: pipelineCounter++, position: 0, length: 1 });
      if (cmd) {
        commands.push(cmd);
        if (cmd.name === 'set') setOptions.push(...cmd.args.map((a) => a.text));
      }
      // Command substitutions inside arguments hold commands too.
      pushChildren(node.namedChildren, true, (c) => c.type === 'command_name');
      continue;
    }
    pushChildren(node.namedChildren, false);
  }
  commands.sort((a, b) => a.start - b.start);
  return { text, commands, hasError: root.hasError, setOptions };
}

function toCommand(node: Node, pipeline: PipelinePlace): ShellCommand | undefined {
  const nameNode = node.childForFieldName('name');
  if (!nameNode) return undefined;
  const assignments: ShellAssignment[] = [];
  const words: ShellWord[] = [toWord(nameNode)];
  for (const child of node.namedChildren) {
    if (!child || child.id === nameNode.id) continue;
    if (child.type === 'variable_assignment') {
      const name = child.childForFieldName('name')?.text ?? '';
      const valueNode = child.childForFieldName('value');
      assignments.push({ name, value: valueNode ? toWord(valueNode).text : '', start: child.startIndex, end: child.endIndex });
    } else if (child.type === 'file_redirect' || child.type === 'heredoc_redirect' || child.type === 'herestring_redirect' || child.type === 'comment') {
      continue;
    } else if (child.startIndex > nameNode.startIndex) {
      words.push(toWord(child));
    }
  }
  const wrappers: ShellWord[] = [];
  while (words.length > 1 && WRAPPERS.has(basename(words[0]!.text))) {
    const wrapper = words.shift()!;
    wrappers.push(wrapper);
    // Options of the wrapper (`sudo -u x`, `env -i`, `timeout 10`) and env's VAR=value come before the command.
    while (words.length > 1 && (words[0]!.text.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!.text) || /^\d+[smhd]?$/.test(words[0]!.text))) {
      const w = words.shift()!;
      const eq = w.text.indexOf('=');
      if (!w.text.startsWith('-') && eq > 0) assignments.push({ name: w.text.slice(0, eq), value: w.text.slice(eq + 1), start: w.start, end: w.end });
      else if (basename(wrapper.text) === 'sudo' && (w.text === '-u' || w.text === '-g') && words.length > 1) words.shift();
    }
  }
  const nameWord = words.shift()!;
  return {
    name: basename(nameWord.text),
    nameWord,
    args: words,
    wrappers,
    assignments,
    start: node.startIndex,
    end: node.endIndex,
    pipeline: pipeline.id,
    pipelinePosition: pipeline.position,
    pipelineLength: pipeline.length,
  };
}

function basename(s: string): string {
  const i = s.lastIndexOf('/');
  return i >= 0 ? s.slice(i + 1) : s;
}

function toWord(node: Node): ShellWord {
  return { text: unquote(node), raw: node.text, start: node.startIndex, end: node.endIndex, dynamic: isDynamic(node) };
}

function isDynamic(word: Node): boolean {
  const stack = [word];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === 'simple_expansion' || node.type === 'expansion' || node.type === 'command_substitution') return true;
    if (node.type === 'raw_string') continue;
    for (const c of node.namedChildren) if (c) stack.push(c);
  }
  return false;
}

function unquote(node: Node): string {
  switch (node.type) {
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'string': {
      const inner = node.text.slice(1, -1);
      return inner.replace(/\\([$`"\\\n])/g, '$1');
    }
    case 'ansi_c_string':
      return node.text.slice(2, -1);
    case 'concatenation':
      return node.children.map((c) => (c ? unquote(c) : '')).join('');
    case 'word':
    case 'command_name': {
      const inner = node.namedChildren[0];
      if (node.type === 'command_name' && inner) return unquote(inner);
      return node.text.replace(/\\(.)/g, '$1');
    }
    default:
      return node.text;
  }
}
