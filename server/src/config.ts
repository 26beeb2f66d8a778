/**
 * Every `layerwise.*` setting, declared once. The manifest's `contributes.configuration`
 * is generated from this table (`npm run gen`), and a test fails when the two drift apart,
 * so the client, the server and the settings UI always agree on names, types and defaults.
 */

export type Severity = 'off' | 'info' | 'warning' | 'error';
export const SEVERITIES: readonly Severity[] = ['off', 'info', 'warning', 'error'];

export interface LayerwiseSettings {
  /** Report the syntax and semantic checks of `dockerfile-utils` (unknown instructions, bad flags, ...). */
  validation: { enable: boolean };
  /** Per-rule severity overrides, rule id (or alias) → severity. */
  rules: Record<string, Severity>;
  /** Values for `ARG`s that have no default, as `--build-arg` would give them. */
  buildArgs: Record<string, string>;
  formatter: { ignoreMultilineInstructions: boolean };
  completion: { registryTags: boolean };
  docker: DockerSettings;
  cache: CacheSettings;
  inlayHints: InlayHintSettings;
  layers: { display: LayersDisplay };
  registry: RegistrySettings;
}

/** Asking image registries about base images (server/src/registry): nothing is sent unless `enabled`. */
export interface RegistrySettings {
  enabled: boolean;
  /** Registries or repositories never asked (`ghcr.io`, `registry.corp:5000`, `ghcr.io/org/*`, `alpine`). */
  exclude: string[];
}

/** Inline hints; VS Code's own `editor.inlayHints.enabled` turns them all off in the editor. */
export interface InlayHintSettings {
  /** The value a variable has where it is used (`= 20.11.1`, or `= ?` with the reason). */
  variables: boolean;
  /** The stage `FROM <stage>` and `COPY --from` resolve to. */
  stages: boolean;
}

/** Where the layer sizes (and the re-run shares of `cache.codeLens`) go: above the line, at its end, both, nowhere. */
export type LayersDisplay = 'lens' | 'inline' | 'both' | 'off';
export const LAYERS_DISPLAYS: readonly LayersDisplay[] = ['lens', 'inline', 'both', 'off'];

export interface CacheSettings {
  /** Build-cache figures from the git history: hover, status bar, the effect of cache fixes. */
  enable: boolean;
  /** How many commits of history the re-run shares count. */
  commits: number;
  /** Also show them as a CodeLens part above each instruction. */
  codeLens: boolean;
}

export type DockerBuilder = 'auto' | 'buildkit' | 'classic';
export const DOCKER_BUILDERS: readonly DockerBuilder[] = ['auto', 'buildkit', 'classic'];

export interface DockerSettings {
  /** Daemon address (`unix://`, `tcp://`, `ssh://`, `npipe://`); empty: DOCKER_HOST, the docker context, the default socket. */
  host: string;
  /** The image the layer lenses read and Build Image tags; empty: found among local images. */
  image: string;
  /** The stage Build Image builds and the lenses show; empty: the final stage. */
  target: string;
  builder: DockerBuilder;
  /** Show layer sizes above instructions. */
  codeLens: boolean;
  /** Ask the daemon about base images (platform, digests) for the rules that need it. */
  baseImageChecks: boolean;
}

export const DEFAULT_SETTINGS: LayerwiseSettings = {
  validation: { enable: true },
  rules: {},
  buildArgs: {},
  formatter: { ignoreMultilineInstructions: false },
  completion: { registryTags: true },
  docker: { host: '', image: '', target: '', builder: 'auto', codeLens: true, baseImageChecks: true },
  cache: { enable: true, commits: 200, codeLens: false },
  inlayHints: { variables: true, stages: true },
  layers: { display: 'lens' },
  registry: { enabled: false, exclude: [] },
};

const MAX_CACHE_COMMITS = 100_000;

interface SettingSchema {
  type: string;
  default: unknown;
  description: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  additionalProperties?: unknown;
  items?: unknown;
  scope: 'resource' | 'window';
}

