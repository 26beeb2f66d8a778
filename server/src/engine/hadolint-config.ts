import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseLabelSchema, type LabelType } from '../rules/lib/label-schema';
import type { RuleSeverity } from '../rules/rule';
import type { RuleConfig } from './rule-runner';

/**
 * A team's `.hadolint.yaml`, honoured so Layerwise can be adopted without rewriting it:
 * `ignored`, `override` (error/warning/info/style), `trustedRegistries`, `failure-threshold`,
 * `label-schema` and `strict-labels`.
 */
export interface HadolintConfig {
  ignored: string[];
  override: Record<string, RuleSeverity>;
  trustedRegistries: string[];
  /** `label-schema`: label → value format (text, email, rfc3339, semver, url, hash, spdx). */
  labelSchema: Record<string, LabelType>;
  /** `strict-labels`: only the schema's labels are allowed. */
  strictLabels: boolean;
  failureThreshold: 'error' | 'warning' | 'info' | 'style' | 'ignore' | 'none' | undefined;
  path: string;
}

export const HADOLINT_CONFIG_NAMES = ['.hadolint.yaml', '.hadolint.yml'];

export function parseHadolintConfig(text: string, file: string): HadolintConfig {
  const raw: unknown = parse(text) ?? {};
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const override: Record<string, RuleSeverity> = {};
  const o = (typeof r.override === 'object' && r.override !== null ? r.override : {}) as Record<string, unknown>;
  const levels: [string, RuleSeverity][] = [
    ['error', 'error'],
    ['warning', 'warning'],
    ['info', 'info'],
    ['style', 'info'],
  ];
  for (const [key, severity] of levels) for (const code of strings(o[key])) override[code] = severity;
  const threshold = r['failure-threshold'];
  return {
    ignored: strings(r.ignored),
    override,
    trustedRegistries: strings(r.trustedRegistries),
    labelSchema: parseLabelSchema(r['label-schema']),
    strictLabels: r['strict-labels'] === true,
    failureThreshold: typeof threshold === 'string' ? (threshold as HadolintConfig['failureThreshold']) : undefined,
    path: file,
  };
}

/** The nearest `.hadolint.yaml` from `dir` up to `stopAt` (inclusive), if any. */
export function findHadolintConfig(dir: string, stopAt?: string): HadolintConfig | undefined {
  let current = path.resolve(dir);
  const stop = stopAt ? path.resolve(stopAt) : undefined;
  for (;;) {
    for (const name of HADOLINT_CONFIG_NAMES) {
      const p = path.join(current, name);
      // Asked on every open, once per folder up to the root: a missing file must not cost an exception.
      if (!fs.statSync(p, { throwIfNoEntry: false })?.isFile()) continue;
      let text: string;
      try {
        text = fs.readFileSync(p, 'utf8');
      } catch {
        continue;
      }
      return parseHadolintConfig(text, p);
    }
    const parent = path.dirname(current);
    if (parent === current || current === stop) return undefined;
    current = parent;
  }
}

export function toRuleConfig(rules: Record<string, RuleSeverity>, hadolint: HadolintConfig | undefined): RuleConfig {
  if (!hadolint) return { rules };
  const { ignored, override, trustedRegistries, labelSchema, strictLabels } = hadolint;
  const fromFile = { ignored, override, trustedRegistries, labelSchema, strictLabels };
  return { rules, hadolint: fromFile };
}
