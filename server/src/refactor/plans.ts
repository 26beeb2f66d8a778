import type { TextEdit } from 'vscode-languageserver-types';
import type { Inst, Model, Stage } from '../model/model';
import type { ShellWord } from '../model/shell';
import { appendCommandEdit, operandsOf, pipInstall, workdirAt } from '../rules/lib/language-packages';
import {
  basename,
  dirname,
  isPackageRun,
  isSetupRun,
  isSystemPath,
  normPath,
  PATH_DIRS,
  programPaths,
  readCopied,
  resolveIn,
  within,
  type ContextCopy,
  type Program,
  type ScanEnv,
  type Step,
  type Written,
} from './analysis';

/**
 * Per ecosystem: which files the runtime stage copies from the build stage, what the build stage
 * must do in addition (build wheels, prune devDependencies) and what the runtime stage runs (install
 * the wheels). A plan that cannot tell what to copy asks, with candidates for a quick pick.
 */

export interface Artifact {
  /** Absolute path in the build stage; may end in a glob (`/app/target/*.jar`). */
  path: string;
  /** Where it goes in the runtime stage; the same path by default. */
  to?: string;
  glob?: boolean;
}

export interface Plan {
  kind: 'binary' | 'java' | 'node' | 'python';
  artifacts: Artifact[];
  /** Edits inside the build stage (pip install → pip wheel). */
  builderEdits: TextEdit[];
  /** Shell commands the build stage runs at its end, one RUN (npm prune). */
  builderAppend: string[];
  /** RUNs of the runtime stage after the COPYs: each is a list of commands chained with &&. */
  runtimeRuns: string[][];
  /** The binaries are static (scratch and distroless/static can run them). */
  static: boolean;
  /** The distroless flavour that runs the binaries, if any. */
  distroless: 'static' | 'base' | 'cc' | undefined;
  /** The runtime stage runs pip (keep PIP_* settings). */
  usesPip: boolean;
  /** A folder of static files a web server can serve instead of a Node runtime. */
  staticSite?: { dir: string };
  /** Shared libraries were installed under a prefix: the runtime runs ldconfig. */
  ldconfig: boolean;
}

export type PlanResult = { ok: Plan } | { ask: { reason: string; candidates: string[] } } | { none: string };

export interface PlanInput {
  env: ScanEnv;
  steps: Step[];
  copies: ContextCopy[];
  written: Written[];
  program: Program;
  /** The WORKDIR the program runs in. */
  workdir: string | undefined;
  /** Paths the user picked in the quick pick. */
  picked: string[] | undefined;
}

const model = (i: PlanInput): Model => i.env.model;
const stageOf = (i: PlanInput): Stage => i.env.stage;

function addArtifact(list: Artifact[], a: Artifact): void {
  if (list.some((x) => x.path === a.path && x.to === a.to)) return;
  list.push(a);
}

/** Drops artifacts inside another artifact folder (same destination). */
function dedupe(list: Artifact[]): Artifact[] {
  return list.filter((a) => !list.some((b) => b !== a && !b.glob && !a.to && !b.to && a.path !== b.path && within(a.path, b.path)));
}

/** The folders the build works in (not `/`): files there are sources or build output. */
function buildDirs(i: PlanInput): string[] {
  const out: string[] = [];
  for (const s of i.steps) if (s.cwd && s.cwd !== '/' && !out.includes(s.cwd)) out.push(s.cwd);
  return out;
}

/** Whether a build command names the path (`gcc -o x /src/main.c`): the file is a build input. */
function consumedByBuild(i: PlanInput, path: string): boolean {
  return i.steps.some((s) => s.cmd.args.some((a) => {
    const p = resolveIn(s.cwd, a.text.replace(/^-[\w-]*=/, ''));
    return !!p && (within(p, path) || within(path, p)) && p !== '/' && path !== '/';
  }));
}

/**
 * Files the image needs that are not build output: context files copied outside the build folders
 * (configuration, entrypoint scripts), files CMD/ENTRYPOINT name, and what later RUNs copy there.
 */