/** Dotted key (below `layerwise.`) → JSON schema; the manifest is generated from this. */
export const SETTINGS_SCHEMA: Record<string, SettingSchema> = {
  'validation.enable': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.validation.enable,
    description: 'Report syntax errors and instruction checks (unknown instructions, invalid flags, malformed JSON).',
    scope: 'resource',
  },
  rules: {
    type: 'object',
    default: DEFAULT_SETTINGS.rules,
    additionalProperties: { type: 'string', enum: SEVERITIES },
    description: 'Severity per rule: a rule id or alias (such as DL3008) mapped to "off", "info", "warning" or "error".',
    scope: 'resource',
  },
  buildArgs: {
    type: 'object',
    default: DEFAULT_SETTINGS.buildArgs,
    additionalProperties: { type: 'string' },
    description: 'Build-arg values used to resolve ARGs without defaults, as `docker build --build-arg` would.',
    scope: 'resource',
  },
  'formatter.ignoreMultilineInstructions': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.formatter.ignoreMultilineInstructions,
    description: 'Leave instructions that span several lines untouched when formatting.',
    scope: 'resource',
  },
  'completion.registryTags': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.completion.registryTags,
    description: 'Complete image tags in FROM by asking Docker Hub (sends the image name to Docker Hub).',
    scope: 'resource',
  },
  'docker.codeLens': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.docker.codeLens,
    description: 'Show above each instruction the size its layer added to the image built from this Dockerfile, read from the local Docker daemon.',
    scope: 'resource',
  },
  'docker.baseImageChecks': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.docker.baseImageChecks,
    description:
      'Ask the local Docker daemon about the base images FROM names (platform, digests), for invalid-base-image-platform and the "pin to the local digest" fix. Off: those stay silent.',
    scope: 'resource',
  },
  'docker.host': {
    type: 'string',
    default: DEFAULT_SETTINGS.docker.host,
    description:
      'Docker daemon address, such as `unix:///var/run/docker.sock`, `tcp://host:2376` (TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH) or `ssh://user@host`. Empty: DOCKER_HOST, then the current docker context, then the default socket.',
    scope: 'resource',
  },
  'docker.image': {
    type: 'string',
    default: DEFAULT_SETTINGS.docker.image,
    description:
      'The image (`repo:tag`) whose layers the lenses show and that Build Image tags. A `# layerwise image=repo:tag` comment in the Dockerfile wins. Empty: the most recent local image built from the Dockerfile.',
    scope: 'resource',
  },
  'docker.target': {
    type: 'string',
    default: DEFAULT_SETTINGS.docker.target,
    description: 'The stage Build Image builds (`--target`) and the lenses show. A `# layerwise target=stage` comment wins. Empty: the final stage.',
    scope: 'resource',
  },
  'docker.builder': {
    type: 'string',
    default: DEFAULT_SETTINGS.docker.builder,
    enum: DOCKER_BUILDERS,
    description: 'How Build Image builds: "buildkit", "classic" (the legacy builder), or "auto" (BuildKit where the daemon has it).',
    scope: 'resource',
  },
  'cache.enable': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.cache.enable,
    description:
      'Show how often each instruction re-runs, from the git history of the repository (hover, status bar, and the effect of the lockfile-order and apt fixes), and the expected rebuild time from builds run from the editor.',
    scope: 'resource',
  },
  'cache.commits': {
    type: 'integer',
    default: DEFAULT_SETTINGS.cache.commits,
    minimum: 1,
    maximum: MAX_CACHE_COMMITS,
    description: 'How many commits of history (the first-parent chain of HEAD) the re-run shares count.',
    scope: 'resource',
  },
  'cache.codeLens': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.cache.codeLens,
    description: 'Also show above each instruction how often it re-runs and what its last build took ("re-runs on 87% of commits · 41 s").',
    scope: 'resource',
  },
  'inlayHints.variables': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.inlayHints.variables,
    description:
      'Show after each variable use the value it has there (`= 20.11.1`), from ARG defaults, `layerwise.buildArgs` and ENV, or `= ?` with the reason when it cannot be known before the build. VS Code shows inline hints only while `editor.inlayHints.enabled` allows.',
    scope: 'resource',
  },
  'inlayHints.stages': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.inlayHints.stages,
    description: 'Show after `FROM <stage>`, `COPY --from=<stage>` and a RUN mount\'s `from=` the stage it resolves to (`→ stage 0 "build" (line 1)`).',
    scope: 'resource',
  },
  'layers.display': {
    type: 'string',
    default: DEFAULT_SETTINGS.layers.display,
    enum: LAYERS_DISPLAYS,
    description:
      'Where the layer sizes (and, with `layerwise.cache.codeLens`, the re-run shares) appear: "lens" above each instruction, "inline" at its end (an inline hint), "both", or "off".',
    scope: 'resource',
  },
  'registry.enabled': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.registry.enabled,
    description:
      "Ask the base images' registries (with no pull) for their compressed size, layer count, platforms and current digest, newer tags and smaller variants: a FROM lens and hover before any build, code actions to change the tag, real digests to pin. Sends the image names (and the credentials of your Docker config for those registries) to each registry FROM names; never for stages or `layerwise.registry.exclude`.",
    scope: 'resource',
  },
  'registry.exclude': {
    type: 'array',
    items: { type: 'string' },
    default: DEFAULT_SETTINGS.registry.exclude,
    description: 'Registries or repositories never asked, even with `layerwise.registry.enabled`: `registry.corp:5000`, `ghcr.io/org/*`, `*.internal`, `alpine`.',
    scope: 'resource',
  },
  'trace.server': {
    type: 'string',
    default: 'off',
    enum: ['off', 'messages', 'verbose'],
    description: 'Log the messages between VS Code and the Layerwise language server to its output channel.',
    scope: 'window',
  },
};

