import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/config';
import { memoryBuildContext } from '../../server/src/model/build-context';
import { lintDocument } from '../../server/src/engine/lint';
import { ruleById, type RuleDiagnosticData } from '../../server/src/engine/rule-runner';
import { initShellParser } from '../../server/src/model/shell';
import type { LabelType } from '../../server/src/rules/lib/label-schema';
import type { DaemonPlatform, LocalImageFacts } from '../../server/src/rules/rule';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { docOf } from '../support/docs';

/** A build context for a case: files by context-relative path, and `.dockerignore` text. */
export interface CaseContext {
  files?: Record<string, string>;
  dockerignore?: string;
}

/** What the local Docker daemon has, for rules that read `RuleContext.images` / `daemonPlatform`. */
export interface DaemonFacts {
  /** By reference (`localImageKey`); null: the daemon has no such image. */
  images?: Record<string, LocalImageFacts | null>;
  daemonPlatform?: DaemonPlatform;
  /** What registries serve now (`RuleContext.registryDigests`). */
  registryDigests?: Record<string, string>;
}

export interface ValidCase extends CaseContext, DaemonFacts {
  code: string;
  buildArgs?: Record<string, string>;
  trustedRegistries?: string[];
  /** hadolint's `label-schema` and `strict-labels`. */
  labelSchema?: Record<string, LabelType>;
  strictLabels?: boolean;
}

export interface ExpectedFinding {
  /** 1-based, like an editor shows them. */
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  message?: RegExp;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedFinding[];
  /** The text after applying the first fix of the first finding. */
  output?: string;
}

export interface RuleTable {
  valid: (string | ValidCase)[];
  invalid: InvalidCase[];
}

export function findingsOf(ruleId: string, text: string, c: Omit<ValidCase, 'code'> = {}) {
  const doc = docOf(text);
  const buildContext = c.files || c.dockerignore !== undefined ? memoryBuildContext(c.files ?? {}, c.dockerignore) : undefined;
  const errors: string[] = [];
  const hadolint =
    c.trustedRegistries || c.labelSchema || c.strictLabels
      ? { ignored: [], override: {}, trustedRegistries: c.trustedRegistries ?? [], labelSchema: c.labelSchema ?? {}, strictLabels: c.strictLabels ?? false }
      : undefined;
  const diagnostics = lintDocument(
    doc,
    { ...DEFAULT_SETTINGS, buildArgs: c.buildArgs ?? {} },
    {
      buildContext,
      ruleConfig: {
        rules: { [ruleId]: 'warning' },
        ...(hadolint ? { hadolint } : {}),
      },
      onRuleError: (r, e) => errors.push(`${r}: ${(e as Error).stack}`),
      ...(c.images ? { images: new Map(Object.entries(c.images)) } : {}),
      ...(c.daemonPlatform ? { daemonPlatform: c.daemonPlatform } : {}),
      ...(c.registryDigests ? { registryDigests: new Map(Object.entries(c.registryDigests)) } : {}),
    },
  ).filter((d) => d.code === ruleId);
  assert.deepEqual(errors, [], 'a rule threw');
  return { doc, diagnostics };
}

/**
 * eslint's RuleTester for Layerwise rules: every valid case must raise nothing, every invalid case
 * exactly the expected findings; each case runs again with CRLF line endings.
 */
export function ruleTable(ruleId: string, table: RuleTable): void {
  describe(`rule ${ruleId}`, () => {
    before(() => initShellParser());
    it('exists', () => assert.ok(ruleById(ruleId), `no rule ${ruleId}`));
    for (const eol of ['\n', '\r\n']) {
      const label = eol === '\n' ? '' : ' (CRLF)';
      table.valid.forEach((v, i) => {
        const c = typeof v === 'string' ? { code: v } : v;
        it(`valid #${i + 1}${label}: ${firstLine(c.code)}`, () => {
          const { diagnostics } = findingsOf(ruleId, c.code.replace(/\r?\n/g, eol), c);
          assert.deepEqual(diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`), []);
        });
      });
      table.invalid.forEach((c, i) => {
        it(`invalid #${i + 1}${label}: ${firstLine(c.code)}`, () => {
          const { doc, diagnostics } = findingsOf(ruleId, c.code.replace(/\r?\n/g, eol), c);
          const actual = diagnostics.map((d) => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1, message: d.message }));
          assert.equal(actual.length, c.errors.length, `expected ${c.errors.length} finding(s), got ${JSON.stringify(actual, null, 1)}`);
          c.errors.forEach((e, k) => {
            const a = actual[k]!;
            assert.equal(a.line, e.line, `line of finding ${k + 1}: ${JSON.stringify(a)}`);
            if (e.column !== undefined) assert.equal(a.column, e.column, `column of finding ${k + 1}: ${JSON.stringify(a)}`);
            if (e.endLine !== undefined) assert.equal(a.endLine, e.endLine, `endLine of finding ${k + 1}: ${JSON.stringify(a)}`);
            if (e.endColumn !== undefined) assert.equal(a.endColumn, e.endColumn, `endColumn of finding ${k + 1}: ${JSON.stringify(a)}`);
            if (e.message) assert.match(a.message, e.message);
          });
          if (c.output !== undefined) {
            const fix = (diagnostics[0]?.data as RuleDiagnosticData | undefined)?.fixes[0];
            assert.ok(fix, 'expected a fix');
            const fixed = TextDocument.applyEdits(doc.textDocument, fix.edits);
            assert.equal(fixed, c.output.replace(/\r?\n/g, eol));
          }
        });
      });
    }
  });
}

function firstLine(code: string): string {
  const lines = code.split(/\r?\n/).filter((l) => l.trim() && !/^FROM\s/i.test(l));
  return (lines[0] ?? code).slice(0, 60);
}

/** The cache mount fix: the text after it (LF and CRLF), unsafe, titled "(BuildKit)", and the rule quiet about that RUN afterwards. */
export function cacheMountCases(ruleId: string, cases: ({ code: string; output?: string; line?: number } & CaseContext)[]): void {
  describe(`${ruleId}: the cache mount fix`, () => {
    before(() => initShellParser());
    for (const [k, c] of cases.entries()) {
      for (const eol of ['\n', '\r\n']) {
        it(`#${k + 1}${eol === '\n' ? '' : ' (CRLF)'}: ${c.code.split('\n').slice(1).join(' ').slice(0, 60)}`, () => {
          const code = c.code.replace(/\n/g, eol);
          const { doc, diagnostics } = findingsOf(ruleId, code, c);
          const d = diagnostics.find((x) => x.range.start.line + 1 === (c.line ?? x.range.start.line + 1))!;
          const fix = (d.data as RuleDiagnosticData).fixes.find((f) => /cache mount/.test(f.title));
          if (c.output === undefined) return assert.equal(fix, undefined);
          assert.ok(fix, 'expected a cache mount fix');
          assert.equal(fix.safe, false);
          assert.match(fix.title, /\(BuildKit\)$/);
          const fixed = TextDocument.applyEdits(doc.textDocument, fix.edits);
          assert.equal(fixed, c.output.replace(/\n/g, eol));
          const line = d.range.start.line;
          assert.deepEqual(findingsOf(ruleId, fixed, c).diagnostics.filter((x) => x.range.start.line === line).map((x) => x.message), []);
        });
      }
    }
  });
}
