import type { Range, TextEdit } from 'vscode-languageserver-types';
import type { BuildContext } from '../model/build-context';
import type { Model } from '../model/model';

export type RuleSeverity = 'off' | 'info' | 'warning' | 'error';

/** The value formats of hadolint's label schema (rules/lib/label-schema.ts reads it). */
export type LabelType = 'text' | 'email' | 'rfc3339' | 'semver' | 'url' | 'hash' | 'spdx';

export type RuleCategory =
  | 'syntax' // what `docker build` rejects
  | 'layers' // image size and what ends up in a layer
  | 'cache' // build cache invalidation
  | 'package-manager' // apt, apk, pip, npm hygiene
  | 'security'
  | 'maintainability'
  | 'style';

export interface RuleAliases {
  /** hadolint codes, e.g. `DL3008`. */
  hadolint?: string[];
  /** BuildKit build-check name, e.g. `JSONArgsRecommended`. */
  buildkit?: string;
  trivy?: string;
  checkov?: string;
  dockle?: string;
}

export interface RuleMeta {
  /** kebab-case; equals the file name. */
  id: string;
  severity: RuleSeverity;
  category: RuleCategory;
  /** One line, shown in the rule table. */
  description: string;
  docs: {
    /** Why it matters: how images, layers and caches make this a problem. Markdown. */
    why: string;
    bad: string;
    good: string;
    /** The build context the examples assume (files by context-relative path, `.dockerignore` text). */
    context?: { files: Record<string, string>; dockerignore?: string };
    /** Configuration the examples assume (e.g. hadolint's trustedRegistries). */
    options?: {
      trustedRegistries?: string[];
      labelSchema?: Record<string, LabelType>;
      strictLabels?: boolean;
      /** What the local daemon has (keyed by `localImageKey`), for rules that read `RuleContext.images`. */
      images?: Record<string, LocalImageFacts | null>;
      daemonPlatform?: DaemonPlatform;
      /** What registries serve now, for rules that read `RuleContext.registryDigests`. */
      registryDigests?: Record<string, string>;
    };
  };
  /** Whether findings carry a fix, and whether that fix keeps behaviour (safe) or may change it (unsafe). */
  fix?: 'safe' | 'unsafe';
  aliases: RuleAliases;
  /** Peer test cases (file names in shared/corpus/peer-cases) where this rule disagrees on purpose, and why. */
  differences?: { case: string; reason: string }[];
}

export interface Fix {
  title: string;
  /** Safe fixes keep what the image does; unsafe ones may change it and are never part of fix-all. */
  safe: boolean;
  /** Edits of the Dockerfile itself. */
  edits: TextEdit[];
  /** Edits of other files, such as creating or extending `.dockerignore`. */
  files?: FileChange[];
}

export interface FileChange {
  /** Absolute path (build-context files: `path.join(ctx.buildContext.root, name)`). */
  path: string;
  /** The file does not exist yet and is created (then `edits` insert into the empty file). */
  create: boolean;
  edits: TextEdit[];
}

export interface Finding {
  range: Range;
  message: string;
  fixes?: Fix[];
}

export interface RuleOptions {
  /** Registries FROM may pull from (hadolint's `trustedRegistries`); empty means any. */
  trustedRegistries: string[];
  /** Codes of external checkers turned off in settings or `.hadolint.yaml` (`SC2086`), for rules that wrap them. */
  ignoredCodes: string[];
  /** hadolint's `label-schema`: label → the format of its value. The label rules do nothing without one. */
  labelSchema?: Record<string, LabelType>;
  /** hadolint's `strict-labels`: labels outside the schema are reported. */
  strictLabels?: boolean;
}

/** What the local Docker daemon has for an image reference (`GET /images/{name}/json`). */
export interface LocalImageFacts {
  id: string;
  os: string;
  architecture: string;
  variant?: string;
  /** `repo@sha256:…` references the image was pulled by or pushed as. */
  repoDigests: string[];
}

/** The daemon's own platform (`GET /version`): what a build without `--platform` targets. */
export interface DaemonPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface RuleContext {
  model: Model;
  /** The build context (the Dockerfile's folder by default); undefined for unsaved documents. */
  buildContext: BuildContext | undefined;
  options: RuleOptions;
  /**
   * Base images on the local daemon, by reference after ARG expansion (keyed by `localImageKey`);
   * null: the daemon has no such image. Undefined, or a reference missing, when no daemon was asked:
   * rules that need these facts then stay silent.
   */
  images?: ReadonlyMap<string, LocalImageFacts | null>;
  daemonPlatform?: DaemonPlatform;
  /**
   * The digest a base image's tag points to in its registry now (server/src/registry), keyed by
   * `localImageKey` of the reference without its digest. Undefined, or a reference missing, when no
   * registry was asked (the default: the user allows it): rules that need it then stay silent.
   */
  registryDigests?: ReadonlyMap<string, string>;
  report(finding: Finding): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

/** Declares a rule; `meta.id` must equal the file name (a test checks it). */
export function defineRule(meta: RuleMeta, check: (ctx: RuleContext) => void): Rule {
  return { meta, check };
}
