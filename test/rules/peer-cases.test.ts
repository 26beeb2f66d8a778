import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { memoryBuildContext } from '../../server/src/model/build-context';
import { lintDocument } from '../../server/src/engine/lint';
import { rulesNamed } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import { RULES } from '../../server/src/rules';
import { CORPUS } from '../support/corpus';
import { docOf } from '../support/docs';

/**
 * hadolint's and BuildKit's own test cases (shared/corpus/peer-cases): the rule carrying the
 * peer's code must trigger on "triggers" files and stay quiet on "clean" ones. Where we differ on
 * purpose, the rule says so in `meta.differences` (and its docs page shows it).
 */
const DIR = path.join(CORPUS, 'peer-cases');

/** Peer rules we do not carry, and why. */
const NOT_APPLICABLE: Record<string, string> = {};

/** BuildKit's CopyIgnoredFile examples assume this .dockerignore (see the corpus README). */
const CASE_CONTEXT: Record<string, { dockerignore: string }> = { 'BK-CopyIgnoredFile': { dockerignore: '*/tmp/*\n' } };

interface Case {
  file: string;
  code: string;
  expect: 'triggers' | 'clean';
  text: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  const read = (dir: string, f: string): void => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const m = /#\s*expect:\s*(\S+)\s+(triggers|clean)/.exec(text);
    if (!m) return;
    out.push({ file: f, code: m[1]!, expect: m[2] as Case['expect'], text });
  };
  for (const f of fs.readdirSync(DIR).filter((f) => /^(DL|BK-).*\.Dockerfile$/.test(f))) read(DIR, f);
  for (const f of fs.readdirSync(path.join(DIR, 'directive-sensitive')).filter((f) => /^(DL|BK-).*\.Dockerfile$/.test(f))) read(path.join(DIR, 'directive-sensitive'), f);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

describe('peer test cases (hadolint, BuildKit checks)', () => {
  before(() => initShellParser());

  for (const tool of ['hadolint', 'buildkit'] as const) {
    it(`agree with ${tool} on at least 95% of its cases; every disagreement is declared`, () => {
      // PEER_CODES=DL3008,BK-StageNameCasing narrows the run to some codes and prints every case.
      const only = process.env.PEER_CODES?.split(',').map((s) => s.trim());
      const all = cases().filter((c) => (tool === 'hadolint' ? c.code.startsWith('DL') : c.code.startsWith('BK-'))).filter((c) => !only || only.includes(c.code));
      if (only && !all.length) return;
      assert.ok(only || all.length > 50);
      const declared = new Map<string, string>();
      for (const r of RULES) for (const d of r.meta.differences ?? []) declared.set(d.case, d.reason);
      let agree = 0;
      const undeclared: string[] = [];
      const missingRules = new Set<string>();
      for (const c of all) {
        const name = c.code.replace(/^BK-/, '');
        const rules = rulesNamed(name);
        if (!rules.length) {
          if (!NOT_APPLICABLE[name]) missingRules.add(name);
          continue;
        }
        const ids = new Set(rules.map((r) => r.meta.id));
        const ctx = CASE_CONTEXT[c.code];
        const diagnostics = lintDocument(docOf(c.text), DEFAULT_SETTINGS, {
          buildContext: ctx ? memoryBuildContext({}, ctx.dockerignore) : undefined,
          ruleConfig: { rules: {}, enableAll: true },
        });
        const triggered = diagnostics.some((d) => typeof d.code === 'string' && ids.has(d.code));
        if (only) console.log(`${triggered === (c.expect === 'triggers') ? 'agree   ' : 'DISAGREE'} ${c.file} (expect ${c.expect})`);
        if (triggered === (c.expect === 'triggers')) agree++;
        else if (!declared.has(c.file)) undeclared.push(`${c.file}: expected ${c.expect}, ${[...ids].join('/')} ${triggered ? 'triggered' : 'stayed quiet'}`);
      }
      const applicable = all.filter((c) => !NOT_APPLICABLE[c.code.replace(/^BK-/, '')]);
      const share = agree / applicable.length;
      console.log(`${tool}: agree on ${agree}/${applicable.length} cases (${(share * 100).toFixed(1)}%)`);
      assert.deepEqual([...missingRules].sort(), [], `no rule carries these ${tool} codes (add a rule or list it in NOT_APPLICABLE)`);
      assert.deepEqual(undeclared, [], 'undeclared disagreements');
      if (only) return;
      assert.ok(share >= 0.95, `agreement ${(share * 100).toFixed(1)}% is under 95%`);
    });
  }
});
