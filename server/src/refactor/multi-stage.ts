import { CodeActionKind, type CodeAction, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver-types';
import type { BuildContext } from '../model/build-context';
import { declarations, type Inst, type Model, type Stage } from '../model/model';
import { varRefs } from '../rules/lib/buildkit-checks';
import { workdirAt } from '../rules/lib/language-packages';
import { continuationStyle, eolOf, insertAt } from '../rules/lib/rewrite';
import {
  buildSteps,
  contextCopies,
  envPairs,
  isSetupRun,
  modifiedPaths,
  ownersOf,
  programOf,
  within,
  writtenPaths,
  type Ecosystem,
  type ScanEnv,
  type Step,
} from './analysis';
import { describeBuilder, distrolessImage, runtimeImageFor, type BuilderImage } from './bases';
import { installCommands, installedPackages, isToolchainPackage, runtimePackages } from './packages';
import { binaryPlan, isPipSelfUpgrade, javaPlan, nodePlan, pythonPlan, STAGE, type Artifact, type Plan, type PlanInput, type PlanResult } from './plans';

/**
 * "Convert to multi-stage build": splits a single-stage Dockerfile that builds something into a
 * named build stage and a runtime stage that starts from the same distribution without the toolchain
 * and copies only what the program needs. Pure functions from the model to text edits; the edits keep
 * comments, the escape character, CRLF and the file's continuation style. Where what to copy cannot be
 * determined, the answer is a question (a quick pick of candidate paths), never a guess.
 */

export type RuntimeVariant = 'runtime' | 'distroless' | 'scratch' | 'nginx';

export interface MultiStageEnv {
  /** The build context, to read package.json, Cargo.toml, go.mod, tsconfig.json. */
  buildContext?: BuildContext | undefined;
  buildArgs?: Record<string, string>;
  /**
   * Overrides the runtime base the conversion picks: an image for the default variant, or a function of
   * the proposed image and the variant (return undefined to keep it). Tests map to local images with it.
   */
  runtimeBase?: string | ((proposed: string, variant: RuntimeVariant) => string | undefined);
}

export interface MultiStageOptions extends MultiStageEnv {
  /** Which runtime stage (default: the first one offered). */
  variant?: RuntimeVariant;
  /** The path(s) in the build stage to copy, as the user picked them when the conversion asked. */
  artifact?: string | string[];
  /** Name of the build stage (default `build`, or the name the stage already has). */
  stageName?: string;
}

export interface Conversion {
  variant: RuntimeVariant;
  /** The runtime stage's base image. */
  image: string;
  title: string;
  edits: TextEdit[];
}

export type Analysis =
  | { kind: 'convert'; conversions: Conversion[] }
  /** What to copy is not known: ask, offering these paths. */
  | { kind: 'ask'; reason: string; candidates: string[] }
  | { kind: 'none'; reason: string };

/** The command a client runs for the question: show a quick pick of `candidates`, then apply {@link convertToMultiStage} with the pick. */
export const CONVERT_TO_MULTI_STAGE_COMMAND = 'layerwise.convertToMultiStage';

export interface ConvertToMultiStageArgs {
  uri: string;
  version: number;
  /** Why the conversion asks. */
  reason: string;
  /** Paths in the build stage to offer, best first. */
  candidates: string[];
}

const TITLE = 'Convert to a multi-stage build';

/** Keywords that only describe the image: they move to the runtime stage. */
const METADATA = new Set(['CMD', 'ENTRYPOINT', 'EXPOSE', 'HEALTHCHECK', 'STOPSIGNAL', 'LABEL', 'MAINTAINER']);
/** Keywords that affect later build steps and the running container: kept in the build stage, repeated in the runtime stage. */
const CARRIED = new Set(['USER', 'SHELL', 'VOLUME', 'ENV', 'WORKDIR', 'ARG']);

/** Environment variables that only matter while building. */
const BUILD_ONLY_ENV =
  /^(CGO_ENABLED|CGO_[A-Z]+FLAGS|GOOS|GOARCH|GOARM|GOAMD64|GOPATH|GOBIN|GOFLAGS|GOPROXY|GOPRIVATE|GONOSUMDB|GONOPROXY|GOSUMDB|GOINSECURE|GO111MODULE|GOCACHE|GOMODCACHE|GOTOOLCHAIN|GOEXPERIMENT|CARGO_[A-Z0-9_]*|RUSTUP_[A-Z0-9_]*|RUSTFLAGS|RUSTDOCFLAGS|RUSTC_WRAPPER|RUSTC|CC|CXX|CPP|LD|AR|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MAKEFLAGS|CMAKE_[A-Z0-9_]*|PKG_CONFIG_PATH|DEBIAN_FRONTEND|DEBCONF_[A-Z_]*|MAVEN_[A-Z_]*|M2_HOME|M2|GRADLE_[A-Z_]*|NPM_CONFIG_[A-Z0-9_]*|npm_config_\w*|YARN_[A-Z0-9_]*|PNPM_[A-Z0-9_]*|POETRY_[A-Z0-9_]*|UV_[A-Z0-9_]*|PIPENV_[A-Z0-9_]*)$/;
/** PATH entries of toolchains. */
const TOOLCHAIN_PATH = /^(\/usr\/local\/go\/bin|\/usr\/lib\/go[\w.-]*\/bin|\$\{?GOPATH\}?\/bin|\$\{?GOROOT\}?\/bin|\/usr\/local\/cargo\/bin|\$\{?CARGO_HOME\}?\/bin|(\/root|\$\{?HOME\}?)\/\.cargo\/bin|\/opt\/maven\/bin|\/usr\/share\/maven\/bin|\$\{?(MAVEN_HOME|M2_HOME|GRADLE_HOME)\}?\/bin|\/opt\/gradle[\w.-]*\/bin|\$\{?PATH\}?)$/;
/** Users every image has, or that distroless images define. */
const KNOWN_USERS = /^(root|0|nobody|nonroot|daemon|bin|sys|www-data|node|\d+)$/;

interface Scan {
  model: Model;
  stage: Stage;
  builder: BuilderImage;
  env: ScanEnv;
  input: PlanInput;
  steps: Step[];
}

/** Whether the file can be converted at all, and what it builds. */
function scan(model: Model, env: MultiStageEnv, picked: string[] | undefined): Scan | string {
  const stages = model.stages;
  if (stages.length !== 1) return 'the Dockerfile already has more than one stage';
  const stage = stages[0]!;
  if (!stage.from || !stage.base) return 'there is no FROM';
  if (stage.base.scratch) return 'the image starts FROM scratch';
  if (/\/\.devcontainer\//.test(model.doc.uri)) return 'a dev container keeps its toolchain on purpose';
  const all = stage.instructions;
  if (all.some((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && i.flags.some((f) => f.name === 'from'))) return 'it already copies from another image';
  if (all.some((i) => i.run?.mounts.some((mt) => mt.options.from !== undefined))) return 'a RUN mounts another image';
  if (all.some((i) => i.keyword === 'ONBUILD')) return 'ONBUILD triggers run in the builds of other images';
  const builder = describeBuilder(stage.base);
  if (builder.family === 'windows') return 'Windows images are not supported';
  const scanEnv: ScanEnv = { model, stage, builder, buildContext: env.buildContext };
  const copies = contextCopies(model, stage);
  let steps = buildSteps(scanEnv, copies);
  // pip is a build step only where something is compiled: a toolchain is installed or the image is a full (non-slim) one.
  const toolchain =
    ['go', 'rust', 'gcc', 'buildpack-deps'].includes(builder.kind) ||
    (builder.kind === 'python' && !/slim|alpine/.test(builder.tag ?? '')) ||
    installedPackages(stage).some((p) => isToolchainPackage(p));
  steps = steps.filter((s) => s.ecosystem !== 'python' || (toolchain && !isPipSelfUpgrade(s)));
  if (!steps.length) return 'no build command was found (go build, cargo build, gcc, make, cmake, npm run build, pip with a compiler, mvn, gradle)';
  // Only where the image keeps what it was built with: otherwise a runtime stage leaves nothing behind.
  const jdkImage = builder.kind === 'java' && !/jre/.test(builder.tag ?? '');
  if (!toolchain && !jdkImage && !steps.some((x) => x.ecosystem === 'node') && !(builder.kind === 'node' && !/slim|alpine/.test(builder.tag ?? ''))) {
    return 'the image keeps no toolchain (the build tools are removed again or were never installed)';
  }
  const program = programOf(stage);
  const last = all[all.length - 1]!;
  const input: PlanInput = {
    env: scanEnv,
    steps,
    copies,
    written: writtenPaths(model, stage, builder.env),
    program,
    workdir: workdirAt(stage, last.index + 1, model),
    picked,
  };
  return { model, stage, builder, env: scanEnv, input, steps };
}

/** Which planner: what the image runs decides, then what the build does. */
function planFor(s: Scan): PlanResult {
  const main = (s.input.program.main[0] ?? '').replace(/^.*\//, '');
  const has = (e: Ecosystem): boolean => s.steps.some((x) => x.ecosystem === e);
  if (has('java') && (main === 'java' || /^(mvn|mvnw|gradle|gradlew)$/.test(main) || (!has('go') && !has('rust') && !has('c')))) return javaPlan(s.input);
  if (has('python') && (/^(python[\d.]*|gunicorn|uvicorn|daphne|hypercorn|celery|flask|django-admin|waitress-serve|uwsgi|streamlit|fastapi)$/.test(main) || /\.py$/.test(main) || (!has('go') && !has('rust') && !has('c')))) return pythonPlan(s.input);
  if (has('node') && (/^(node|npm|yarn|pnpm|npx|next|nuxt|serve|http-server|vite|bun)$/.test(main) || (!has('go') && !has('rust') && !has('c')))) return nodePlan(s.input);
  return binaryPlan(s.input);
}

/** Analyses the file: the conversions on offer, a question, or why there is none. */
export function analyzeMultiStage(model: Model, options: MultiStageOptions = {}): Analysis {
  // The rule and the code actions ask for the same plain analysis of a version: computed once per build context.
  const plain = options.artifact === undefined && options.runtimeBase === undefined && !options.variant && !options.stageName;
  const hit = plain ? memo.get(model) : undefined;
  if (hit && hit.buildContext === options.buildContext) return hit.analysis;
  const analysis = analyze(model, options);
  if (plain) memo.set(model, { buildContext: options.buildContext, analysis });
  return analysis;
}

const memo = new WeakMap<Model, { buildContext: BuildContext | undefined; analysis: Analysis }>();

function analyze(model: Model, options: MultiStageOptions): Analysis {
  const picked = options.artifact === undefined ? undefined : Array.isArray(options.artifact) ? options.artifact : [options.artifact];
  const s = scan(model, options, picked?.length ? picked : undefined);
  if (typeof s === 'string') return { kind: 'none', reason: s };
  const plan = planFor(s);
  if ('none' in plan) return { kind: 'none', reason: plan.none };
  if ('ask' in plan) return { kind: 'ask', reason: plan.ask.reason, candidates: plan.ask.candidates };
  const conversions = variantsOf(s, plan.ok, options);
  if ('reason' in conversions) return { kind: 'none', reason: conversions.reason };
  return { kind: 'convert', conversions: conversions.list };
}

/**
 * The conversion of one variant (default: the first offered), with the artifact the user picked when
 * the conversion asked; `{ reason }` when there is none.
 */
/** A document version that builds its model (the engine's ParsedDocument). */
interface ModelledDocument {
  readonly uri: string;
  readonly version: number;
  model(buildArgs?: Record<string, string>): Model;
}

export function convertToMultiStage(doc: ModelledDocument | Model, options: MultiStageOptions = {}): Conversion | { reason: string } {
  const model = 'stages' in doc ? doc : doc.model(options.buildArgs ?? {});
  const a = analyzeMultiStage(model, options);
  if (a.kind === 'none') return { reason: a.reason };
  if (a.kind === 'ask') return { reason: `what to copy is not known: ${a.reason}` };
  const c = options.variant ? a.conversions.find((x) => x.variant === options.variant) : a.conversions[0];
  return c ?? { reason: `no ${options.variant} runtime stage fits this build` };
}

/** The workspace edit of {@link convertToMultiStage}, for the command that follows the quick pick. */
export function multiStageEdit(doc: ModelledDocument, options: MultiStageOptions): WorkspaceEdit | undefined {
  const c = convertToMultiStage(doc, options);
  return 'edits' in c ? { changes: { [doc.uri]: c.edits } } : undefined;
}

/**
 * `refactor.rewrite` code actions anywhere in a single-stage file that builds something: one per
 * runtime variant, or one that asks (a command with the candidate paths) when what to copy is unknown.
 */
export function multiStageActions(doc: ModelledDocument, _range: Range, env: MultiStageEnv = {}): CodeAction[] {
  const model = doc.model(env.buildArgs ?? {});
  const a = analyzeMultiStage(model, env);
  if (a.kind === 'none') return [];
  if (a.kind === 'ask') {
    const args: ConvertToMultiStageArgs = { uri: doc.uri, version: doc.version, reason: a.reason, candidates: a.candidates };
    const title = `${TITLE}… (choose what to copy) (may change behaviour)`;
    return [{ title, kind: CodeActionKind.RefactorRewrite, command: { title, command: CONVERT_TO_MULTI_STAGE_COMMAND, arguments: [args] } }];
  }
  return a.conversions.map((c) => ({ title: `${c.title} (may change behaviour)`, kind: CodeActionKind.RefactorRewrite, edit: { changes: { [doc.uri]: c.edits } } }));
}

// ---------- variants ----------

function overrideBase(env: MultiStageEnv, proposed: string, variant: RuntimeVariant): string {
  if (typeof env.runtimeBase === 'string') return variant === 'runtime' ? env.runtimeBase : proposed;
  return env.runtimeBase?.(proposed, variant) ?? proposed;
}

function variantsOf(s: Scan, plan: Plan, env: MultiStageEnv): { list: Conversion[] } | { reason: string } {
  const runtime = runtimeImageFor(s.builder);
  if (!runtime) return { reason: 'no runtime image is known for this base image' };
  const keep = new Set(s.input.program.words.map((w) => w.replace(/^.*\//, '')));
  const pkgs = runtimePackages(s.stage, keep);
  const list: Conversion[] = [];
  const render = (variant: RuntimeVariant, proposed: string, caFromBuild: boolean): void => {
    const image = overrideBase(env, proposed, variant);
    const edits = renderConversion(s, plan, { variant, image, caFromBuild, packages: variant === 'runtime' ? pkgs : undefined, sameImage: runtime.same && image === s.builder.raw }, env);
    if (typeof edits === 'string') return;
    const what = variant === 'nginx' ? `static files served by ${image} on port 80` : variant === 'scratch' ? 'FROM scratch, static binary' : `runtime stage FROM ${image}`;
    list.push({ variant, image, title: `${TITLE} (${what})`, edits });
  };
  const builderHasCa = s.builder.caBundle || pkgs.caCertificates;
  const binaryCa = plan.kind === 'binary' && builderHasCa && !runtime.caBundle && !runtime.same;
  render('runtime', runtime.image, binaryCa && !pkgs.packages.some((x) => /^ca-certificates([=:]|$)/.test(x)));
  // Static files on nginx: a separate action, since nginx listens on port 80 whatever the Node server used.
  if (plan.staticSite) render('nginx', 'nginx:stable-alpine', false);
  if (plan.kind === 'binary' && shellless(s, plan, pkgs.packages.length > 0)) {
    const flavour = plan.distroless;
    const distroless = flavour ? distrolessImage(s.builder, flavour) : undefined;
    if (distroless && (flavour === 'static' || (s.builder.family === 'debian' && !s.builder.devLibraries))) render('distroless', distroless, false);
    if (plan.static && userFitsScratch(s.stage)) render('scratch', 'scratch', builderHasCa);
  }
  if (!list.length) return { reason: 'the runtime stage could not be written' };
  return { list };
}

/** Whether the program can run in an image without a shell or package manager. */
function shellless(s: Scan, plan: Plan, needsPackages: boolean): boolean {
  const p = s.input.program;
  if (!p.argv.length || !p.execForm || p.healthcheck || needsPackages || plan.runtimeRuns.length || plan.ldconfig) return false;
  if (s.stage.instructions.some((i) => isSetupRun(i))) return false;
  const user = lastOf(s.stage, 'USER');
  if (user && !/^(root|0|nonroot|nobody|\d+)(:\w+)?$/.test(user.argsText.text.trim())) return false;
  if (ownersOf(s.model, s.stage, s.input.copies, s.builder.env).some((o) => !/^\d+(:\d+)?$/.test(o.owner))) return false;
  return true;
}

function userFitsScratch(stage: Stage): boolean {
  const user = lastOf(stage, 'USER');
  return !user || /^\d+(:\d+)?$/.test(user.argsText.text.trim());
}

function lastOf(stage: Stage, keyword: string): Inst | undefined {
  return [...stage.instructions].reverse().find((i) => i.keyword === keyword);
}

// ---------- rendering ----------

interface RenderOptions {
  variant: RuntimeVariant;
  image: string;
  /** Copy the CA bundle from the build stage. */
  caFromBuild: boolean;
  packages: ReturnType<typeof runtimePackages> | undefined;
  sameImage: boolean;
}

/** An instruction with the comment lines right above it. */
interface Block {
  inst: Inst | undefined;
  startLine: number;
  endLine: number;
  blankBefore: boolean;
}

function lineText(model: Model, line: number): string {
  const td = model.doc.textDocument;
  return td.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
}

function lastLineOf(inst: Inst): number {
  return Math.max(inst.range.end.line, ...inst.heredocs.map((h) => h.range.end.line));
}

function blockOf(model: Model, inst: Inst, floor: number): Block {
  const commentLines = new Set(model.comments.map((c) => c.line));
  let start = inst.range.start.line;
  while (start - 1 > floor && commentLines.has(start - 1)) start--;
  const blankBefore = start - 1 > floor && lineText(model, start - 1).trim() === '';
  return { inst, startLine: start, endLine: lastLineOf(inst), blankBefore };
}

function blockText(model: Model, b: Block): string {
  const td = model.doc.textDocument;
  const end = b.endLine + 1 < td.lineCount ? { line: b.endLine + 1, character: 0 } : td.positionAt(model.text.length);
  return td.getText({ start: { line: b.startLine, character: 0 }, end }).replace(/\r?\n$/, '');
}

function deleteLinesEdit(model: Model, startLine: number, endLine: number): TextEdit {
  const td = model.doc.textDocument;
  const end = endLine + 1 < td.lineCount ? { line: endLine + 1, character: 0 } : td.positionAt(model.text.length);
  return { range: { start: { line: startLine, character: 0 }, end }, newText: '' };
}

/** Words that need the JSON form in COPY. */
function copyLine(from: string, src: string, dest: string, chown: string | undefined): string {
  const flags = `--from=${from}${chown ? ` --chown=${chown}` : ''}`;
  if (/[\s"'\\$]/.test(src + dest)) return `COPY ${flags} ${JSON.stringify([src, dest]).replace(/","/g, '", "')}`;
  return `COPY ${flags} ${src} ${dest}`;
}

function runLine(model: Model, commands: string[]): string {
  const one = `RUN ${commands.join(' && ')}`;
  if (one.length <= 100 || commands.length < 2) return one;
  const style = continuationStyle(model);
  const eol = eolOf(model);
  const esc = model.escape;
  return style.leadingAnd
    ? `RUN ${commands[0]} ${esc}${eol}${commands.slice(1).map((c) => `${style.indent}&& ${c}`).join(` ${esc}${eol}`)}`
    : `RUN ${commands.slice(0, -1).map((c, k) => `${k ? style.indent : ''}${c} && ${esc}`).join(eol)}${eol}${style.indent}${commands[commands.length - 1]}`;
}

/** The edits of one conversion, or why it cannot be written. */
function renderConversion(s: Scan, plan: Plan, o: RenderOptions, env: MultiStageEnv & { stageName?: string }): TextEdit[] | string {
  const { model, stage } = s;
  const eol = eolOf(model);
  const from = stage.from!;
  const name = stage.name ?? env.stageName ?? 'build';
  const edits: TextEdit[] = [];
  if (!stage.name) edits.push(insertAt(model, model.offsetAt(stage.base!.range.end), ` AS ${name}`));
  const nginx = o.variant === 'nginx';
  const shell = o.variant === 'runtime' || nginx;

  // Where the build ends: after the last RUN, COPY or ADD. What follows only describes the image.
  const insts = stage.instructions.filter((i) => i !== from);
  const builds = insts.filter((i) => i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD');
  const lastBuild = builds[builds.length - 1];
  if (!lastBuild) return 'nothing is built';
  const trailing = (i: Inst): boolean => i.index > lastBuild.index;
  const fromLine = from.range.start.line;

  // Instructions that move (deleted here, written in the runtime stage) and those repeated there.
  const moved = insts.filter((i) => METADATA.has(i.keyword) || (CARRIED.has(i.keyword) && trailing(i)));
  for (const i of moved.filter((x) => !trailing(x))) {
    const b = blockOf(model, i, fromLine);
    edits.push(deleteLinesEdit(model, b.startLine, b.endLine));
  }
  edits.push(...plan.builderEdits);

  // ---- the runtime stage, as lines ----
  const header: string[] = [];
  const body: string[] = [];
  const platform = from.flags.find((f) => f.name === 'platform');
  const platformFlag = platform?.value && !/BUILDPLATFORM/.test(platform.value) ? `--platform=${platform.value} ` : '';
  header.push(`FROM ${platformFlag}${o.image}`);

  // ENV the program sees (build-only variables and toolchain PATHs are left behind).
  const keptEnv: { inst: Inst; pairs: { key: string; text: string; legacy: boolean }[]; all: boolean }[] = [];
  if (!nginx) {
    const wanted = (key: string, value: string): boolean => {
      if (key === 'PATH') return value.split(':').some((e) => e && !TOOLCHAIN_PATH.test(e) && !/^\/(go|usr\/local\/go)\/bin$/.test(e)) ;
      if (/^PIP_/.test(key)) return plan.usesPip;
      if (key === 'JAVA_HOME') return o.sameImage;
      return !BUILD_ONLY_ENV.test(key);
    };
    const envInsts = insts.filter((i) => i.keyword === 'ENV');
    const keptKeys = new Set<string>();
    for (const i of envInsts) {
      const pairs = envPairs(i, model.escape);
      const kept = pairs.filter((p) => wanted(p.key, p.text.slice(p.key.length + 1)));
      if (kept.length) keptEnv.push({ inst: i, pairs: kept, all: kept.length === pairs.length });
      kept.forEach((p) => keptKeys.add(p.key));
    }
    // A kept value that refers to a dropped variable keeps that one too.
    for (let changed = true; changed; ) {
      changed = false;
      for (const i of envInsts) {
        const pairs = envPairs(i, model.escape);
        for (const p of pairs) {
          if (keptKeys.has(p.key)) continue;
          const needed = keptEnv.some((k) => k.inst.index > i.index && k.pairs.some((q) => varRefs(q.text, model.escape).some((r) => r.name === p.key)));
          if (!needed) continue;
          keptKeys.add(p.key);
          const entry = keptEnv.find((k) => k.inst === i);
          if (entry) {
            entry.pairs = pairs.filter((q) => keptKeys.has(q.key));
            entry.all = entry.pairs.length === pairs.length;
          } else keptEnv.push({ inst: i, pairs: [p], all: pairs.length === 1 });
          keptEnv.sort((a, b) => a.inst.index - b.inst.index);
          changed = true;
        }
      }
    }
  }

  // Packages the program needs at run time, users it runs as, setup RUNs that can run again.
  const packageLines: string[] = [];
  if (o.packages) {
    const cmds = installCommands(o.packages);
    if (cmds.length) packageLines.push(runLine(model, cmds));
    if (o.packages.unknownDev.length) packageLines.push(`# The build used ${o.packages.unknownDev.join(', ')}: install the libraries the program links against, if any.`);
    if (s.builder.devLibraries && !o.sameImage && plan.kind !== 'java' && !plan.static) {
      packageLines.push(`# The ${s.builder.name} image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).`);
    }
  }
  const firstStep = Math.min(...s.steps.map((x) => x.inst.index));
  // Setup RUNs run again in the runtime stage; after the build, only those that change nothing the runtime stage
  // copies (their effect on it is already in the copy, and `>>` or `sed -i` twice is not the same as once).
  let artifacts = plan.artifacts;
  const setupRuns = (shell && !nginx ? insts.filter((i) => isSetupRun(i)) : []).filter((i) => {
    if (i.index < firstStep) return true;
    const changed = modifiedPaths(model, i, s.builder.env);
    if (!changed) return false;
    const own = new Set(s.input.written.filter((w) => w.inst === i && w.creates).map((w) => w.path));
    const removed = i.run!.commands.filter((c) => c.name === 'rm').flatMap((c) => c.args.filter((a) => a.text.startsWith('/')).map((a) => a.text.replace(/\/+$/, '')));
    return !changed.some((p) => artifacts.some((a) => !own.has(a.path) && within(p, a.path))) && !removed.some((p) => artifacts.some((a) => within(a.path, p)));
  });
  // What a replayed RUN writes itself (`ln -s`) is not copied.
  artifacts = artifacts.filter((a) => !s.input.written.some((w) => w.path === a.path && w.creates && setupRuns.includes(w.inst) && w.inst.index > firstStep));
  const firstInstall = Math.min(...installedPackages(stage).map((p) => p.inst.index));
  const userLines: string[] = [];
  const user = nginx ? undefined : lastOf(stage, 'USER');
  const userName = user?.argsText.text.trim().split(':')[0];
  if (user && userName && !KNOWN_USERS.test(userName) && !userName.includes('$')) {
    const creates = (i: Inst): boolean => !!i.run?.commands.some((c) => /^(useradd|adduser|groupadd|addgroup)$/.test(c.name) && c.args.some((a) => a.text === userName));
    if (!setupRuns.some(creates)) {
      const cmds: string[] = [];
      for (const i of insts) {
        if (!i.run?.script || !creates(i)) continue;
        for (const c of i.run.commands) {
          if (/^(useradd|adduser|groupadd|addgroup)$/.test(c.name)) cmds.push(i.run.script.text.slice(c.start, c.end).replace(/\s+/g, ' '));
        }
      }
      if (cmds.length && shell) userLines.push(runLine(model, cmds));
      else if (!shell && cmds.length) return 'the user needs a shell to be created';
    }
  }

  // WORKDIR the program runs in.
  const workdirLines: string[] = [];
  const workdirs = insts.filter((i) => i.keyword === 'WORKDIR');
  if (workdirs.length && !nginx) {
    const lastWd = workdirs[workdirs.length - 1]!;
    const raw = lastWd.argsText.text.trim();
    if (raw.startsWith('/') || raw.startsWith('$')) workdirLines.push(`WORKDIR ${raw}`);
    else if (s.input.workdir) workdirLines.push(`WORKDIR ${s.input.workdir}`);
    else workdirLines.push(...workdirs.map((w) => `WORKDIR ${w.argsText.text.trim()}`));
  }

  // The artifacts.
  const owners = ownersOf(model, stage, s.input.copies, s.builder.env);
  // An owner must exist in the runtime image: numeric, a user every image has, or one the runtime stage creates.
  const created = [...userLines, ...setupRuns.map((i) => i.argsText.text)].join(' ');
  const ownerExists = (owner: string): boolean =>
    owner.split(':').every((part) => !part || /^\d+$/.test(part) || KNOWN_USERS.test(part) || new RegExp(`(^|\\s)${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(created));
  const ownerOf = (a: Artifact): string | undefined => {
    const owner = owners.filter((x) => within(a.path, x.path)).pop()?.owner;
    return owner && ownerExists(owner) ? owner : undefined;
  };
  const copyLines: string[] = [];
  if (o.caFromBuild) copyLines.push(copyLine(name, '/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/certs/ca-certificates.crt', undefined));
  if (nginx) {
    copyLines.push(copyLine(name, plan.staticSite!.dir, '/usr/share/nginx/html', undefined));
  } else {
    for (const a of artifacts) {
      const dest = a.to ?? (a.glob ? `${a.path.slice(0, a.path.lastIndexOf('/') + 1)}` : a.path);
      const chown = ownerOf(a);
      if (chown && !shell && !/^\d+(:\d+)?$/.test(chown)) return 'a named owner needs the user in the runtime image';
      copyLines.push(copyLine(name, a.path, dest, chown));
    }
  }
  const runtimeRunLines = nginx ? [] : [...plan.runtimeRuns.map((r) => runLine(model, r).split(STAGE).join(name)), ...(plan.ldconfig && shell && !/alpine/.test(s.builder.family) ? ['RUN ldconfig'] : [])];
  if ((plan.runtimeRuns.length || plan.ldconfig) && !shell) return 'the runtime stage needs a shell';

  const verbatim = (i: Inst): string => blockText(model, { inst: i, startLine: i.range.start.line, endLine: lastLineOf(i), blankBefore: false }).replace(/^[ \t]+/, '');
  const envLines = keptEnv.map((k) => (!k.all ? `ENV ${k.pairs.map((p) => p.text).join(' ')}` : trailing(k.inst) ? blockText(model, blockOf(model, k.inst, lastLineOf(lastBuild))) : verbatim(k.inst)));
  const setupFirst = setupRuns.filter((i) => i.index < firstInstall && o.packages?.packages.length).map(verbatim);
  const setupBefore = setupRuns.filter((i) => i.index < firstStep && !(i.index < firstInstall && o.packages?.packages.length)).map(verbatim);
  const setupAfter = setupRuns.filter((i) => i.index > firstStep).map(verbatim);
  if (!shell && setupRuns.length) return 'setup RUNs need a shell';

  // Metadata in the original order, with their comments; the last USER and SHELL, every VOLUME.
  const metaBlocks: { text: string; blankBefore: boolean; inst: Inst | undefined }[] = [];
  const lastUser = lastOf(stage, 'USER');
  const lastShell = lastOf(stage, 'SHELL');
  const trailingStartLine = lastLineOf(lastBuild) + 1;
  for (const i of insts) {
    const isMeta = METADATA.has(i.keyword);
    const repeated = (i.keyword === 'USER' && i === lastUser) || (i.keyword === 'SHELL' && i === lastShell) || i.keyword === 'VOLUME';
    if (!isMeta && !repeated) continue;
    if (nginx && i.keyword !== 'LABEL' && i.keyword !== 'MAINTAINER') continue;
    const b = blockOf(model, i, Math.max(fromLine, trailing(i) ? trailingStartLine - 1 : fromLine));
    const moving = isMeta || trailing(i);
    metaBlocks.push({ text: moving ? blockText(model, b) : verbatim(i), blankBefore: b.blankBefore, inst: i });
  }
  // Comment lines of the trailing part that belong to no instruction stay, in place, in the runtime stage.
  const claimed = new Set<number>();
  for (const i of insts.filter(trailing)) {
    const b = blockOf(model, i, trailingStartLine - 1);
    for (let l = b.startLine; l <= b.endLine; l++) claimed.add(l);
  }
  const commentLines = new Set(model.comments.map((c) => c.line));
  const td = model.doc.textDocument;
  const free: { line: number; text: string }[] = [];
  for (let l = trailingStartLine; l < td.lineCount; l++) if (commentLines.has(l) && !claimed.has(l)) free.push({ line: l, text: lineText(model, l) });

  // Build-arg declarations the runtime stage refers to.
  const runtimeTexts = [...envLines, ...workdirLines, ...setupFirst, ...setupBefore, ...setupAfter, ...userLines, ...metaBlocks.filter((b) => b.inst && ['LABEL', 'EXPOSE', 'USER', 'VOLUME', 'STOPSIGNAL', 'WORKDIR'].includes(b.inst.keyword)).map((b) => b.text)];
  const argLines = argDeclarations(model, stage, runtimeTexts, keptEnv.flatMap((k) => k.pairs.map((p) => p.key)), plan.usesPip);
  header.push(...argLines, ...envLines);
  body.push(...setupFirst, ...packageLines, ...userLines, ...setupBefore, ...workdirLines, ...copyLines, ...runtimeRunLines, ...setupAfter);

  // Interleave free comments of the trailing part with the metadata by line.
  const meta: { text: string; blankBefore: boolean; line: number }[] = [
    ...metaBlocks.map((b) => ({ text: b.text, blankBefore: b.blankBefore, line: b.inst!.range.start.line })),
    ...free.map((f) => ({ text: f.text, blankBefore: f.line > 0 && lineText(model, f.line - 1).trim() === '', line: f.line })),
  ].sort((a, b) => a.line - b.line);

  const lines: string[] = [...header, ...body];
  meta.forEach((b, k) => {
    if (b.blankBefore && (k > 0 || lines.length > 1)) lines.push('');
    lines.push(b.text);
  });

  // ---- the tail edit: build-stage additions, then the runtime stage ----
  const lastKeptLine = lastLineOf(lastBuild);
  const tailStart = lastKeptLine + 1 < td.lineCount ? model.offsetAt({ line: lastKeptLine + 1, character: 0 }) : model.text.length;
  const endsWithEol = /\r?\n$/.test(model.text);
  const needsEol = tailStart === model.text.length && !endsWithEol;
  const builderAppend = nginx ? [] : plan.builderAppend;
  const appendText = builderAppend.length ? `${runLine(model, builderAppend)}${eol}` : '';
  const stageText = lines.join(eol);
  edits.push({ range: model.range(tailStart, model.text.length), newText: `${needsEol ? eol : ''}${appendText}${eol}${stageText}${endsWithEol ? eol : ''}` });
  return edits;
}

/** `ARG NAME` lines for the build args the runtime stage's instructions refer to (a stage's ARGs end with it). */
function argDeclarations(model: Model, stage: Stage, texts: string[], envKeys: string[], usesPip: boolean): string[] {
  const names: string[] = [];
  for (const t of texts) for (const r of varRefs(t, model.escape)) if (!names.includes(r.name) && !envKeys.includes(r.name)) names.push(r.name);
  const out: string[] = [];
  const stageArgs = stage.instructions.filter((i) => i.keyword === 'ARG');
  if (usesPip) for (const i of stageArgs) for (const [n] of declarations(i)) if (/^PIP_/.test(n) && !names.includes(n)) names.push(n);
  for (const n of names) {
    const decl = [...stageArgs].reverse().find((i) => declarations(i).some(([k]) => k === n));
    if (decl) {
      const pair = envPairs(decl, model.escape).find((p) => p.key === n);
      out.push(`ARG ${pair?.text ?? n}`);
    } else if (model.globalArgs.some((i) => declarations(i).some(([k]) => k === n))) out.push(`ARG ${n}`);
  }
  return out;
}
