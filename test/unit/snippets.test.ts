/**
 * The snippets teach the patterns the rules ask for, so each one must lint clean under our own
 * rules with default settings: whole-Dockerfile snippets as they expand, the others inside a small
 * Dockerfile (only findings on the snippet's own lines count).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { memoryBuildContext, type BuildContext } from '../../server/src/model/build-context';
import { lintDocument } from '../../server/src/engine/lint';
import { initShellParser } from '../../server/src/model/shell';
import { docOf } from '../support/docs';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

const ROOT = path.resolve(__dirname, '..', '..');
const DOCKERFILE_SNIPPETS: Record<string, Snippet> = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'dockerfile.json'), 'utf8'));
const DOCKERIGNORE_SNIPPETS: Record<string, Snippet> = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'dockerignore.json'), 'utf8'));

/**
 * Expands a snippet the way VS Code inserts it when every placeholder keeps its default:
 * ${1:default} → default (nested placeholders expanded), $1 / ${1} → the default of placeholder 1
 * (or nothing), ${1|a,b|} → a, $0 → nothing, \$ \} \\ → $ } \.
 */
export function expandSnippet(body: string): string {
  const defaults = new Map<string, string>();
  let i = 0;
  const parse = (until?: string): string => {
    let out = '';
    while (i < body.length) {
      const c = body[i]!;
      if (until && c === until) return out;
      if (c === '\\' && i + 1 < body.length && '$}\\'.includes(body[i + 1]!)) {
        out += body[i + 1];
        i += 2;
        continue;
      }
      if (c === '$') {
        const simple = /^\$(\d+)/.exec(body.slice(i));
        if (simple) {
          i += simple[0].length;
          out += defaults.get(simple[1]!) ?? '';
          continue;
        }
        const open = /^\$\{(\d+)(:|\||\})/.exec(body.slice(i));
        if (open) {
          const n = open[1]!;
          i += open[0].length;
          if (open[2] === '}') {
            out += defaults.get(n) ?? '';
          } else if (open[2] === '|') {
            const end = body.indexOf('|}', i);
            const choice = body.slice(i, end).split(',')[0] ?? '';
            i = end + 2;
            if (!defaults.has(n)) defaults.set(n, choice);
            out += defaults.get(n);
          } else {
            const value = parse('}');
            i++; // the closing }
            if (!defaults.has(n)) defaults.set(n, value);
            out += defaults.get(n);
          }
          continue;
        }
        throw new Error(`unsupported snippet syntax at ${body.slice(i, i + 20)}`);
      }
      out += c;
      i++;
    }
    if (until) throw new Error(`unclosed placeholder in snippet`);
    return out;
  };
  return parse();
}

/**
 * Findings a snippet may have, with the reason. Pinning Debian/Alpine package versions in a template
 * breaks the build as soon as the mirror drops that version (the severity policy keeps pinning at
 * info for exactly this reason): the snippets leave the package names to the user instead.
 */
const ALLOWED: Record<string, string[]> = {
  'apt-install': ['apt-pin-versions'],
  'apt-install-cache': ['apt-pin-versions'],
};

/** The host file for snippets that are not a whole Dockerfile; they go where the marker is. */
const HOST = ['FROM debian:bookworm-slim', 'WORKDIR /app', '@SNIPPET@', 'USER 10001', ''].join('\n');

interface Finding {
  line: number;
  code: string;
  message: string;
}

function lint(text: string, buildContext?: BuildContext): Finding[] {
  return lintDocument(docOf(text), DEFAULT_SETTINGS, { buildContext }).map((d) => ({ line: d.range.start.line, code: String(d.code ?? d.source), message: d.message }));
}

/** A typical project per ecosystem, with what a developer's checkout holds besides the sources. */
const CLUTTER = { '.git/HEAD': 'ref: refs/heads/main\n', '.env': 'API_TOKEN=secret\n', '.vscode/settings.json': '{}' };
const PROJECTS: Record<string, { ignore: string; files: Record<string, string> }> = {
  'multistage-python': { ignore: 'dockerignore-python', files: { 'requirements.txt': 'flask==3.0.0\n', 'app/__main__.py': 'print(1)\n', '.venv/bin/python': '', '__pycache__/x.pyc': '' } },
  'multistage-node-nginx': { ignore: 'dockerignore-node', files: { 'package.json': '{}', 'package-lock.json': '{}', 'src/main.js': '', 'node_modules/x/index.js': '', 'dist/index.html': '' } },
  'multistage-node': { ignore: 'dockerignore-node', files: { 'package.json': '{}', 'package-lock.json': '{}', 'src/server.ts': '', 'node_modules/x/index.js': '', 'dist/server.js': '' } },
  'multistage-go': { ignore: 'dockerignore-go', files: { 'go.mod': 'module x\n', 'go.sum': '', 'cmd/app/main.go': 'package main\n', 'bin/app': '' } },
  'multistage-java-maven': { ignore: 'dockerignore-java', files: { 'pom.xml': '<project/>', 'src/main/java/App.java': '', 'target/app.jar': '' } },
};

