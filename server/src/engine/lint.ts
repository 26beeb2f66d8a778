import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { LayerwiseSettings } from '../config';
import { shellParserReady } from '../model/shell';
import type { BuildContext } from '../model/build-context';
import type { Model } from '../model/model';
import type { ParsedDocument } from './document';
import type { HadolintConfig } from './hadolint-config';
import type { RuleContext } from '../rules/rule';
import { runRuleSteps, type RuleConfig } from './rule-runner';
import { toRuleConfig } from './hadolint-config';
import { syntaxDiagnostics } from './syntax-validation';
import { applyBudget, documentTooLarge } from './budget';
import { drain, type Steps } from './cooperative';

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
  /** What registries serve now for the base images' tags (server/src/registry); absent: those rules stay silent. */
  registryDigests?: RuleContext['registryDigests'];
  /** The daemon and registry facts for the base images the model names (the server's caches), read once the model is built. */
  factsFor?: (model: Model) => Pick<LintEnvironment, 'images' | 'daemonPlatform' | 'registryDigests'>;
}

/** Every diagnostic the engine reports for one document version. */
export function lintDocument(doc: ParsedDocument, settings: LayerwiseSettings, env: LintEnvironment = {}): Diagnostic[] {
  return drain(lintSteps(doc, settings, env));
}

/** lintDocument in steps: the parse, the syntax checks, the model, each rule (see cooperative.ts). */
export function* lintSteps(doc: ParsedDocument, settings: LayerwiseSettings, env: LintEnvironment = {}): Steps<Diagnostic[]> {
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
  const tooLarge = documentTooLarge(doc.text);
  if (tooLarge) return [tooLarge];
  if (!shellParserReady()) throw new Error('lintDocument needs initShellParser() to have finished');
  void doc.dockerfile;
  yield;
  // The syntax checks read the model without build args: built here in steps, not at once inside them.
  if (settings.validation.enable) yield* doc.modelSteps();
  const syntax = settings.validation.enable ? syntaxDiagnostics(doc, (e) => env.onRuleError?.('syntax', e)) : [];
  yield;
  const config = env.ruleConfig ?? toRuleConfig(settings.rules, env.hadolint);
  const model = yield* doc.modelSteps(settings.buildArgs);
  yield;
  const facts = env.factsFor?.(model);
  const rules = yield* runRuleSteps(model, {
    config,
    buildContext: env.buildContext,
    onRuleError: env.onRuleError,
    images: facts?.images ?? env.images,
    daemonPlatform: facts?.daemonPlatform ?? env.daemonPlatform,
    registryDigests: facts?.registryDigests ?? env.registryDigests,
  });
  return applyBudget(model, [...syntax, ...rules]);
}
