import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { Model } from '../model/model';
import { RULES } from '../rules';
import type { LabelType } from '../rules/lib/label-schema';
import type { Fix, Rule, RuleContext, RuleOptions, RuleSeverity } from '../rules/rule';
import type { BuildContext } from '../model/build-context';
import { ruleDocsUri } from './rule-docs';
import { drain, type Steps } from './cooperative';


export interface RuleConfig {
  /** Rule id or alias → severity, from settings or the command line. */
  rules: Record<string, RuleSeverity>;
  /** From `.hadolint.yaml`: aliases or ids turned off, and severity overrides. */
  hadolint?: {
    ignored: string[];
    override: Record<string, RuleSeverity>;
    trustedRegistries: string[];
    labelSchema?: Record<string, LabelType>;
    strictLabels?: boolean;
  };
  /** Turn every rule on (at least info) whatever its default: the peer-case test does. */
  enableAll?: boolean;
}

/** What a diagnostic of a rule carries in `data`, for code actions and the command line. */
export interface RuleDiagnosticData {
  rule: string;
  aliases: string[];
  fixes: Fix[];
}

const BY_ID = new Map<string, Rule>(RULES.map((r) => [r.meta.id, r]));
const BY_ALIAS = new Map<string, Rule[]>();
for (const rule of RULES) {
  for (const alias of aliasesOf(rule)) {
    const key = alias.toLowerCase();
    BY_ALIAS.set(key, [...(BY_ALIAS.get(key) ?? []), rule]);
  }
}

export function aliasesOf(rule: Rule): string[] {
  const a = rule.meta.aliases;
  return [...(a.hadolint ?? []), ...(a.buildkit ? [a.buildkit] : []), ...(a.trivy ? [a.trivy] : []), ...(a.checkov ? [a.checkov] : []), ...(a.dockle ? [a.dockle] : [])];
}

/** The rules a name means: a rule id, or every rule carrying that alias. */
export function rulesNamed(name: string): Rule[] {
  const byId = BY_ID.get(name);
  if (byId) return [byId];
  return BY_ALIAS.get(name.toLowerCase()) ?? [];
}

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

function severityOf(rule: Rule, model: Model, config: RuleConfig, configured: boolean): RuleSeverity {
  let severity = rule.meta.severity;
  if (!configured && !model.checkDirective) return config.enableAll && severity === 'off' ? 'info' : severity;
  const names = [rule.meta.id, ...aliasesOf(rule)];
  const hit = (map: Record<string, RuleSeverity>): RuleSeverity | undefined => {
    for (const n of names) {
      const v = map[n] ?? map[n.toLowerCase()] ?? map[n.toUpperCase()];
      if (v) return v;
    }
    return undefined;
  };
  if (config.hadolint) {
    if (names.some((n) => config.hadolint!.ignored.includes(n))) severity = 'off';
    severity = hit(config.hadolint.override) ?? severity;
  }
  const check = model.checkDirective;
  const bk = rule.meta.aliases.buildkit;
  if (check && bk) {
    if (check.skip === 'all' || check.skip.includes(bk)) severity = 'off';
    else if (check.error && severity !== 'off') severity = 'error';
  }
  if (config.enableAll && severity === 'off') severity = 'info';
  // An explicit setting wins, even over enableAll.
  severity = hit(config.rules) ?? severity;
  return severity;
}

/** Rule ids suppressed by comments: per instruction start line, and for the whole file. */
function suppressions(model: Model): { byLine: Map<number, Set<string>>; global: Set<string> } {
  const global = new Set<string>();
  const byLine = new Map<number, Set<string>>();
  const commentLines = new Map(model.comments.map((c) => [c.line, c.text]));
  const names = (list: string): string[] =>
    list
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap((n) => rulesNamed(n).map((r) => r.meta.id));
  for (const c of model.comments) {
    const g = /^\s*(?:layerwise|hadolint)\s+global\s+ignore\s*=\s*([^#]*)/i.exec(c.text);
    if (g) for (const id of names(g[1]!)) global.add(id);
  }
  const all = model.instructions.flatMap((i) => (i.trigger ? [i, i.trigger] : [i]));
  for (const inst of all) {
    const line = inst.range.start.line;
    const ids = new Set<string>();
    for (let l = line - 1; l >= 0 && commentLines.has(l); l--) {
      const m = /^\s*(?:layerwise|hadolint)\s+ignore\s*=\s*([^#]*)/i.exec(commentLines.get(l)!);
      if (m) for (const id of names(m[1]!)) ids.add(id);
    }
    if (ids.size) byLine.set(line, ids);
  }
  return { byLine, global };
}

const SEVERITY: Record<Exclude<RuleSeverity, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export interface RunRulesOptions {
  config: RuleConfig;
  buildContext: BuildContext | undefined;
  onRuleError?: (rule: string, error: unknown) => void;
  images?: RuleContext['images'];
  daemonPlatform?: RuleContext['daemonPlatform'];
  registryDigests?: RuleContext['registryDigests'];
}

export function runRules(model: Model, options: RunRulesOptions): Diagnostic[] {
  return drain(runRuleSteps(model, options));
}

/** runRules, yielding after each rule (see cooperative.ts). */
export function* runRuleSteps(model: Model, { config, buildContext, onRuleError, images, daemonPlatform, registryDigests }: RunRulesOptions): Steps<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const { byLine, global } = suppressions(model);
  const instructionStarts = model.instructions.flatMap((i) => (i.trigger ? [i.range.start.line] : [i.range.start.line])).sort((a, b) => a - b);
  const instructionAt = (line: number): number | undefined => {
    let lo = 0;
    let hi = instructionStarts.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (instructionStarts[mid]! <= line) {
        found = instructionStarts[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const external = (names: string[]): string[] => names.filter((n) => !rulesNamed(n).length).map((n) => n.toUpperCase());
  const options: RuleOptions = {
    trustedRegistries: config.hadolint?.trustedRegistries ?? [],
    ignoredCodes: [...external(Object.keys(config.rules).filter((k) => config.rules[k] === 'off')), ...external(config.hadolint?.ignored ?? [])],
    labelSchema: config.hadolint?.labelSchema ?? {},
    strictLabels: config.hadolint?.strictLabels ?? false,
  };
  const configured = Object.keys(config.rules).length > 0 || config.hadolint !== undefined;
  for (const rule of RULES) {
    const severity = severityOf(rule, model, config, configured);
    if (severity === 'off' || global.has(rule.meta.id)) continue;
    const aliases = aliasesOf(rule);
    const report = (f: { range: Diagnostic['range']; message: string; fixes?: Fix[] }): void => {
      const start = instructionAt(f.range.start.line);
      if (start !== undefined && byLine.get(start)?.has(rule.meta.id)) return;
      const data: RuleDiagnosticData = { rule: rule.meta.id, aliases, fixes: f.fixes ?? [] };
      out.push({
        range: f.range,
        severity: SEVERITY[severity],
        code: rule.meta.id,
        codeDescription: { href: ruleDocsUri(rule.meta.id) },
        source: 'layerwise',
        message: f.message,
        data,
      });
    };
    try {
      rule.check({ model, buildContext, options, report, images, daemonPlatform, registryDigests });
    } catch (e) {
      onRuleError?.(rule.meta.id, e);
    }
    yield;
  }
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return out;
}