function isWholeDockerfile(text: string): boolean {
  return /^\s*(#\s*syntax=|FROM\s)/i.test(text);
}

describe('snippets', () => {
  before(() => initShellParser());

  it('every snippet has a unique prefix and a description', () => {
    for (const set of [DOCKERFILE_SNIPPETS, DOCKERIGNORE_SNIPPETS]) {
      const prefixes = Object.values(set).map((s) => s.prefix);
      assert.equal(new Set(prefixes).size, prefixes.length, `duplicate prefixes: ${prefixes.join(', ')}`);
      for (const [name, s] of Object.entries(set)) {
        assert.ok(s.description.length > 20, `${name} needs a description`);
        assert.ok(Array.isArray(s.body) && s.body.length > 0, `${name} needs a body`);
      }
    }
  });

  it('covers the patterns of issue 7', () => {
    const prefixes = new Set(Object.values(DOCKERFILE_SNIPPETS).map((s) => s.prefix));
    for (const p of [
      'multistage-python', 'multistage-node-nginx', 'multistage-node', 'multistage-go', 'multistage-java-maven',
      'apt-install', 'deps-npm', 'deps-pip', 'deps-go', 'deps-maven', 'user-debian', 'user-alpine',
      'healthcheck-curl', 'healthcheck-python', 'labels-oci', 'secret-mount', 'entrypoint-cmd',
    ]) assert.ok(prefixes.has(p), `missing snippet ${p}`);
    const ignores = new Set(Object.values(DOCKERIGNORE_SNIPPETS).map((s) => s.prefix));
    for (const p of ['dockerignore-node', 'dockerignore-python', 'dockerignore-go', 'dockerignore-java']) assert.ok(ignores.has(p), `missing snippet ${p}`);
  });

  it('expands placeholders to their defaults', () => {
    assert.equal(expandSnippet('FROM ${1:node}:${2:22} AS \\$x\nCMD ["$1", "${3|a,b|}"]$0'), 'FROM node:22 AS $x\nCMD ["node", "a"]');
    assert.equal(expandSnippet('${1:a ${2:b} c} $2'), 'a b c b');
  });

  for (const [prefix, project] of Object.entries(PROJECTS)) {
    it(`${prefix} with the ${project.ignore} .dockerignore lints clean in a typical ${project.ignore.replace('dockerignore-', '')} project`, () => {
      const snippet = Object.values(DOCKERFILE_SNIPPETS).find((s) => s.prefix === prefix)!;
      const ignore = Object.values(DOCKERIGNORE_SNIPPETS).find((s) => s.prefix === project.ignore)!;
      const text = expandSnippet(snippet.body.join('\n')) + '\n';
      const files = { ...CLUTTER, ...project.files, Dockerfile: text };
      const withIgnore = lint(text, memoryBuildContext(files, expandSnippet(ignore.body.join('\n')) + '\n'));
      assert.deepEqual(withIgnore.map((f) => `${f.line + 1}: ${f.code}: ${f.message}`), []);
      // Without it, a `COPY . .` sends .git, .env and dependencies to the build: the rules say so.
      if (/^COPY \. /m.test(text)) {
        const withoutIgnore = lint(text, memoryBuildContext(files));
        assert.ok(withoutIgnore.length > 0, 'the .dockerignore starter is what keeps this clean');
      }
    });
  }

  for (const [name, snippet] of Object.entries(DOCKERFILE_SNIPPETS)) {
    const expanded = expandSnippet(snippet.body.join('\n'));
    const whole = isWholeDockerfile(expanded);
    it(`${snippet.prefix} (${whole ? 'whole Dockerfile' : 'in a small Dockerfile'}) lints clean`, () => {
      const allowed = new Set(ALLOWED[snippet.prefix] ?? []);
      let findings: Finding[];
      if (whole) {
        findings = lint(expanded + '\n');
      } else {
        const text = HOST.replace('@SNIPPET@', expanded);
        const first = HOST.split('\n').indexOf('@SNIPPET@');
        const last = first + expanded.split('\n').length - 1;
        findings = lint(text).filter((f) => f.line >= first && f.line <= last);
      }
      const unexpected = findings.filter((f) => !allowed.has(f.code));
      assert.deepEqual(
        unexpected.map((f) => `${f.line + 1}: ${f.code}: ${f.message}`),
        [],
        `${name} (${snippet.prefix}):\n${expanded}`,
      );
    });
  }
});