function runtimeFiles(i: PlanInput, artifacts: Artifact[]): { unresolved: string | undefined } {
  const dirs = buildDirs(i);
  const firstStep = Math.min(...i.steps.map((s) => s.inst.index));
  const lastStep = Math.max(...i.steps.map((s) => s.inst.index));
  for (const c of i.copies) {
    if (c.kind === 'everything' || c.kind === 'manifest' || c.kind === 'unknown' || c.path === '/') continue;
    const afterBuild = c.inst.index > lastStep;
    if (!afterBuild && (dirs.some((d) => within(c.path, d)) || consumedByBuild(i, c.path) || c.inst.index < firstStep && c.kind === 'folder')) continue;
    if (afterBuild && c.kind === 'folder' && dirs.some((d) => c.path === d)) continue;
    addArtifact(artifacts, { path: c.path });
  }
  // What `cp`, `mv` and `install` put outside the build folders after copying it from build output or sources.
  for (const w of i.written) {
    if (!w.from.length || dirs.some((d) => within(w.path, d))) continue;
    const fromBuild = w.from.some((src) => artifacts.some((a) => within(src, a.path)) || dirs.some((d) => within(src, d)) || i.steps.some((s) => s.candidates.some((c) => within(src, c))));
    if (!fromBuild) continue;
    addArtifact(artifacts, { path: w.path });
    if (w.moved) for (const src of w.from) {
      const k = artifacts.findIndex((a) => a.path === src);
      if (k >= 0) artifacts.splice(k, 1);
    }
  }
  const covered = (p: string): boolean => artifacts.some((a) => (a.glob ? dirname(a.path) === dirname(p) : within(p, a.path)));
  for (const p of programPaths(i.program, i.workdir)) {
    if (covered(p)) continue;
    const copied = i.copies.some((c) => c.path === p || (c.kind === 'folder' && within(p, c.path) && c.path !== '/'));
    const made = i.written.some((w) => w.path === p && w.creates);
    const built = !isSystemPath(p) && (dirs.some((d) => within(p, d)) || i.steps.some((s) => s.candidates.some((c) => within(p, c))));
    if (copied || made || built) addArtifact(artifacts, { path: p });
  }
  const main = i.program.main[0];
  if (main && !main.includes('/') && !main.includes('$')) {
    const onPath = (p: string): boolean => PATH_DIRS.includes(dirname(p)) || /\/bin$/.test(dirname(p));
    const found = artifacts.find((a) => basename(a.path) === main && onPath(a.path));
    if (found) {
      // `go install` and `cargo install` put programs in /go/bin or /usr/local/cargo/bin, on the toolchain image's PATH only.
      if (!PATH_DIRS.includes(dirname(found.path)) && !found.to && !i.picked?.length && !pathKept(i, dirname(found.path))) found.to = `/usr/local/bin/${main}`;
      return { unresolved: undefined };
    }
    if (artifacts.some((a) => i.steps.some((s) => s.prefix === a.path) && a.path !== '/')) {
      const prefix = artifacts.find((a) => i.steps.some((s) => s.prefix === a.path))!;
      if (PATH_DIRS.includes(`${prefix.path}/bin`)) return { unresolved: undefined };
    }
    const w = i.written.find((x) => basename(x.path) === main && onPath(x.path) && x.creates);
    if (w) {
      addArtifact(artifacts, { path: w.path });
      return { unresolved: undefined };
    }
    const prefix = i.steps.find((s) => s.prefix && s.candidates.length);
    if (prefix?.prefix && prefix.prefix !== '/') {
      addArtifact(artifacts, { path: `${prefix.prefix}/bin/${main}` });
      return { unresolved: undefined };
    }
    return { unresolved: main };
  }
  return { unresolved: undefined };
}

