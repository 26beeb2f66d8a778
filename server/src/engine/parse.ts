import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';

/**
 * `dockerfile-language-service` and `dockerfile-utils` call `DockerfileParser.parse(text)` on every
 * request. Memoizing that one function by text makes every feature on a document version share
 * the parse that the engine made, without forking the libraries. A handful of recent texts is
 * enough: requests arrive for the version the editor shows.
 */
const RECENT = 8;
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
