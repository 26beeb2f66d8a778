import * as ast from 'dockerfile-ast';
import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { guardDockerfileAst } from './ast-guards';

/**
 * `dockerfile-language-service` and `dockerfile-utils` call `DockerfileParser.parse(text)` on every
 * request. Memoizing that one function by text makes every feature on a document version share
 * the parse that the engine made, without forking the libraries. A handful of recent texts is
 * enough: requests arrive for the version the editor shows.
 */
const RECENT = 3;
const recent = new Map<string, Dockerfile>();
const uncachedParse = DockerfileParser.parse.bind(DockerfileParser);
let parses = 0;

export function parseDockerfile(text: string): Dockerfile {
  const hit = recent.get(text);
  if (hit) {
    recent.delete(text);
    recent.set(text, hit);
    return hit;
  }
  parses++;
  const parsed = uncachedParse(text);
  recent.set(text, parsed);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value as string);
  return parsed;
}

/** How many real parses happened; tests use it to prove that features share one parse. */
export function parseCount(): number {
  return parses;
}

DockerfileParser.parse = parseDockerfile;
guardDockerfileAst(uncachedParse(''));

/**
 * dockerfile-ast recomputes an instruction's arguments, variables and heredocs on every call, and
 * the validator calls them many times per instruction: most of its time on a large file. A parsed
 * instruction never changes, so each getter's first answer is kept (the two arrays the library
 * itself shifts and splices are handed out as copies).
 * A corpus test checks that results are identical with and without this.
 */
const MEMOIZED = [
  'getTextContent',
  'getArgumentsRanges',
  'getRawArguments',
  'getArguments',
  'getVariables',
  'getHeredocs',
  'getRawArgumentsContent',
  'getArgumentsContent',
  'getProperties',
  'getPropertyArguments',
  'getExpandedArguments',
];

const MEMO = Symbol('layerwise.memo');

function memoizeAstGetters(): void {
  const seen = new Set<object>();
  for (const exported of Object.values(ast)) {
    if (typeof exported !== 'function') continue;
    for (let proto = exported.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
      if (seen.has(proto)) continue;
      seen.add(proto);
      for (const name of MEMOIZED) {
        const descriptor = Object.getOwnPropertyDescriptor(proto, name);
        const original: unknown = descriptor?.value;
        if (typeof original !== 'function' || original.length !== 0) continue;
        // Only these results are mutated by the library (ModifiableInstruction shifts the base
        // arguments, Label splices the base variables); everything else is handed out as it is.
        const copy = proto === ast.Instruction.prototype && (name === 'getArguments' || name === 'getVariables');
        // A subclass's getter and the one it calls with `super` are kept apart.
        const key = `${name}#${seen.size}`;
        Object.defineProperty(proto, name, {
          ...descriptor,
          value: function (this: { [MEMO]?: Record<string, unknown> }): unknown {
            const memo = (this[MEMO] ??= {});
            let v = memo[key];
            if (v === undefined && !(key in memo)) {
              v = (original as () => unknown).call(this);
              memo[key] = v;
            }
            return copy && Array.isArray(v) ? v.slice() : v;
          },
        });
      }
    }
  }
}

if (!process.env.LAYERWISE_NO_AST_MEMO) memoizeAstGetters();
