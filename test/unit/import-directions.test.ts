import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

/**
 * The server's dependencies point one way: model ← rules (and refactor, which a rule uses) ←
 * engine (and the transport-free features beside it: cache, docker, analyze) ← server / cli. Type-only imports count:
 * a type that points up ties the layers as surely as a value does.
 */

const SRC = path.resolve('server/src');

const LAYERS: [RegExp, number, string][] = [
  [/^(model\/|config\.ts$)/, 0, 'model'],
  // Convert to multi-stage reads the model with the rules' helpers, and a rule offers it.
  [/^(rules|refactor)\//, 1, 'rules'],
  [/^(engine|cache|docker|analyze|registry)\//, 2, 'engine'],
  [/^(server|cli|main)\.ts$/, 3, 'server/cli'],
];

function layerOf(rel: string): { rank: number; name: string } {
  for (const [re, rank, name] of LAYERS) if (re.test(rel)) return { rank, name };
  throw new Error(`${rel} belongs to no layer: add it to LAYERS`);
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|require\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Relative imports of every source file, resolved to paths under server/src. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      const base = path.resolve(path.dirname(file), spec);
      const resolved = [`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
      if (resolved?.startsWith(SRC)) targets.push(path.relative(SRC, resolved));
    }
    graph.set(path.relative(SRC, file), targets);
  }
  return graph;
}

describe('import directions in server/src', () => {
  const graph = importGraph();

  it('finds the sources and their imports', () => {
    assert.ok(graph.size > 100);
    assert.ok(graph.get('server.ts')!.includes('engine/lint.ts'));
  });

  it('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      const a = layerOf(from);
      for (const to of targets) {
        const b = layerOf(to);
        if (b.rank > a.rank) upward.push(`${from} (${a.name}) imports ${to} (${b.name})`);
      }
    }
    assert.deepEqual(upward, []);
  });

  it('no import cycles between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const to of graph.get(f) ?? []) {
        if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' → '));
        else if (!state.has(to)) visit(to);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });
});
