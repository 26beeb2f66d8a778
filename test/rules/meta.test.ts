import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { registrySource, ruleFiles } from '../../scripts/gen-rules';
import { rulePage, ruleTablePage } from '../../scripts/gen-docs';
import { RULES } from '../../server/src/rules';
import { initShellParser } from '../../server/src/model/shell';
import { missingTool } from '../support/tools';
import { findingsOf } from './harness';

describe('every rule', () => {
  before(() => initShellParser());

  it('is registered (run `npm run gen` after adding one)', () => {
    assert.equal(fs.readFileSync('server/src/rules/index.ts', 'utf8'), registrySource());
    assert.deepEqual(RULES.map((r) => r.meta.id).sort(), ruleFiles());
  });

  for (const rule of RULES) {
    const m = rule.meta;
    describe(m.id, () => {
      it('is named by its file, in kebab-case, with a description and docs', () => {
        assert.match(m.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
        assert.ok(m.description.length > 10 && !m.description.includes('\n'));
        assert.ok(m.docs.why.length > 40, 'docs.why explains why it matters');
        assert.ok(m.docs.bad.trim() && m.docs.good.trim());
      });
      it('has a rule table test', () => assert.ok(fs.existsSync(path.join('test', 'rules', `${m.id}.test.ts`)), `test/rules/${m.id}.test.ts`));
      it('has a current docs page', () => assert.equal(fs.readFileSync(path.join('docs', 'rules', `${m.id}.md`), 'utf8'), rulePage(rule)));
      // The shellcheck rule runs the external shellcheck and reports nothing without it.
      const skip = m.id === 'shellcheck' ? missingTool('shellcheck') : false;
      it("its docs' bad example triggers it and its good example does not", { skip }, () => {
        const context = { ...(m.docs.context ?? {}), ...(m.docs.options ?? {}) };
        assert.ok(findingsOf(m.id, m.docs.bad + '\n', context).diagnostics.length > 0, 'bad example raises nothing');
        assert.deepEqual(findingsOf(m.id, m.docs.good + '\n', context).diagnostics.map((d) => d.message), [], 'good example raises something');
      });
    });
  }

  it('the rule table in docs/rules/README.md is current', () => {
    assert.equal(fs.readFileSync('docs/rules/README.md', 'utf8'), ruleTablePage());
  });

  it('no two rules share a hadolint code or BuildKit name', () => {
    const seen = new Map<string, string>();
    for (const r of RULES) {
      for (const a of [...(r.meta.aliases.hadolint ?? []), ...(r.meta.aliases.buildkit ? [r.meta.aliases.buildkit] : [])]) {
        assert.ok(!seen.has(a), `${a} is claimed by ${seen.get(a)} and ${r.meta.id}`);
        seen.set(a, r.meta.id);
      }
    }
  });
});