/** Whether an ENV PATH of the stage names `dir` (and the runtime stage keeps it). */
function pathKept(i: PlanInput, dir: string): boolean {
  return stageOf(i).instructions.some((inst) => inst.keyword === 'ENV' && /(^|[\s"'=:])PATH=/.test(inst.argsText.text) && inst.argsText.text.includes(dir) && !/^\/(go|usr\/local\/go|usr\/local\/cargo)\/bin$/.test(dir));
}

/** Paths that setup RUNs replayed in the runtime stage work on (`chmod +x /app/run.sh`) must be there. */
function setupTargets(i: PlanInput, artifacts: Artifact[]): void {
  const dirs = buildDirs(i);
  const firstStep = Math.min(...i.steps.map((s) => s.inst.index));
  for (const inst of stageOf(i).instructions) {
    if (inst.index < firstStep || !isSetupRun(inst)) continue;
    for (const c of inst.run!.commands) {
      if (!['chmod', 'chown', 'chgrp', 'setcap', 'sed'].includes(c.name)) continue;
      for (const a of operandsOf(c.args).slice(1)) {
        const p = a.text.startsWith('/') ? normPath(a.text) : undefined;
        if (!p || artifacts.some((x) => within(p, x.path))) continue;
        if (dirs.some((d) => within(p, d)) || i.copies.some((x) => x.path === p)) addArtifact(artifacts, { path: p });
      }
    }
  }
}

/** Programs that run something else: their name is not a build output. */
const INTERPRETERS = /^(node|npm|npx|yarn|pnpm|bun|deno|python[\d.]*|pip[\d.]*|java|mvn|gradle|ruby|bundle|php|perl|sh|bash|dotnet)$/;

function candidatesOf(i: PlanInput, extra: string[] = []): string[] {
  const out: string[] = [];
  const add = (p: string | undefined): void => {
    if (p && p !== '/' && !out.includes(p)) out.push(p);
  };
  const main = i.program.main[0];
  // What the CMD names first: the program where the build writes, under the install prefix, or in the folder the build ran in.
  if (main && !main.includes('/') && !main.includes('$') && !INTERPRETERS.test(main)) {
    for (const s of i.steps) for (const c of s.candidates) if (!s.prefix) add(normPath(`${c}/${main}`));
    for (const s of i.steps) if (s.prefix && s.prefix !== '/') add(`${s.prefix}/bin/${main}`);
    for (const s of i.steps) if (s.cwd && s.cwd !== '/') add(normPath(`${s.cwd}/${main}`));
  }
  for (const p of programPaths(i.program, i.workdir)) if (!isSystemPath(p)) add(p);
  for (const p of extra) add(p);
  for (const s of i.steps) s.outputs.forEach(add);
  for (const s of i.steps) s.candidates.forEach(add);
  add(i.workdir);
  for (const d of buildDirs(i)) add(d);
  return out.slice(0, 12);
}

// ---------- compiled programs: Go, Rust, C/C++ ----------

export function binaryPlan(i: PlanInput): PlanResult {
  const artifacts: Artifact[] = [];
  const steps = i.steps.filter((s) => s.ecosystem !== 'python');
  for (const s of steps) if (s.ecosystem !== 'java') for (const o of s.outputs) addArtifact(artifacts, { path: o });
  for (const p of i.picked ?? []) addArtifact(artifacts, { path: p, glob: p.includes('*') });
  const { unresolved } = runtimeFiles(i, artifacts);
  setupTargets(i, artifacts);
  const unknownSteps = steps.filter((s) => !s.outputs.length);
  if (!i.picked?.length) {
    const built = artifacts.filter((a) => !i.copies.some((c) => c.path === a.path));
    if (!built.length) {
      const what = unknownSteps.map((s) => `\`${s.label}\``).join(', ') || 'the build';
      return { ask: { reason: `where ${what} puts the program is not known`, candidates: candidatesOf(i) } };
    }
    // `make install` into /usr or a /usr/local the image already uses: what it installed cannot be told apart.
    const shared = steps.find((s) => s.prefix && s.candidates.length);
    if (shared) return { ask: { reason: `\`${shared.label}\` installs into ${shared.prefix}, which holds more than what it installed`, candidates: candidatesOf(i) } };
    if (unresolved && unknownSteps.length) {
      return { ask: { reason: `\`${unresolved}\` (the CMD) is not among the files the build is known to write`, candidates: candidatesOf(i) } };
    }
  }
  const compiled = steps.filter((s) => s.ecosystem === 'go' || s.ecosystem === 'rust' || s.ecosystem === 'c');
  const isStatic = compiled.length > 0 && compiled.every((s) => s.static) && !compiled.some((s) => s.prefix);
  const flavour = isStatic ? 'static' : compiled.some((s) => s.ecosystem !== 'go') ? 'cc' : compiled.length ? 'base' : undefined;
  // Libraries installed under /usr/local are found through ld.so's cache, which the runtime stage must rebuild.
  const prefixes = steps.filter((s) => (s.prefix === '/usr/local' || s.prefix === '/usr') && artifacts.some((a) => a.path === s.prefix));
  return {
    ok: {
      kind: 'binary',
      artifacts: dedupe(artifacts),
      builderEdits: [],
      builderAppend: [],
      runtimeRuns: [],
      static: isStatic,
      distroless: flavour,
      usesPip: false,
      ldconfig: prefixes.length > 0,
    },
  };
}

// ---------- Java: Maven, Gradle ----------

export function javaPlan(i: PlanInput): PlanResult {
  const main = basename(i.program.main[0] ?? '');
  if (/^(mvn|mvnw|mvnd|gradle|gradlew)$/.test(main)) return { none: `the image runs ${main} when it starts, so the toolchain is needed at run time` };
  const outputs = i.steps.filter((s) => s.ecosystem === 'java').flatMap((s) => s.outputs);
  const artifacts: Artifact[] = [];
  for (const p of i.picked ?? []) addArtifact(artifacts, { path: p, glob: p.includes('*') });
  const words = i.program.main;
  const jars: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if ((w === '-jar' || w === '-cp' || w === '-classpath' || w === '--class-path') && words[k + 1]) jars.push(...words[k + 1]!.split(':'));
  }
  for (const raw of jars) {
    if (raw.includes('$')) continue;
    const p = resolveIn(i.workdir, raw);
    if (!p) continue;
    const out = outputs.find((o) => within(p, o));
    if (out && /build\/install$/.test(out)) addArtifact(artifacts, { path: out });
    else if (out || i.written.some((w) => w.path === p) || i.copies.some((c) => c.path === p)) addArtifact(artifacts, { path: p, glob: p.includes('*') });
  }
  for (const p of programPaths(i.program, i.workdir)) {
    const out = outputs.find((o) => within(p, o) && /build\/install$/.test(o));
    if (out) addArtifact(artifacts, { path: out });
  }
  const built = artifacts.length > 0;
  runtimeFiles(i, artifacts);
  if (!built && !i.picked?.length) {
    const candidates = outputs.flatMap((o) => (/build\/install$/.test(o) ? [o] : [`${o}/*.jar`, o]));
    return { ask: { reason: 'the jar the image runs is not known (no `java -jar` path in the build output)', candidates: candidatesOf(i, candidates) } };
  }
  return { ok: { kind: 'java', artifacts: dedupe(artifacts), builderEdits: [], builderAppend: [], runtimeRuns: [], static: false, distroless: undefined, usesPip: false, ldconfig: false } };
}

// ---------- Node ----------

interface NodeBuild {
  /** Output folders (absolute). */
  dirs: string[];
  /** The output is a static site (vite, react-scripts, vue-cli, parcel, gatsby, astro). */
  staticSite: boolean;
  /** Folders and files next to the output a server framework needs (`public`, `next.config.js`). */
  extra: string[];
  /** The output depends on the build context (Next.js), which is unknown. */
  needsContext: boolean;
}

/** The scripts of the package.json in `dir`, when the build context has it. */
function packageScripts(i: PlanInput, dir: string): Record<string, string> | undefined {
  const text = readCopied(i.env, i.copies, normPath(`${dir}/package.json`));
  try {
    return text ? ((JSON.parse(text) as { scripts?: Record<string, string> }).scripts ?? {}) : undefined;
  } catch {
    return undefined;
  }
}

/** What a build script writes, from package.json's scripts (following `npm run x`) and the tool it runs. */
function nodeBuildOutput(i: PlanInput, step: Step): NodeBuild | undefined {
  const cwd = step.cwd;
  if (!cwd) return undefined;
  const text = readCopied(i.env, i.copies, normPath(`${cwd}/package.json`));
  if (!text) return undefined;
  let pkg: { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch {
    return undefined;
  }
  const scripts = pkg.scripts ?? {};
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const seen = new Set<string>();
  const parts: string[] = [];
  const follow = (name: string): void => {
    if (seen.has(name) || scripts[name] === undefined) return;
    seen.add(name);
    for (const pre of [`pre${name}`, name, `post${name}`]) {
      const s = scripts[pre];
      if (s === undefined || (pre !== name && seen.has(pre))) continue;
      parts.push(s);
      for (const m of s.matchAll(/(?:npm run|yarn run|yarn|pnpm run|pnpm)\s+([\w:.-]+)/g)) if (m[1] !== 'install') follow(m[1]!);
    }
  };
  follow(step.script ?? 'build');
  const script = parts.join(' && ');
  const exists = (rel: string): boolean => !!i.env.buildContext?.exists(rel) && !i.env.buildContext.isIgnored(rel);
  const rel = (p: string): string => normPath(`${cwd}/${p}`);
  const flagValue = (re: RegExp): string | undefined => re.exec(script)?.[1];
  if (/\bnext\s+build\b/.test(script)) {
    const extra = ['public', 'next.config.js', 'next.config.mjs', 'next.config.ts'].filter((f) => exists(f)).map(rel);
    return { dirs: [rel('.next')], staticSite: false, extra, needsContext: !i.env.buildContext };
  }
  if (/\bnuxt\s+build\b/.test(script)) return { dirs: [rel('.output')], staticSite: false, extra: [], needsContext: false };
  if (/\breact-scripts\s+build\b/.test(script)) return { dirs: [rel('build')], staticSite: true, extra: [], needsContext: false };
  if (/\bgatsby\s+build\b/.test(script)) return { dirs: [rel('public')], staticSite: true, extra: [], needsContext: false };
  if (/\bvite\s+build\b/.test(script)) {
    const out = flagValue(/--outDir[= ]([^\s&;]+)/);
    const kit = '@sveltejs/kit' in deps;
    return { dirs: [rel(out ?? (kit ? 'build' : 'dist'))], staticSite: !kit, extra: [], needsContext: false };
  }
  if (/\b(vue-cli-service\s+build|parcel\s+build|astro\s+build)\b/.test(script)) {
    const out = flagValue(/--(?:dest|dist-dir|outDir)[= ]([^\s&;]+)/);
    return { dirs: [rel(out ?? 'dist')], staticSite: true, extra: [], needsContext: false };
  }
  const esbuild = flagValue(/--outdir[= ]([^\s&;]+)/) ?? (flagValue(/--outfile[= ]([^\s&;]+)/) ? dirname(flagValue(/--outfile[= ]([^\s&;]+)/)!) : undefined);
  if (/\besbuild\b/.test(script) && esbuild) return { dirs: [rel(esbuild)], staticSite: false, extra: [], needsContext: false };
  if (/\b(nest\s+build|tsup|webpack|rollup)\b/.test(script) && !/--out|-o\b|\bdir\b/.test(script)) return { dirs: [rel('dist')], staticSite: false, extra: [], needsContext: false };
  const babel = flagValue(/\bbabel\b.*?(?:-d|--out-dir)[= ]([^\s&;]+)/);
  if (babel) return { dirs: [rel(babel)], staticSite: false, extra: [], needsContext: false };
  if (/\btsc\b/.test(script)) {
    const out = flagValue(/--outDir[= ]([^\s&;]+)/);
    if (out) return { dirs: [rel(out)], staticSite: false, extra: [], needsContext: false };
    const project = flagValue(/(?:-p|--project)[= ]([^\s&;]+)/) ?? 'tsconfig.json';
    const tsconfig = readCopied(i.env, i.copies, rel(project.endsWith('.json') ? project : `${project}/tsconfig.json`));
    const m = tsconfig ? /"outDir"\s*:\s*"([^"]+)"/.exec(tsconfig) : undefined;
    if (m) return { dirs: [normPath(`${dirname(rel(project.endsWith('.json') ? project : `${project}/tsconfig.json`))}/${m[1]}`)], staticSite: false, extra: [], needsContext: false };
  }
  return undefined;
}

const STATIC_SERVERS = /^(serve|http-server|live-server)$/;

export function nodePlan(i: PlanInput): PlanResult {
  const steps = i.steps.filter((s) => s.ecosystem === 'node');
  const step = steps[steps.length - 1]!;
  const cwd = step.cwd;
  if (!cwd || cwd === '/') return { none: `\`${step.label}\` runs in / (no WORKDIR), so the project folder cannot be told apart from the system` };
  const build = nodeBuildOutput(i, step);
  const main = i.program.main;
  const name = basename(main[0] ?? '');
  const servesFiles =
    STATIC_SERVERS.test(name) ||
    (name === 'npx' && STATIC_SERVERS.test(main.find((w, k) => k > 0 && !w.startsWith('-')) ?? '')) ||
    (/^(npm|yarn|pnpm)$/.test(name) && main.includes('preview')) ||
    (name === 'vite' && main.includes('preview'));
  const artifacts: Artifact[] = [];
  const dirs = [...(i.picked ?? [])];
  if (!dirs.length && build && !build.needsContext) dirs.push(...build.dirs, ...build.extra);
  if (!dirs.length) {
    // `node dist/server.js`: the folder the entry file is in.
    const entry = name === 'node' ? main.slice(1).find((w) => !w.startsWith('-')) : undefined;
    const p = entry && !entry.includes('$') ? resolveIn(i.workdir, entry) : undefined;
    if (p && within(p, cwd) && dirname(p) !== cwd) dirs.push(normPath(`${cwd}/${p.slice(cwd.length + 1).split('/')[0]}`));
  }
  if (!dirs.length) {
    return { ask: { reason: `the folder \`${step.label}\` writes is not known${i.env.buildContext ? '' : ' (package.json is not available)'}`, candidates: candidatesOf(i, ['dist', 'build', '.next', 'out', 'public'].map((d) => `${cwd}/${d}`)) } };
  }
  addArtifact(artifacts, { path: `${cwd}/package.json` });
  addArtifact(artifacts, { path: `${cwd}/node_modules` });
  for (const d of dirs) addArtifact(artifacts, { path: d, glob: d.includes('*') });
  // The server entry file when it is not in the output folder (`node server.js` next to `dist/`), also behind `npm start`.
  const entries = programPaths(i.program, i.workdir);
  const script = /^(npm|yarn|pnpm)$/.test(name) ? main.slice(1).filter((w) => !w.startsWith('-') && w !== 'run' && w !== 'run-script')[0] : undefined;
  const start = script ? packageScripts(i, cwd)?.[script] : undefined;
  const node = start ? /\bnode\s+(?:-\S+\s+)*([^\s&;|]+)/.exec(start) : undefined;
  if (node && !node[1]!.includes('$')) entries.push(normPath(`${cwd}/${node[1]}`));
  for (const p of entries) {
    if (!within(p, cwd) || artifacts.some((a) => within(p, a.path))) continue;
    // `node server/index.js` loads its siblings: the entry's top folder goes along.
    const top = p.slice(cwd.length + 1).split('/');
    addArtifact(artifacts, { path: top.length > 1 ? `${cwd}/${top[0]}` : p });
  }
  runtimeFiles(i, artifacts);
  setupTargets(i, artifacts);
  const pm = step.packageManager ?? 'npm';
  const berry = !!i.env.buildContext && (i.env.buildContext.exists('.yarnrc.yml') || /"packageManager"\s*:\s*"yarn@[2-9]/.test(i.env.buildContext.read('package.json') ?? ''));
  const prune = pm === 'npm' ? 'npm prune --omit=dev' : pm === 'pnpm' ? 'pnpm prune --prod' : berry ? 'yarn workspaces focus --all --production' : 'yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline';
  // The prune runs where the build stage ends: after its last RUN, COPY or ADD (later WORKDIRs move to the runtime stage).
  const lastBuild = [...stageOf(i).instructions].reverse().find((x) => x.keyword === 'RUN' || x.keyword === 'COPY' || x.keyword === 'ADD');
  const endDir = workdirAt(stageOf(i), (lastBuild?.index ?? 0) + 1, model(i));
  const builderAppend = [endDir === cwd ? prune : `cd ${cwd} && ${prune}`];
  const staticDir = dirs.length === 1 && !dirs[0]!.includes('*') && (servesFiles || !!build?.staticSite) ? dirs[0]! : undefined;
  return {
    ok: {
      kind: 'node',
      artifacts: dedupe(artifacts),
      builderEdits: [],
      builderAppend,
      runtimeRuns: [],
      static: false,
      distroless: undefined,
      usesPip: false,
      ldconfig: false,
      ...(staticDir ? { staticSite: { dir: staticDir } } : {}),
    },
  };
}

// ---------- Python ----------

const PIP_INSTALL_ONLY = ['-U', '--upgrade', '--user', '--force-reinstall', '-I', '--ignore-installed', '--no-warn-script-location', '--compile', '--no-compile', '--break-system-packages', '--no-warn-conflicts', '--upgrade-strategy', '--root-user-action', '--dry-run', '--report'];
const PIP_INSTALL_ONLY_VALUE = ['--upgrade-strategy', '--root-user-action', '--report'];
const PIP_UNSUPPORTED = ['-e', '--editable', '--user', '-t', '--target', '--prefix', '--root'];
const PIP_SELF = /^(pip|setuptools|wheel|pip-tools|uv)([<>=!~].*)?$/i;

/** `pip install --upgrade pip setuptools`: the tool itself, not the app's dependencies. */
export function isPipSelfUpgrade(step: Step): boolean {
  const pip = pipInstall(step.cmd);
  if (!pip) return false;
  const ops = operandsOf(pip.rest, ['-r', '--requirement', '-c', '--constraint', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--upgrade-strategy', '--root-user-action', '--progress-bar', '--python-version', '--platform', '--implementation', '--abi', '--report', '--config-settings', '-C']);
  return ops.length > 0 && ops.every((w) => PIP_SELF.test(w.text)) && !pip.rest.some((w) => w.text === '-r' || w.text === '--requirement' || w.text.startsWith('-r'));
}

/** An edit deleting a word and the blanks after it; a continuation line left empty goes too. */
function deleteWord(m: Model, inst: Inst, word: ShellWord): TextEdit {
  const script = inst.run!.script!;
  let [s, e] = script.docSpan(word.start, word.end);
  const text = m.text;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  const lineStart = text.lastIndexOf('\n', s - 1) + 1;
  let lineEnd = text.indexOf('\n', e);
  if (lineEnd < 0) lineEnd = text.length;
  const rest = text.slice(e, lineEnd).replace(/\r$/, '');
  if (/^[ \t]*$/.test(text.slice(lineStart, s)) && rest.trim() === m.escape) {
    return { range: m.range(lineStart, Math.min(text.length, lineEnd + 1)), newText: '' };
  }
  if (e >= lineEnd - (text[lineEnd - 1] === '\r' ? 1 : 0) && s > lineStart) {
    // The word ends the line: take the blanks before it instead.
    while (s > lineStart && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
    e = lineEnd - (text[lineEnd - 1] === '\r' ? 1 : 0);
  }
  return { range: m.range(s, e), newText: '' };
}

export function pythonPlan(i: PlanInput): PlanResult {
  const m = model(i);
  const steps = i.steps.filter((s) => s.ecosystem === 'python' && !isPipSelfUpgrade(s));
  const artifacts: Artifact[] = [];
  const builderEdits: TextEdit[] = [];
  const runtimeRuns: string[][] = [];
  let wheels: string | undefined;
  let tool = 'pip';
  let breakSystem = false;
  for (const s of steps) {
    const pip = pipInstall(s.cmd);
    if (s.pip?.kind === 'venv') {
      addArtifact(artifacts, { path: s.pip.venv! });
      continue;
    }
    if (s.pip?.kind === 'wheel') {
      wheels ??= s.outputs[0];
      tool = s.pip.tool;
      continue;
    }
    if (!pip) continue;
    const bad = pip.rest.find((w) => PIP_UNSUPPORTED.includes(w.text) || PIP_UNSUPPORTED.some((u) => u.startsWith('--') && w.text.startsWith(`${u}=`)));
    if (bad) return { none: `\`${s.label} ${bad.text}\` installs outside site-packages (or in editable mode), which wheels cannot carry` };
    if (s.inst.run!.execForm) return { none: `\`${s.label}\` is in an exec-form RUN, which has no shell to chain the wheel install` };
    tool = s.pip!.tool;
    if (pip.rest.some((w) => w.text === '--break-system-packages')) breakSystem = true;
    wheels = '/wheels';
    // pip install <args> → pip wheel --wheel-dir /wheels <args>; options only install knows are dropped.
    const script = s.inst.run!.script!;
    const [ws, we] = script.docSpan(pip.installWord.start, pip.installWord.end);
    builderEdits.push({ range: m.range(ws, we), newText: 'wheel --wheel-dir /wheels' });
    for (let k = 0; k < pip.rest.length; k++) {
      const w = pip.rest[k]!;
      const name = w.text.replace(/=.*$/, '');
      if (!PIP_INSTALL_ONLY.includes(name)) continue;
      builderEdits.push(deleteWord(m, s.inst, w));
      if (PIP_INSTALL_ONLY_VALUE.includes(w.text) && pip.rest[k + 1]) builderEdits.push(deleteWord(m, s.inst, pip.rest[++k]!));
    }
    // Later build steps (collectstatic, tests) still find the packages installed.
    if (usedLater(i, s)) {
      const args = pip.rest.map((w) => w.raw).join(' ');
      const edit = appendCommandEdit(m, s.inst.run!, s.cmd, `${tool} install --no-index --find-links /wheels ${args}`);
      if (!edit) return { none: `\`${s.label}\` is chained with \`||\`, \`;\` or a pipe, so the wheel install cannot follow it safely` };
      builderEdits.push(edit);
    }
  }
  // With BuildKit (the file already needs it), the wheels are mounted rather than copied into a layer of their own.
  const buildkit = usesBuildKit(m);
  const install = `${tool} install --no-cache-dir --no-index${breakSystem ? ' --break-system-packages' : ''} ${wheels}/*.whl`;
  if (wheels) runtimeRuns.push(buildkit ? [`--mount=type=bind,from=${STAGE},source=${wheels},target=${wheels} ${install}`] : [install, `rm -rf ${wheels}`]);
  // The application's own files: what was copied from the context, with what the build made of it.
  const sources = i.copies.filter((c) => c.kind === 'everything' || c.kind === 'folder' || c.kind === 'file');
  const picked = i.picked ?? [];
  for (const p of picked) addArtifact(artifacts, { path: p, glob: p.includes('*') });
  if (!picked.length) {
    for (const c of sources) {
      if (c.path === '/') return { ask: { reason: 'the sources are copied to / (no WORKDIR), so the application folder is not known', candidates: candidatesOf(i) } };
      if (c.kind === 'file' && i.steps.some((s) => s.cmd.args.some((a) => resolveIn(s.cwd, a.text) === c.path))) continue; // a requirements file
      addArtifact(artifacts, { path: c.kind === 'everything' || c.kind === 'folder' ? c.path : c.path });
    }
  }
  for (const s of i.steps) if (s.ecosystem !== 'python' && s.ecosystem !== 'java') for (const o of s.outputs) addArtifact(artifacts, { path: o });
  runtimeFiles(i, artifacts);
  setupTargets(i, artifacts);
  const list = dedupe(artifacts);
  if (wheels && list.some((a) => within(wheels!, a.path))) {
    return { none: `the wheel folder ${wheels} is inside the application folder` };
  }
  const wheelCopy: Artifact[] = wheels && !buildkit ? [{ path: wheels }] : [];
  return { ok: { kind: 'python', artifacts: [...wheelCopy, ...list], builderEdits, builderAppend: [], runtimeRuns, static: false, distroless: undefined, usesPip: !!wheels, ldconfig: false } };
}

/** Stands for the build stage's name in runtime RUNs (`--mount=from=`); replaced when the stage is written. */
export const STAGE = '\u0000stage\u0000';

/** Whether the file already needs BuildKit: RUN mounts, heredocs, a syntax directive, COPY --link/--chmod. */
function usesBuildKit(m: Model): boolean {
  if (m.comments.some((c) => c.line < 5 && /^syntax\s*=/.test(c.text))) return true;
  return m.instructions.some(
    (i) => i.heredocs.length > 0 || (i.run?.mounts.length ?? 0) > 0 || i.flags.some((f) => ['link', 'chmod', 'parents', 'exclude', 'checksum', 'network', 'security'].includes(f.name)),
  );
}

/** Whether build commands after a pip install use Python (so the build stage still needs the packages installed). */
function usedLater(i: PlanInput, step: Step): boolean {
  for (const inst of stageOf(i).instructions) {
    if (inst.index < step.inst.index || !inst.run || isPackageRun(inst) || isSetupRun(inst)) continue;
    for (const c of inst.run.commands) {
      if (inst === step.inst && c.start <= step.cmd.start) continue;
      if (pipInstall(c) || ['rm', 'echo', 'true', 'set', 'apt-get', 'apk', 'find', 'chmod', 'chown', 'mkdir', 'cp', 'mv', 'ln'].includes(c.name)) continue;
      return true;
    }
  }
  return false;
}
