import type { BuildContext } from '../model/build-context';
import type { Inst, Model, Stage } from '../model/model';
import type { ShellCommand, ShellWord } from '../model/shell';
import { childShellSpans, keyValues } from '../rules/lib/instruction-words';
import { contextSources, envValue, operandsOf, pipInstall, workdirAt, type SourceKind } from '../rules/lib/language-packages';
import type { BuilderImage } from './bases';

/**
 * What a single-stage build does, read from the model: where each build command runs and what it
 * writes (`go build -o`, `cargo build --release`, `gcc -o`, `make install`, `npm run build`, `mvn package`,
 * `pip install`), what the image runs (CMD/ENTRYPOINT), and which files come from the build context.
 * Only what can be known statically: a path behind an unknown variable is not guessed.
 */

// ---------- paths ----------

export function normPath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return abs ? `/${parts.join('/')}` : parts.join('/') || '.';
}

export function resolveIn(dir: string | undefined, p: string): string | undefined {
  if (p.startsWith('/')) return normPath(p);
  if (dir === undefined || p.startsWith('~')) return undefined;
  return normPath(`${dir}/${p}`);
}

export function within(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

export function basename(p: string): string {
  const n = p.replace(/\/+$/, '');
  return n.slice(n.lastIndexOf('/') + 1);
}

export function dirname(p: string): string {
  const n = p.replace(/\/+$/, '');
  const i = n.lastIndexOf('/');
  return i <= 0 ? '/' : n.slice(0, i);
}

/** Folders the shell looks programs up in, in a typical image. */
export const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** Where the base image and the package manager put things: not build output. */
const SYSTEM_DIRS = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/lib', '/lib64', '/usr/lib', '/usr/share', '/usr/libexec', '/dev', '/proc', '/sys', '/tmp', '/var/run', '/run'];

export function isSystemPath(p: string): boolean {
  return SYSTEM_DIRS.some((d) => within(p, d));
}

// ---------- words ----------

/** A shell word's value: ARG/ENV (and the variables the builder image sets, such as GOPATH) expanded; undefined when unknown. */
export function wordValue(inst: Inst, cmd: ShellCommand | undefined, text: string, imageEnv: Record<string, string>): string | undefined {
  if (!text.includes('$') && !text.includes('`')) return text;
  if (/\$\(|`/.test(text)) return undefined;
  let ok = true;
  const out = text.replace(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)|\$\{[^}]*\}/g, (whole, a: string | undefined, b: string | undefined) => {
    const name = a ?? b;
    if (!name) {
      ok = false;
      return whole;
    }
    const v = cmd ? envValue(inst, cmd, name) : { set: inst.scope.has(name), value: inst.scope.get(name)?.value };
    if (v.set && v.value !== undefined) return v.value;
    if (!v.set && imageEnv[name] !== undefined) return imageEnv[name]!;
    ok = false;
    return whole;
  });
  return ok ? out : undefined;
}

/** The directory a command runs in: the WORKDIR, then any `cd` before it in the same shell. */
const workdirCache = new WeakMap<Inst, string | undefined>();
const spansCache = new WeakMap<Inst, [number, number][]>();

export function cwdOf(model: Model, inst: Inst, cmd: ShellCommand, imageEnv: Record<string, string>): string | undefined {
  if (!workdirCache.has(inst)) workdirCache.set(inst, workdirAt(inst.stage, inst.index, model));
  let dir = workdirCache.get(inst);
  const run = inst.run;
  if (!run?.script) return dir;
  if (!run.commands.some((c) => c.start < cmd.start && (c.name === 'cd' || c.name === 'pushd'))) return dir;
  let spans = spansCache.get(inst);
  if (!spans) spansCache.set(inst, (spans = childShellSpans(run.script.text)));
  for (const c of run.commands) {
    if (c.start >= cmd.start) break;
    if (c.name !== 'cd' && c.name !== 'pushd') continue;
    // A cd in a subshell only counts for commands in the same subshell.
    if (spans.some(([s, e]) => c.start > s && c.start < e && !(cmd.start > s && cmd.start < e))) continue;
    const target = c.args.find((a) => !a.text.startsWith('-'));
    if (!target) return undefined;
    const v = wordValue(inst, c, target.text, imageEnv);
    dir = v === undefined ? undefined : resolveIn(dir, v);
  }
  return dir;
}

/** Words of a shell-form text, quotes removed (for CMD/ENTRYPOINT and `sh -c` strings). */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

// ---------- what the image runs ----------

export interface Program {
  /** ENTRYPOINT + CMD as the container gets them (shell form: `/bin/sh -c <text>`). */
  argv: string[];
  /** The command and its words after wrappers such as tini, gosu and `sh -c` are peeled off. */
  main: string[];
  /** Every word of CMD, ENTRYPOINT and HEALTHCHECK (and of their `sh -c` strings). */
  words: string[];
  /** No shell form anywhere (images without a shell can run it). */
  execForm: boolean;
  /** A HEALTHCHECK other than NONE. */
  healthcheck: boolean;
}

const WRAPPERS = new Set(['tini', 'dumb-init', 'exec', 'nice', 'nohup', 'catatonit', 'tini-static', 's6-svscan']);

export function programOf(stage: Stage): Program {
  const last = (k: string): Inst | undefined => [...stage.instructions].reverse().find((i) => i.keyword === k);
  const entry = last('ENTRYPOINT');
  const cmd = last('CMD');
  const health = last('HEALTHCHECK');
  const form = (i: Inst | undefined): string[] => (!i ? [] : (i.json ?? ['/bin/sh', '-c', i.argsText.text.trim()]));
  const argv = entry && !entry.json ? form(entry) : [...form(entry), ...form(cmd)];
  const execForm = (!entry || !!entry.json) && (!cmd || !!cmd.json || (!!entry && !entry.json));
  const expandShell = (words: string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (/^(\/bin\/|\/usr\/bin\/)?(sh|bash|ash|dash)$/.test(w) && words[i + 1] === '-c' && words[i + 2] !== undefined) {
        out.push(...shellWords(words[i + 2]!).filter((x) => !/^(&&|\|\||;|\||&)$/.test(x)));
        i += 2;
      } else out.push(w);
    }
    return out;
  };
  let main = expandShell(argv);
  for (;;) {
    const name = basename(main[0] ?? '');
    if (WRAPPERS.has(name)) main = main.slice(1).filter((w, i, a) => !(i < a.findIndex((x) => !x.startsWith('-')) && w.startsWith('-')));
    else if (name === '--') main = main.slice(1);
    else if (name === 'gosu' || name === 'su-exec') main = main.slice(2);
    else if (name === 'env') {
      let k = 1;
      while (k < main.length && (/^[A-Za-z_]\w*=/.test(main[k]!) || main[k]!.startsWith('-'))) k++;
      main = main.slice(k);
    } else break;
    if (!main.length) break;
  }
  const healthWords = health && !/^\s*NONE\b/i.test(health.argsText.text) ? shellWords(health.argsText.text.replace(/^.*?\bCMD\b/is, '')) : [];
  const words = [...expandShell(argv), ...expandShell(healthWords)];
  const healthcheck = !!health && !/^\s*NONE\b/i.test(health.argsText.text);
  return { argv, main, words, execForm: execForm && (!healthcheck || /\bCMD\s*\[/i.test(health!.argsText.text)), healthcheck };
}

const SCRIPT_FILE = /\.(js|mjs|cjs|py|jar|war|sh|rb|php|pl)$/;

/** Paths the program names (its binary, scripts, jars, config files), resolved against the final WORKDIR. */
export function programPaths(program: Program, workdir: string | undefined): string[] {
  const out: string[] = [];
  for (const w of program.main) {
    if (w.includes('$') || /^[a-z]+:\/\//i.test(w)) continue;
    const opt = /^--?[\w-]+=(.+)$/.exec(w);
    const v = opt ? opt[1]! : w;
    if (v.startsWith('-')) continue;
    if (!(v.includes('/') || SCRIPT_FILE.test(v))) continue;
    for (const part of v.split(':')) {
      if (!part || (!part.includes('/') && !SCRIPT_FILE.test(part))) continue;
      const p = resolveIn(workdir, part);
      if (p && !out.includes(p)) out.push(p);
    }
  }
  return out;
}

// ---------- files from the build context ----------

export interface ContextCopy {
  inst: Inst;
  /** Absolute destination of one source: the file, or the folder its contents land in. */
  path: string;
  kind: SourceKind;
  /** The source as written. */
  source: string;
  chown: string | undefined;
}

/** Every COPY/ADD from the build context, one entry per source, with where it lands. */
export function contextCopies(model: Model, stage: Stage): ContextCopy[] {
  const out: ContextCopy[] = [];
  for (const inst of stage.instructions) {
    if (inst.keyword !== 'COPY' && inst.keyword !== 'ADD') continue;
    const sources = contextSources(inst, model);
    if (!sources) continue;
    const words = inst.json ?? shellWords(inst.argsText.text);
    const destRaw = words[words.length - 1] ?? '';
    const dest = inst.scope.expand(destRaw, model.escape);
    if (!dest.certain) continue;
    const abs = resolveIn(workdirAt(stage, inst.index, model), dest.text);
    if (!abs) continue;
    const toDir = dest.text.endsWith('/') || sources.length > 1;
    const chown = inst.flags.find((f) => f.name === 'chown')?.value ?? undefined;
    for (const s of sources) {
      if (s.kind === 'unknown') continue;
      const file = s.kind === 'file' || s.kind === 'manifest';
      const path = file && (toDir || dest.text === '.' || dest.text === './') ? normPath(`${abs}/${basename(s.text)}`) : abs;
      out.push({ inst, path, kind: s.kind, source: s.text, chown });
    }
  }
  return out;
}

// ---------- files RUN commands write ----------

export interface Written {
  path: string;
  /** The files it was copied or moved from (`cp`, `mv`, `install`), resolved. */
  from: string[];
  moved: boolean;
  /** The command creates the file (not only `chmod +x` on it). */
  creates: boolean;
  inst: Inst;
  cmd: ShellCommand;
}

const DIR_DESTS = /^\/(usr\/local\/(s?bin|lib|lib64|include|share)|usr\/s?bin|s?bin|opt|app|srv|out|dist|build|artifacts?|release)\/?$/;

/** Paths written by `cp`, `mv`, `install`, `ln -s`, `curl -o`, `wget -O`, and made executable by `chmod`. */
export function writtenPaths(model: Model, stage: Stage, imageEnv: Record<string, string>): Written[] {
  const out: Written[] = [];
  for (const inst of stage.instructions) {
    if (!inst.run) continue;
    for (const cmd of inst.run.commands) {
      const cwd = cwdOf(model, inst, cmd, imageEnv);
      const value = (w: ShellWord): string | undefined => {
        const v = wordValue(inst, cmd, w.text, imageEnv);
        return v === undefined ? undefined : resolveIn(cwd, v);
      };
      const n = cmd.name;
      if (n === 'cp' || n === 'mv' || n === 'install' || n === 'ln') {
        if (n === 'install' && cmd.args.some((a) => a.text === '-d' || a.text === '--directory')) continue;
        if (n === 'ln' && !cmd.args.some((a) => /^-[a-zA-Z]*s/.test(a.text))) continue;
        const withValue = n === 'install' ? ['-m', '--mode', '-o', '--owner', '-g', '--group', '-t', '--target-directory', '-S', '--suffix'] : ['-t', '--target-directory', '-S', '--suffix'];
        const ops = operandsOf(cmd.args, withValue);
        const tIdx = cmd.args.findIndex((a) => a.text === '-t' || a.text === '--target-directory');
        const targetDir = tIdx >= 0 ? cmd.args[tIdx + 1] : cmd.args.find((a) => a.text.startsWith('--target-directory='));
        let destWord: ShellWord | undefined;
        let srcWords: ShellWord[];
        if (targetDir) {
          srcWords = ops;
        } else {
          destWord = ops[ops.length - 1];
          srcWords = ops.slice(0, -1);
        }
        if (!srcWords.length) continue;
        const destText = targetDir ? targetDir.text.replace(/^--target-directory=/, '') : destWord!.text;
        const destV = wordValue(inst, cmd, destText, imageEnv);
        const dest = destV === undefined ? undefined : resolveIn(cwd, destV);
        if (!dest) continue;
        const from = srcWords.map(value).filter((x): x is string => !!x);
        const intoDir = !!targetDir || destText.endsWith('/') || srcWords.length > 1 || DIR_DESTS.test(dest);
        if (intoDir) {
          for (const s of srcWords) {
            const src = value(s);
            if (src && !src.includes('*')) out.push({ path: normPath(`${dest}/${basename(src)}`), from: [src], moved: n === 'mv', creates: true, inst, cmd });
            else if (src) out.push({ path: dest, from: [src], moved: n === 'mv', creates: true, inst, cmd });
          }
        } else out.push({ path: dest, from, moved: n === 'mv', creates: true, inst, cmd });
        continue;
      }
      if (n === 'curl' || n === 'wget') {
        const flag = n === 'curl' ? ['-o', '--output'] : ['-O', '--output-document'];
        const i = cmd.args.findIndex((a) => flag.includes(a.text));
        const w = i >= 0 ? cmd.args[i + 1] : undefined;
        const p = w && value(w);
        if (p && p !== '/dev/null' && p !== '-') out.push({ path: p, from: [], moved: false, creates: true, inst, cmd });
        continue;
      }
      if (n === 'chmod' && cmd.args.some((a) => /^[ugoa]*\+[rwxXst]*x/.test(a.text) || /^\d*[1357]\d*$/.test(a.text))) {
        const ops = operandsOf(cmd.args).slice(1);
        for (const w of ops) {
          const p = value(w);
          if (p && !p.includes('*')) out.push({ path: p, from: [], moved: false, creates: false, inst, cmd });
        }
      }
    }
  }
  return out;
}

/** Owners given to paths (`COPY --chown`, `chown -R`), so a runtime COPY can give them the same owner. */
export function ownersOf(model: Model, stage: Stage, copies: ContextCopy[], imageEnv: Record<string, string>): { path: string; owner: string }[] {
  const out: { path: string; owner: string }[] = [];
  for (const c of copies) if (c.chown) out.push({ path: c.path, owner: c.chown });
  for (const inst of stage.instructions) {
    for (const cmd of inst.run?.commands ?? []) {
      if (cmd.name !== 'chown') continue;
      const ops = operandsOf(cmd.args, ['--reference', '--from']);
      const owner = ops[0];
      if (!owner || owner.dynamic) continue;
      const cwd = cwdOf(model, inst, cmd, imageEnv);
      for (const w of ops.slice(1)) {
        const v = wordValue(inst, cmd, w.text, imageEnv);
        const p = v === undefined ? undefined : resolveIn(cwd, v);
        if (p) out.push({ path: p, owner: owner.text });
      }
    }
  }
  return out;
}

// ---------- build steps ----------

export type Ecosystem = 'go' | 'rust' | 'c' | 'node' | 'python' | 'java';

export interface Step {
  ecosystem: Ecosystem;
  inst: Inst;
  cmd: ShellCommand;
  /** How the command is written, for titles and reasons: `go build`. */
  label: string;
  cwd: string | undefined;
  /** What it writes, when that is known: absolute paths of files or folders. */
  outputs: string[];
  /** Where the output may be, when it is not known (offered in the quick pick). */
  candidates: string[];
  /** Its output is a static binary: CGO_ENABLED=0, a musl target, `-static`. */
  static: boolean;
  /** `make install` and the like: copy the whole prefix. */
  prefix?: string;
  /** npm, yarn or pnpm for a Node build. */
  packageManager?: 'npm' | 'yarn' | 'pnpm';
  /** Node build: the script it runs (`build`). */
  script?: string;
  /** Python: the pip install (rewritten to build wheels), or `venv` when it installs into a virtual environment. */
  pip?: { kind: 'install' | 'wheel' | 'venv'; venv?: string; tool: string };
}

export interface ScanEnv {
  model: Model;
  stage: Stage;
  builder: BuilderImage;
  buildContext: BuildContext | undefined;
}

const GO_VALUE = ['-o', '-C', '-ldflags', '-gcflags', '-asmflags', '-tags', '-mod', '-modfile', '-p', '-pkgdir', '-buildmode', '-compiler', '-gccgoflags', '-installsuffix', '-overlay', '-pgo', '-toolexec', '-covermode', '-coverpkg'];
const CARGO_VALUE = ['--bin', '--target', '--target-dir', '--manifest-path', '--profile', '-p', '--package', '--features', '-F', '-j', '--jobs', '--root', '--path', '--config', '-Z', '--example', '--color', '--message-format', '--git', '--branch', '--tag', '--rev', '--version', '--index', '--registry'];

/** The container path of a build-context file, through the COPY that put it there. */
function contextPathOf(copies: ContextCopy[], path: string): string | undefined {
  for (const c of [...copies].reverse()) {
    if (c.kind === 'everything' && within(path, c.path)) {
      const rel = path === c.path ? '' : path.slice(c.path === '/' ? 1 : c.path.length + 1);
      return rel;
    }
    if (c.kind === 'folder' && within(path, c.path)) {
      const rel = path === c.path ? '' : path.slice(c.path === '/' ? 1 : c.path.length + 1);
      const src = c.source.replace(/^\.?\/+/, '').replace(/\/+$/, '');
      return rel ? `${src}/${rel}` : src;
    }
    if ((c.kind === 'file' || c.kind === 'manifest') && c.path === path) return c.source.replace(/^\.?\/+/, '');
  }
  return undefined;
}

/** A build-context file copied to `path` in the image, if the context is known and has it. */
export function readCopied(env: ScanEnv, copies: ContextCopy[], path: string): string | undefined {
  if (!env.buildContext) return undefined;
  const rel = contextPathOf(copies, path);
  return rel === undefined ? undefined : env.buildContext.read(rel);
}

function goModuleName(env: ScanEnv, copies: ContextCopy[], dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  for (let d = dir; ; d = dirname(d)) {
    const mod = readCopied(env, copies, normPath(`${d}/go.mod`));
    if (mod) {
      const m = /^module\s+(\S+)/m.exec(mod);
      if (!m) return undefined;
      const parts = m[1]!.replace(/["']/g, '').split('/');
      const last = parts[parts.length - 1]!;
      return /^v\d+$/.test(last) && parts.length > 1 ? parts[parts.length - 2] : last;
    }
    if (d === '/') return undefined;
  }
}

/** `[package] name` and `[[bin]] name`s of a Cargo.toml; undefined when there is none or it is a virtual workspace. */
export function cargoBinaries(toml: string): string[] | undefined {
  const names: string[] = [];
  let section = '';
  let pkg: string | undefined;
  for (const line of toml.split(/\r?\n/)) {
    const t = line.replace(/#.*$/, '').trim();
    const sec = /^\[\[?\s*([\w.-]+)\s*\]\]?$/.exec(t);
    if (sec) {
      section = t.startsWith('[[') ? `[[${sec[1]}]]` : sec[1]!;
      continue;
    }
    const kv = /^([\w-]+)\s*=\s*["']([^"']*)["']/.exec(t);
    if (section === 'package' && kv?.[1] === 'name') pkg = kv[2];
    if (section === '[[bin]]' && kv?.[1] === 'name') names.push(kv[2]!);
  }
  if (!pkg) return undefined;
  return names.length ? names : [pkg];
}

function goStep(env: ScanEnv, copies: ContextCopy[], inst: Inst, cmd: ShellCommand): Step | undefined {
  const ops = operandsOf(cmd.args, GO_VALUE);
  const sub = ops[0]?.text;
  if (sub !== 'build' && sub !== 'install') return undefined;
  const img = env.builder.env;
  let cwd = cwdOf(env.model, inst, cmd, img);
  const flag = (name: string): string | undefined => {
    for (let i = 0; i < cmd.args.length; i++) {
      const t = cmd.args[i]!.text;
      if (t === name || t === `-${name}`) return cmd.args[i + 1]?.text;
      if (t.startsWith(`${name}=`) || t.startsWith(`-${name}=`)) return t.slice(t.indexOf('=') + 1);
    }
    return undefined;
  };
  const dirFlag = flag('-C');
  if (dirFlag !== undefined) {
    const v = wordValue(inst, cmd, dirFlag, img);
    cwd = v === undefined ? undefined : resolveIn(cwd, v);
  }
  const cgo = envValue(inst, cmd, 'CGO_ENABLED');
  const ldflags = flag('-ldflags') ?? '';
  const isStatic = (cgo.set && cgo.value === '0') || /-static\b/.test(ldflags);
  const pkgs = ops.slice(1).filter((w) => !w.text.startsWith('-'));
  const step: Step = { ecosystem: 'go', inst, cmd, label: `go ${sub}`, cwd, outputs: [], candidates: [], static: isStatic };
  const nameOf = (pkg: string | undefined): string | undefined => {
    if (pkg === undefined || pkg === '.' || pkg === './') return goModuleName(env, copies, cwd) ?? undefined;
    if (pkg.includes('...')) return undefined;
    if (pkg.endsWith('.go')) return basename(pkg).slice(0, -3);
    const clean = pkg.replace(/@.*$/, '').replace(/\/+$/, '');
    const parts = clean.split('/');
    const last = parts[parts.length - 1]!;
    return /^v\d+$/.test(last) && parts.length > 1 ? parts[parts.length - 2] : last;
  };
  if (sub === 'build') {
    const out = flag('-o');
    if (out !== undefined) {
      const v = wordValue(inst, cmd, out, img);
      const p = v === undefined ? undefined : resolveIn(cwd, v);
      if (p) step.outputs.push(p);
      return step;
    }
    if (pkgs.length <= 1 && cwd) {
      const name = nameOf(pkgs[0]?.text);
      if (name && !name.includes('$')) step.outputs.push(normPath(`${cwd}/${name}`));
      else step.candidates.push(cwd);
    }
    return step;
  }
  const gobin = envValue(inst, cmd, 'GOBIN');
  const gopath = envValue(inst, cmd, 'GOPATH');
  const bin = gobin.set && gobin.value ? gobin.value : `${gopath.set ? gopath.value : img.GOPATH ?? `${img.HOME}/go`}/bin`;
  if (bin.includes('undefined') || !bin.startsWith('/')) return step;
  for (const p of pkgs.length ? pkgs : [undefined]) {
    const name = nameOf(p?.text);
    if (name && !name.includes('$')) step.outputs.push(normPath(`${bin}/${name}`));
    else step.candidates.push(normPath(bin));
  }
  return step;
}

function cargoStep(env: ScanEnv, copies: ContextCopy[], inst: Inst, cmd: ShellCommand): Step | undefined {
  const ops = operandsOf(cmd.args, CARGO_VALUE);
  const sub = ops[0]?.text;
  if (sub !== 'build' && sub !== 'install' && sub !== 'b') return undefined;
  const img = env.builder.env;
  const cwd = cwdOf(env.model, inst, cmd, img);
  const values = (name: string, short?: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i < cmd.args.length; i++) {
      const t = cmd.args[i]!.text;
      if (t === name || (short && t === short)) out.push(cmd.args[i + 1]?.text ?? '');
      else if (t.startsWith(`${name}=`)) out.push(t.slice(name.length + 1));
    }
    return out;
  };
  const val = (text: string | undefined): string | undefined => (text === undefined ? undefined : wordValue(inst, cmd, text, img));
  const envTarget = envValue(inst, cmd, 'CARGO_BUILD_TARGET');
  const target = val(values('--target')[0]) ?? (envTarget.set ? envTarget.value : undefined);
  const musl = /musl/.test(target ?? '') || (env.builder.family === 'alpine' && !target);
  const step: Step = { ecosystem: 'rust', inst, cmd, label: `cargo ${sub === 'b' ? 'build' : sub}`, cwd, outputs: [], candidates: [], static: musl };
  const manifest = val(values('--manifest-path')[0]);
  const pathArg = val(values('--path')[0]);
  const projectDir = manifest ? resolveIn(cwd, dirname(manifest)) : sub === 'install' && pathArg ? resolveIn(cwd, pathArg) : cwd;
  const bins = values('--bin').map(val);
  let names: string[] | undefined = bins.length && bins.every((b): b is string => !!b) ? bins : undefined;
  if (!names && projectDir && !values('-p', '--package').length) {
    const toml = readCopied(env, copies, normPath(`${projectDir}/Cargo.toml`));
    if (toml) names = cargoBinaries(toml);
  }
  if (sub === 'install') {
    const root = val(values('--root')[0]);
    const envRoot = envValue(inst, cmd, 'CARGO_INSTALL_ROOT');
    const home = envValue(inst, cmd, 'CARGO_HOME');
    const dir = root ? resolveIn(cwd, root) : envRoot.set && envRoot.value ? envRoot.value : home.set && home.value ? home.value : (img.CARGO_HOME ?? `${img.HOME}/.cargo`);
    if (!dir) return step;
    const binDir = normPath(`${dir}/bin`);
    if (!pathArg && !bins.length) names = undefined; // `cargo install ripgrep` installs `rg`: the crate name is not the binary's
    if (names) step.outputs.push(...names.map((n) => `${binDir}/${n}`));
    else step.candidates.push(binDir);
    return step;
  }
  const profileArg = val(values('--profile')[0]);
  const profile = cmd.args.some((a) => a.text === '--release' || a.text === '-r') ? 'release' : profileArg ? (profileArg === 'dev' || profileArg === 'test' ? 'debug' : profileArg) : 'debug';
  const envDir = envValue(inst, cmd, 'CARGO_TARGET_DIR');
  const targetDirArg = val(values('--target-dir')[0]);
  const targetDir = targetDirArg ? resolveIn(cwd, targetDirArg) : envDir.set && envDir.value ? resolveIn(cwd, envDir.value) : projectDir ? `${projectDir}/target` : undefined;
  if (!targetDir) return step;
  const dir = normPath(`${targetDir}/${target ? `${target}/` : ''}${profile}`);
  if (names) step.outputs.push(...names.map((n) => `${dir}/${n}`));
  else step.candidates.push(dir);
  return step;
}

const COMPILER = /^(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|c99|tcc|[\w.-]+-linux-gnu-(gcc|g\+\+)|[\w.-]+-linux-musl-(gcc|g\+\+))(-\d+)?$/;

/** The install prefix a `./configure --prefix`, `cmake -DCMAKE_INSTALL_PREFIX` or `meson --prefix` set up before `cmd`. */
function configuredPrefix(env: ScanEnv, before: Inst, cmd: ShellCommand, cwd: string | undefined): string | undefined {
  let prefix: string | undefined;
  for (const inst of env.stage.instructions) {
    if (inst.index > before.index) break;
    for (const c of inst.run?.commands ?? []) {
      if (inst === before && c.start >= cmd.start) break;
      // The configure of this project: run in the same folder (cmake's build folder is often another one).
      if ((c.name === 'configure' || c.name === 'meson') && cwdOf(env.model, inst, c, env.builder.env) !== cwd) continue;
      if (c.name === 'configure' || c.name === 'cmake' || c.name === 'meson') {
        for (let i = 0; i < c.args.length; i++) {
          const t = c.args[i]!.text;
          const m = /^(?:--prefix=|-DCMAKE_INSTALL_PREFIX(?::\w+)?=)(.*)$/.exec(t);
          if (m) prefix = wordValue(inst, c, m[1]!, env.builder.env);
          else if (t === '--prefix') prefix = wordValue(inst, c, c.args[i + 1]?.text ?? '', env.builder.env);
        }
      }
    }
  }
  return prefix;
}

function cStep(env: ScanEnv, inst: Inst, cmd: ShellCommand): Step | undefined {
  const img = env.builder.env;
  const n = cmd.name;
  if (COMPILER.test(n)) {
    if (cmd.args.some((a) => ['-c', '-E', '-S', '-M', '-MM', '--version', '-v', '-dumpversion', '-dumpmachine', '--help'].includes(a.text))) return undefined;
    if (!cmd.args.length) return undefined;
    const cwd = cwdOf(env.model, inst, cmd, img);
    const step: Step = { ecosystem: 'c', inst, cmd, label: n, cwd, outputs: [], candidates: [], static: cmd.args.some((a) => a.text === '-static') };
    let out: string | undefined = 'a.out';
    for (let i = 0; i < cmd.args.length; i++) {
      const t = cmd.args[i]!.text;
      if (t === '-o') out = cmd.args[i + 1]?.text;
      else if (/^-o./.test(t)) out = t.slice(2);
    }
    const v = out === undefined ? undefined : wordValue(inst, cmd, out, img);
    const p = v === undefined ? undefined : resolveIn(cwd, v);
    if (p) step.outputs.push(p);
    else if (cwd) step.candidates.push(cwd);
    return step;
  }
  const isMake = n === 'make' || n === 'gmake' || n === 'ninja' || n === 'samu';
  const isCmake = n === 'cmake' && cmd.args.some((a) => a.text === '--build' || a.text === '--install');
  const isMeson = n === 'meson' && ['compile', 'install'].includes(cmd.args.find((a) => !a.text.startsWith('-'))?.text ?? '');
  if (!isMake && !isCmake && !isMeson) return undefined;
  let cwd = cwdOf(env.model, inst, cmd, img);
  const dirFlag = cmd.args.findIndex((a) => a.text === '-C' || a.text === '--directory');
  if (dirFlag >= 0 && isMake) {
    const v = wordValue(inst, cmd, cmd.args[dirFlag + 1]?.text ?? '', img);
    cwd = v === undefined ? undefined : resolveIn(cwd, v);
  }
  const targets = operandsOf(cmd.args, ['-C', '--directory', '-f', '--file', '-j', '--jobs', '-l', '-I', '-o', '-W', '--build', '--install', '--prefix', '--config', '--target', '--component']);
  const install = isCmake ? cmd.args.some((a) => a.text === '--install') : targets.some((t) => /^install(-[\w-]+)?$/.test(t.text));
  const label = isCmake ? `cmake ${install ? '--install' : '--build'}` : `${n}${install ? ' install' : ''}`;
  const step: Step = { ecosystem: 'c', inst, cmd, label, cwd, outputs: [], candidates: [], static: false };
  if (!install) {
    const buildDir = isCmake ? cmd.args[cmd.args.findIndex((a) => a.text === '--build') + 1]?.text : undefined;
    const dir = buildDir ? resolveIn(cwd, wordValue(inst, cmd, buildDir, img) ?? '') : cwd;
    if (dir) step.candidates.push(dir);
    return step;
  }
  const assigned = (name: string): string | undefined => {
    const a = targets.find((t) => t.text.startsWith(`${name}=`));
    return a ? wordValue(inst, cmd, a.text.slice(name.length + 1), img) : undefined;
  };
  const prefixFlag = cmd.args.findIndex((a) => a.text === '--prefix');
  let prefix = isCmake && prefixFlag >= 0 ? wordValue(inst, cmd, cmd.args[prefixFlag + 1]?.text ?? '', img) : (assigned('PREFIX') ?? assigned('prefix'));
  prefix ??= configuredPrefix(env, inst, cmd, cwd) ?? '/usr/local';
  const destdir = assigned('DESTDIR') ?? (envValue(inst, cmd, 'DESTDIR').set ? envValue(inst, cmd, 'DESTDIR').value : '');
  if (prefix === undefined || destdir === undefined) return step;
  const root = normPath(`${destdir || ''}/${prefix}`.replace(/^\/\//, '/'));
  step.prefix = root;
  const shared = root === '/' || root === '/usr' || (root === '/usr/local' && env.builder.usrLocalTaken);
  if (shared) step.candidates.push(`${root === '/' ? '' : root}/bin`, root);
  else step.outputs.push(root);
  return step;
}

/** `npm run build`, `yarn build`, `pnpm run build:prod`: the build script of a Node project. */
function nodeStep(env: ScanEnv, inst: Inst, cmd: ShellCommand): Step | undefined {
  if (!['npm', 'yarn', 'pnpm'].includes(cmd.name)) return undefined;
  const ops = operandsOf(cmd.args, ['--prefix', '-C', '--cwd', '-w', '--workspace', '--filter', '-F', '--dir']);
  const i = ops[0]?.text === 'run' || ops[0]?.text === 'run-script' ? 1 : cmd.name === 'npm' ? -1 : 0;
  const script = i >= 0 ? ops[i] : undefined;
  if (!script || !/^build(:[\w:-]+)?$/.test(script.text)) return undefined;
  const cwd = cwdOf(env.model, inst, cmd, env.builder.env);
  return { ecosystem: 'node', inst, cmd, label: `${cmd.name} ${ops.slice(0, i + 1).map((w) => w.text).join(' ')}`, cwd, outputs: [], candidates: [], static: false, packageManager: cmd.name as 'npm' | 'yarn' | 'pnpm', script: script.text };
}

function pythonStep(env: ScanEnv, inst: Inst, cmd: ShellCommand): Step | undefined {
  const img = env.builder.env;
  const pip = pipInstall(cmd);
  const wheel = !pip && /^pip[\d.]*$/.test(cmd.name) && operandsOf(cmd.args)[0]?.text === 'wheel';
  if (!pip && !wheel) return undefined;
  if (pip?.uv) return undefined;
  const cwd = cwdOf(env.model, inst, cmd, img);
  const tool = /^pip/.test(cmd.name) ? cmd.nameWord.text : `${cmd.nameWord.text} -m pip`;
  const step: Step = { ecosystem: 'python', inst, cmd, label: `${tool} ${wheel ? 'wheel' : 'install'}`, cwd, outputs: [], candidates: [], static: false };
  if (wheel) {
    const i = cmd.args.findIndex((a) => a.text === '-w' || a.text === '--wheel-dir');
    const raw = i >= 0 ? cmd.args[i + 1]?.text : cmd.args.find((a) => a.text.startsWith('--wheel-dir='))?.text.slice('--wheel-dir='.length);
    const v = raw === undefined ? cwd : wordValue(inst, cmd, raw, img);
    const p = v === undefined ? undefined : resolveIn(cwd, v);
    if (p) step.outputs.push(p);
    step.pip = { kind: 'wheel', tool };
    return step;
  }
  // pip from a virtual environment (`/opt/venv/bin/pip`, or a PATH that starts with one).
  const venvOf = (dir: string): string | undefined => (/\/bin$/.test(dir) ? dirname(dir) : undefined);
  let venv = cmd.nameWord.text.includes('/') ? venvOf(dirname(resolveIn(cwd, wordValue(inst, cmd, cmd.nameWord.text, img) ?? '') ?? '')) : undefined;
  if (!venv) {
    const virtualEnv = envValue(inst, cmd, 'VIRTUAL_ENV');
    if (virtualEnv.set && virtualEnv.value?.startsWith('/')) venv = normPath(virtualEnv.value);
    else {
      // `ENV PATH="/opt/venv/bin:$PATH"`: the value is not known ($PATH comes from the image), its first entry is.
      const first = pathHead(env, inst, cmd);
      if (first && first.startsWith('/') && /\/bin$/.test(first) && createsVenv(env, dirname(first))) venv = normPath(dirname(first));
    }
  }
  step.pip = venv ? { kind: 'venv', venv, tool } : { kind: 'install', tool };
  if (venv) step.outputs.push(venv);
  return step;
}

/** The first entry of PATH for a command: its own `PATH=` prefix, or the last ENV PATH before it (variables in it expanded when known). */
function pathHead(env: ScanEnv, inst: Inst, cmd: ShellCommand): string | undefined {
  const own = cmd.assignments.find((a) => a.name === 'PATH');
  let raw = own?.value;
  if (raw === undefined) {
    for (const i of env.stage.instructions) {
      if (i.index >= inst.index) break;
      if (i.keyword !== 'ENV') continue;
      for (const p of envPairs(i, env.model.escape)) if (p.key === 'PATH') raw = p.text.slice(p.legacy ? 4 : 5).trim().replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  const head = raw?.split(':')[0];
  return head === undefined ? undefined : wordValue(inst, undefined, head, env.builder.env);
}

/** Whether a RUN creates a virtual environment in `dir` (`python -m venv`, `virtualenv`, `uv venv`). */
function createsVenv(env: ScanEnv, dir: string): boolean {
  for (const inst of env.stage.instructions) {
    for (const c of inst.run?.commands ?? []) {
      const words = c.args.map((a) => a.text);
      const venvArg = /^python/.test(c.name) && words.includes('venv') ? words[words.indexOf('venv') + 1] : c.name === 'virtualenv' || (c.name === 'uv' && words[0] === 'venv') ? words.filter((w) => !w.startsWith('-') && w !== 'venv')[0] : undefined;
      if (!venvArg) continue;
      const p = resolveIn(cwdOf(env.model, inst, c, env.builder.env), wordValue(inst, c, venvArg, env.builder.env) ?? '');
      if (p === dir) return true;
    }
  }
  return false;
}

const MAVEN_GOALS = /^(package|install|verify|deploy|[\w.-]+:(repackage|jar|single|shade))$/;
const GRADLE_TASKS = /^(:?[\w-]+:)*(build|assemble|bootJar|jar|shadowJar|installDist|installBootDist|bootWar|war)$/;

function javaStep(env: ScanEnv, inst: Inst, cmd: ShellCommand): Step | undefined {
  const img = env.builder.env;
  const n = cmd.name;
  if (n === 'mvn' || n === 'mvnw' || n === 'mvnd') {
    const goals = operandsOf(cmd.args, ['-f', '--file', '-s', '--settings', '-P', '-pl', '--projects', '-T', '-D', '-gs', '-t', '-rf', '-e', '-l', '-b']);
    if (!goals.some((g) => MAVEN_GOALS.test(g.text))) return undefined;
    const cwd = cwdOf(env.model, inst, cmd, img);
    const f = cmd.args.findIndex((a) => a.text === '-f' || a.text === '--file');
    const pom = f >= 0 ? wordValue(inst, cmd, cmd.args[f + 1]?.text ?? '', img) : undefined;
    const dir = pom === undefined ? cwd : resolveIn(cwd, pom.endsWith('.xml') ? dirname(pom) : pom);
    return { ecosystem: 'java', inst, cmd, label: `${n} ${goals.map((g) => g.text).join(' ')}`, cwd, outputs: dir ? [`${dir === '/' ? '' : dir}/target`] : [], candidates: [], static: false };
  }
  if (n === 'gradle' || n === 'gradlew') {
    const tasks = operandsOf(cmd.args, ['-p', '--project-dir', '-x', '--exclude-task', '-D', '-P', '-b', '--build-file', '-c', '--settings-file', '-g', '--gradle-user-home', '--init-script', '-I', '--max-workers']);
    const found = tasks.filter((t) => GRADLE_TASKS.test(t.text));
    if (!found.length) return undefined;
    let cwd = cwdOf(env.model, inst, cmd, img);
    const p = cmd.args.findIndex((a) => a.text === '-p' || a.text === '--project-dir');
    if (p >= 0) cwd = resolveIn(cwd, wordValue(inst, cmd, cmd.args[p + 1]?.text ?? '', img) ?? '');
    const outputs: string[] = [];
    for (const t of found) {
      const project = t.text.split(':').filter(Boolean).slice(0, -1).join('/');
      const base = cwd === undefined ? undefined : normPath(`${cwd}/${project}`);
      const kind = /install/.test(t.text) ? 'build/install' : 'build/libs';
      if (base && !outputs.includes(`${base === '/' ? '' : base}/${kind}`)) outputs.push(`${base === '/' ? '' : base}/${kind}`);
    }
    return { ecosystem: 'java', inst, cmd, label: `${n} ${found.map((t) => t.text).join(' ')}`, cwd, outputs, candidates: [], static: false };
  }
  return undefined;
}

/** Every build command of the stage, in order. */
export function buildSteps(env: ScanEnv, copies: ContextCopy[]): Step[] {
  const out: Step[] = [];
  for (const inst of env.stage.instructions) {
    for (const cmd of inst.run?.commands ?? []) {
      const step =
        (cmd.name === 'go' ? goStep(env, copies, inst, cmd) : undefined) ??
        (cmd.name === 'cargo' ? cargoStep(env, copies, inst, cmd) : undefined) ??
        cStep(env, inst, cmd) ??
        nodeStep(env, inst, cmd) ??
        pythonStep(env, inst, cmd) ??
        javaStep(env, inst, cmd);
      if (step) out.push(step);
    }
  }
  return out;
}

/** Commands that build or run the application's code: a RUN with one of them belongs to the build stage. */
const TOOLCHAIN_COMMANDS = new Set([
  'go', 'gofmt', 'cargo', 'rustc', 'rustup', 'npm', 'npx', 'yarn', 'pnpm', 'bun', 'node', 'deno', 'corepack', 'pip', 'pip3', 'pipx', 'python', 'python2', 'python3',
  'poetry', 'uv', 'pipenv', 'pdm', 'conda', 'mamba', 'mvn', 'mvnw', 'mvnd', 'gradle', 'gradlew', 'java', 'javac', 'jar', 'ant', 'sbt', 'make', 'gmake', 'cmake',
  'ninja', 'samu', 'meson', 'gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'ld', 'as', 'configure', 'autoreconf', 'autoconf', 'automake', 'libtool', 'bundle',
  'bundler', 'gem', 'rake', 'rails', 'composer', 'php', 'pecl', 'phpize', 'docker-php-ext-install', 'docker-php-ext-configure', 'docker-php-ext-enable', 'dotnet',
  'git', 'mix', 'rebar3', 'stack', 'cabal', 'ghc', 'swift', 'zig', 'cd', 'pushd', 'source', '.', 'eval', 'xargs', 'find', 'apt-get', 'apt', 'apk', 'dnf', 'yum',
  'microdnf', 'tdnf', 'dpkg', 'rpm', 'zypper', 'sh', 'bash', 'dash', 'ash', 'zsh',
]);

/**
 * Whether a RUN configures the system rather than building the application (users, folders, permissions,
 * links, configuration of installed packages, downloads to absolute paths): it runs no toolchain or package
 * manager command, and every path it names is absolute. Such a RUN can run again in the runtime stage.
 */
export function isSetupRun(inst: Inst): boolean {
  const run = inst.run;
  if (!run?.script || run.execForm || !run.commands.length || inst.heredocs.length || run.mounts.length) return false;
  if (run.shell?.hasError) return false;
  for (const c of run.commands) {
    if (TOOLCHAIN_COMMANDS.has(c.name) || /^python[\d.]*$|^pip[\d.]*$|^(gcc|g\+\+|clang)-?\d+$/.test(c.name)) return false;
    if (c.nameWord.text.includes('/') && !c.nameWord.text.startsWith('/')) return false; // ./build.sh
    if (c.name === 'rm' && c.args.some((a) => /^\/(\*|usr|bin|lib|etc|opt|var|home|srv|app)?\/?$/.test(a.text))) return false;
    for (const a of c.args) {
      const t = a.text.replace(/^--?[\w-]+=/, '');
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t) || t.startsWith('/') || t.startsWith('$') || t.startsWith('-') || !t.includes('/')) continue;
      // A word with a slash that is not absolute: a path relative to the sources, or a sed/awk program.
      if (c.name === 'sed' || c.name === 'awk' || c.name === 'echo' || c.name === 'printf' || c.name === 'grep' || c.name === 'egrep' || /^[\w.-]+:[\w.-]*$/.test(t) || /\s/.test(t)) continue;
      return false;
    }
    if (c.name === 'sed' && !c.args.slice(1).some((a) => a.text.startsWith('/') || a.text.startsWith('$'))) return false;
  }
  return true;
}

/** Commands whose writes `modifiedPaths` knows (the others are assumed to change any absolute path they name). */
const KNOWN_WRITES = new Set(['mkdir', 'touch', 'rm', 'chmod', 'chown', 'chgrp', 'setcap', 'ln', 'cp', 'mv', 'install', 'sed', 'echo', 'printf', 'true', 'set', 'id', 'getent', 'grep', 'egrep', 'test', '[', 'useradd', 'groupadd', 'adduser', 'addgroup', 'usermod', 'groupmod']);

/**
 * The absolute paths a setup RUN changes: what mkdir, touch, rm, chmod, chown, ln, sed -i, cp, mv and install
 * write, and the targets of `>`/`>>` redirections. Undefined when a path depends on something unknown.
 */
export function modifiedPaths(model: Model, inst: Inst, imageEnv: Record<string, string>): string[] | undefined {
  const run = inst.run;
  if (!run?.script) return undefined;
  const out: string[] = [];
  let unknown = false;
  const add = (cmd: ShellCommand | undefined, text: string): void => {
    const v = wordValue(inst, cmd, text, imageEnv);
    const p = v === undefined ? undefined : cmd ? resolveIn(cwdOf(model, inst, cmd, imageEnv), v) : resolveIn(workdirAt(inst.stage, inst.index, model), v);
    if (p) out.push(p);
    else unknown = true;
  };
  for (const c of run.commands) {
    const ops = operandsOf(c.args, c.name === 'sed' ? ['-e', '--expression', '-f', '--file'] : []);
    if (!KNOWN_WRITES.has(c.name)) {
      // Another command: any absolute path it names may be what it changes.
      for (const a of c.args) {
        const t = a.text.replace(/^--?[\w-]+=/, '');
        if (t.startsWith('/') || t.startsWith('$')) add(c, t);
      }
      continue;
    }
    switch (c.name) {
      case 'mkdir':
      case 'touch':
      case 'rm':
        ops.forEach((w) => add(c, w.text));
        break;
      case 'chmod':
      case 'chown':
      case 'chgrp':
      case 'setcap':
        ops.slice(1).forEach((w) => add(c, w.text));
        break;
      case 'ln':
      case 'cp':
      case 'mv':
      case 'install':
        if (ops.length) add(c, ops[ops.length - 1]!.text);
        break;
      case 'sed':
        if (c.args.some((a) => /^-[a-zA-Z]*i/.test(a.text) || a.text.startsWith('--in-place'))) {
          const script = c.args.some((a) => a.text === '-e' || a.text === '--expression' || a.text === '-f') ? ops : ops.slice(1);
          script.forEach((w) => add(c, w.text));
        }
        break;
    }
  }
  for (const m of run.script.text.matchAll(/(?:^|[^<>&\d])>>?\s*("?)([^\s"'&;|)]+)\1/g)) {
    if (m[2] === '/dev/null' || m[2]!.startsWith('&')) continue;
    add(undefined, m[2]!);
  }
  return unknown ? undefined : out;
}

/** Package-manager commands (install, update, cleanup): the runtime stage installs its own packages. */
export function isPackageRun(inst: Inst): boolean {
  const run = inst.run;
  if (!run || !run.commands.length) return false;
  return run.commands.every(
    (c) =>
      ['apt-get', 'apt', 'apk', 'dnf', 'yum', 'microdnf', 'tdnf', 'apt-mark', 'dpkg-reconfigure', 'set', 'true', 'echo'].includes(c.name) ||
      (c.name === 'rm' && c.args.every((a) => a.text.startsWith('-') || /^\/(var\/(lib\/apt|cache|tmp)|tmp)/.test(a.text))),
  );
}

/** ENV pairs (key, raw value text, whole pair text) of an ENV instruction. */
export function envPairs(inst: Inst, escape: string): { key: string; text: string; legacy: boolean }[] {
  const text = inst.argsText.text;
  const kvs = keyValues(inst, escape);
  if (kvs.length === 1 && kvs[0]!.value !== undefined && !/^[^\s=]+=/.test(text.trim())) {
    return [{ key: kvs[0]!.key, text: text.trim(), legacy: true }];
  }
  return kvs.map((kv) => ({ key: kv.key, text: text.slice(kv.keyStart, kv.valueEnd), legacy: false }));
}