/** Shapes an untrusted settings object (from the client or a config file) into `LayerwiseSettings`. */
export function normalizeSettings(raw: unknown): LayerwiseSettings {
  const r = isRecord(raw) ? raw : {};
  const validation = isRecord(r.validation) ? r.validation : {};
  const formatter = isRecord(r.formatter) ? r.formatter : {};
  const completion = isRecord(r.completion) ? r.completion : {};
  const docker = isRecord(r.docker) ? r.docker : {};
  const cache = isRecord(r.cache) ? r.cache : {};
  const inlayHints = isRecord(r.inlayHints) ? r.inlayHints : {};
  const layers = isRecord(r.layers) ? r.layers : {};
  const registry = isRecord(r.registry) ? r.registry : {};
  const rules: Record<string, Severity> = {};
  if (isRecord(r.rules)) {
    for (const [k, v] of Object.entries(r.rules)) {
      if (typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v)) rules[k] = v as Severity;
    }
  }
  const buildArgs: Record<string, string> = {};
  if (isRecord(r.buildArgs)) {
    for (const [k, v] of Object.entries(r.buildArgs)) if (typeof v === 'string') buildArgs[k] = v;
  }
  return {
    validation: { enable: bool(validation.enable, DEFAULT_SETTINGS.validation.enable) },
    rules,
    buildArgs,
    formatter: {
      ignoreMultilineInstructions: bool(formatter.ignoreMultilineInstructions, DEFAULT_SETTINGS.formatter.ignoreMultilineInstructions),
    },
    completion: { registryTags: bool(completion.registryTags, DEFAULT_SETTINGS.completion.registryTags) },
    docker: {
      host: str(docker.host).trim(),
      image: str(docker.image).trim(),
      target: str(docker.target).trim(),
      builder: (DOCKER_BUILDERS as readonly unknown[]).includes(docker.builder) ? (docker.builder as DockerBuilder) : DEFAULT_SETTINGS.docker.builder,
      codeLens: bool(docker.codeLens, DEFAULT_SETTINGS.docker.codeLens),
      baseImageChecks: bool(docker.baseImageChecks, DEFAULT_SETTINGS.docker.baseImageChecks),
    },
    cache: {
      enable: bool(cache.enable, DEFAULT_SETTINGS.cache.enable),
      commits:
        typeof cache.commits === 'number' && Number.isInteger(cache.commits) && cache.commits >= 1
          ? Math.min(cache.commits, MAX_CACHE_COMMITS)
          : DEFAULT_SETTINGS.cache.commits,
      codeLens: bool(cache.codeLens, DEFAULT_SETTINGS.cache.codeLens),
    },
    inlayHints: {
      variables: bool(inlayHints.variables, DEFAULT_SETTINGS.inlayHints.variables),
      stages: bool(inlayHints.stages, DEFAULT_SETTINGS.inlayHints.stages),
    },
    layers: {
      display: (LAYERS_DISPLAYS as readonly unknown[]).includes(layers.display) ? (layers.display as LayersDisplay) : DEFAULT_SETTINGS.layers.display,
    },
    registry: {
      enabled: bool(registry.enabled, DEFAULT_SETTINGS.registry.enabled),
      exclude: Array.isArray(registry.exclude) ? registry.exclude.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [],
    },
  };
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
