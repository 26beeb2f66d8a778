import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { LayerwiseSettings } from '../config';
import { shellParserReady } from '../model/shell';
import type { BuildContext } from '../model/build-context';
import type { ParsedDocument } from './document';
import type { HadolintConfig } from './hadolint-config';
import type { RuleContext } from '../rules/rule';
import { runRules, type RuleConfig } from './rule-runner';
import { toRuleConfig } from './hadolint-config';
import { syntaxDiagnostics } from './syntax-validation';
import { applyBudget } from './budget';

/** Files with a NUL byte in their first 8 KiB are treated as binary and not analysed. */
export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

export interface LintEnvironment {
  buildContext?: BuildContext | undefined;
  hadolint?: HadolintConfig | undefined;
  /** Overrides the configuration derived from settings and `.hadolint.yaml` (tests, `--enable-all`). */
  ruleConfig?: RuleConfig;
  onRuleError?: (rule: string, error: unknown) => void;
  /** What the local Docker daemon has for the base images (server/src/docker/image-facts.ts); absent: those rules stay silent. */
  images?: RuleContext['images'];
  daemonPlatform?: RuleContext['daemonPlatform'];
}

/** Every diagnostic the engine reports for one document version. */
export function lintDocument(doc: ParsedDocument, settings: LayerwiseSettings, env: LintEnvironment = {}): Diagnostic[] {
  if (looksBinary(doc.text)) {
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        source: 'layerwise',
        code: 'binary-file',
        message: 'This file looks binary (it contains NUL bytes), so Layerwise does not analyse it.',
      },
    ];
  }
  if (!shellParserReady()) throw new Error('lintDocument needs initShellParser() to have finished');
  const syntax = settings.validation.enable ? syntaxDiagnostics(doc, (e) => env.onRuleError?.('syntax', e)) : [];
  const config = env.ruleConfig ?? toRuleConfig(settings.rules, env.hadolint);
  const model = doc.model(settings.buildArgs);
  const rules = runRules(model, {
    config,
    buildContext: env.buildContext,
    onRuleError: env.onRuleError,
    images: env.images,
    daemonPlatform: env.daemonPlatform,
  });
  return applyBudget(model, [...syntax, ...rules]);
}
