import * as path from 'node:path';
import type { TextEdit } from 'vscode-languageserver-types';
import type { BuildContext } from '../model/build-context';
import { declarations, type Inst, type Model, type RunInfo } from '../model/model';
import type { ShellCommand } from '../model/shell';
import { copyArgs } from './lib/instruction-words';
import {
  broadCopyBefore,
  commandSpan,
  contextSources,
  copyLabel,
  sourceCopyInto,
  dependencyInstall,
  installInputs,
  instructionsBefore,
  operandsOf,
  pipInstall,
  PIP_INSTALL_VALUE,
  subcommandWord,
  workdirAt,
  type DependencyInstall,
  type ManifestReader,
} from './lib/language-packages';
import { eolOf } from './lib/rewrite';
import { defineRule, type Fix } from './rule';

function installsIn(inst: Inst): DependencyInstall[] {
  const run = (inst.trigger ?? inst).run;
  return run ? run.commands.flatMap((c) => dependencyInstall(c) ?? []) : [];
}

export default defineRule(
  {
    id: 'dependency-install-after-source-copy',
    severity: 'warning',
    category: 'cache',
    description: 'Dependencies are installed after the whole source is copied, so every source edit re-installs them.',
    docs: {
      why:
        "Docker reuses a layer only while everything before it is unchanged. `COPY . .` hashes every file it copies: edit one line of " +
        'your code and that layer changes, so every instruction after it runs again. When `npm ci` (or `pip install -r`, ' +
        '`go mod download`, `bundle install`, ...) comes after it, each code change downloads and installs all dependencies again. ' +
        'Copy only the manifest and lock files first, install, then copy the rest: the install layer stays cached until the ' +
        'dependencies really change.\n\n' +
        'Only steps that resolve dependencies are reported: `go build`, `cargo build`, `mvn package` or `dotnet publish` are ' +
        'the build itself and must follow the source. `cargo fetch`, `mvn dependency:go-offline`, `gradle dependencies` and ' +
        '`dotnet restore` are reported, because they exist to make a dependency layer. A later install of the same ecosystem, ' +
        'after the manifests were installed on their own (`pip install -r requirements.txt`, then `COPY . .`, then ' +
        '`pip install .`), is the recommended pattern and is not reported, also when the first install is in a stage this one ' +
        'is built FROM. So is an install after a dependency folder was copied in from another stage or image (`COPY --from=deps ' +
        '/opt/venv /opt/venv`, `node_modules`), an install of the project alone (`pip install --no-deps .`), and a folder copied before ' +
        '`go mod download` unless go.mod, read from the build context, has no local `replace` that needs it. Installs of named packages (`npm install -g x`) are left ' +
        'to the pinning rules.\n\n' +
        'The quick fix reads the build context: it copies exactly the manifest and lock files that exist there (workspace ' +
        'manifests at their paths, `--chown`/`--chmod` kept) right before the install, and moves the source COPY (and any ' +
        'other COPY of source folders in between) below the install; a `RUN` that goes on to build is split after the ' +
        'install. Instructions in between stay where they are, so the install keeps its ENV, USER and prerequisites. The fix ' +
        'is not offered, and the message says why, where the install needs the source after all (`pip install .`, a ' +
        '`postinstall` script, `poetry install` without `--no-root`, a local path dependency), where a needed file is missing ' +
        'from the context, where `node_modules` (or another install folder) is in the context and would overwrite the ' +
        'install, where a registry token would be copied, or where an instruction in between would change meaning (a WORKDIR ' +
        'under a relative destination, a RUN that may read the source). It is marked unsafe where the result may differ: an ' +
        'install that may rewrite its lock file, build files that are programs (Gradle, mix), a WORKDIR that now creates the ' +
        'folder under a USER.',
      bad: 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]',
      good: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD ["node", "server.js"]',
    },
    fix: 'safe',
    aliases: {},
  },
  (ctx) => {
    const model = ctx.model;
    for (const stage of model.stages) {
      const reported = new Set<string>();
      for (const inst of stage.instructions) {
        const target = inst.trigger ?? inst;
        if (target.keyword !== 'RUN' || !target.run) continue;
        for (const cmd of target.run.commands) {
          const dep = dependencyInstall(cmd);
          if (!dep || reported.has(dep.group)) continue;
          const copy = broadCopyBefore(stage, inst.index, model, target.inOnbuild);
          if (!copy) continue;
          // The manifests were installed on their own before the source came in: this is the second, cheap step.
          const before = instructionsBefore(copy.inst.stage, copy.inst.index).filter((i) => !!i.trigger === target.inOnbuild);
          if (before.some((i) => installsIn(i).some((d) => d.group === dep.group))) continue;
          // The dependencies were installed in another stage from the manifests alone and copied in (a venv, node_modules).
          if (instructionsBefore(stage, inst.index).some((i) => copiesDependenciesFromElsewhere(model, i, dep.group))) continue;
          // A folder copied before `go mod download` is what a local `replace` needs: reported only when go.mod has none.
          if (dep.group === 'go' && !copiesEverything(model, stage, inst.index, target.inOnbuild)) {
            const mod = goModBefore(model, ctx.buildContext, stage, inst.index);
            if (mod === undefined || LOCAL_REPLACE.test(mod)) continue;
          }
          reported.add(dep.group);
          const line = copy.inst.range.start.line + 1;
          const then = dep.advice ?? 'install';
          const plan = planMove(model, ctx.buildContext, target, cmd, copy.inst);
          const why = typeof plan === 'string' ? ` No automatic fix: ${plan}.` : '';
          ctx.report({
            range: commandSpan(model, target.run, cmd, dep.word),
            message: `\`${dep.label}\` re-runs on every source change because \`${copyLabel(copy.inst)}\` (line ${line}) comes before it; copy ${dep.manifests} first and ${then} before copying the rest.${why}`,
            ...(plan && typeof plan !== 'string' ? { fixes: [plan] } : {}),
          });
        }
      }
    }
  },
);

/** Folders an install of each ecosystem fills: copied `--from` another stage or image, they are the dependency layer. */
const DEPENDENCY_FOLDERS: Record<DependencyInstall['group'], RegExp> = {
  node: /(^|\/)node_modules(\/|$)/,
  python: /(^|\/)(\.?venv|virtualenv|site-packages|dist-packages|\.local|wheels?|install)(\/|$)|^\/usr\/local(\/lib(\/python[\d.]*)?)?\/?$/,
  ruby: /(^|\/)(bundle|gems)(\/|$)/,
  php: /(^|\/)vendor(\/|$)/,
  go: /(^|\/)pkg\/mod(\/|$)/,
  rust: /(^|\/)(\.cargo|registry)(\/|$)/,
  maven: /(^|\/)\.m2(\/|$)/,
  gradle: /(^|\/)\.gradle(\/|$)/,
  dotnet: /(^|\/)\.nuget(\/|$)/,
  elixir: /(^|\/)(deps|_build)(\/|$)/,
};

/** `COPY --from=<stage or image> <a dependency folder of this ecosystem> …`. */
function copiesDependenciesFromElsewhere(model: Model, inst: Inst, group: DependencyInstall['group']): boolean {
  if (inst.keyword !== 'COPY' || !inst.flags.some((f) => f.name.toLowerCase() === 'from')) return false;
  const { sources } = copyArgs(inst);
  return sources.some((src) => {
    const e = inst.scope.expand(src.text, model.escape);
    return e.certain && DEPENDENCY_FOLDERS[group].test(e.text.replace(/\/+$/, ''));
  });
}

const LOCAL_REPLACE = /=>\s*\.{1,2}\//m;

/** Whether a COPY before the install brings the whole build context into its folder (not just some folders). */
function copiesEverything(model: Model, stage: Inst['stage'], index: number, onbuild: boolean): boolean {
  const installDir = workdirAt(stage, index, model);
  return instructionsBefore(stage, index).some((i) => {
    const t = onbuild ? i.trigger : i;
    return !!t && !!sourceCopyInto(t, installDir, model)?.some((s) => s.kind === 'everything');
  });
}

/** The go.mod a COPY brought in before the install, as the build context holds it; undefined when it cannot be read. */
function goModBefore(model: Model, bc: BuildContext | undefined, stage: Inst['stage'], index: number): string | undefined {
  if (!bc) return undefined;
  for (const i of instructionsBefore(stage, index).reverse()) {
    for (const s of contextSources(i, model) ?? []) {
      const p = s.text.replace(/^(\.\/)+|^\/+/, '');
      const file = /(^|\/)go\.mod$/.test(p) ? p : /(^|\/)go\.\*$/.test(p) ? p.replace(/go\.\*$/, 'go.mod') : undefined;
      const text = file && !bc.isIgnored(file) ? bc.read(file) : undefined;
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

// ---------- The fix: copy the manifests first, install, then copy the rest ----------

const posix = path.posix;
const under = (p: string, dir: string): boolean => p === dir || dir === '/' || p.startsWith(dir + '/');
/** Instructions that only set image metadata: where they sit does not matter to a COPY or a RUN. */
const METADATA = ['LABEL', 'EXPOSE', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'STOPSIGNAL', 'MAINTAINER', 'ONBUILD'];
/** Commands a RUN may substitute (`$(uname -m)`) without reading the source. */
const HARMLESS_SUBSTITUTIONS = ['uname', 'nproc', 'dpkg', 'dpkg-architecture', 'arch', 'lsb_release', 'id', 'whoami', 'date', 'getconf', 'echo', 'printf'];

interface TopLevel {
  cmds: ShellCommand[];
  /** `gaps[i]`: the script text before `cmds[i]` (after `cmds[i - 1]`); `gaps[cmds.length]`: the text after the last. */
  gaps: string[];
  nested: ShellCommand[];
}

/** The commands of a script that are not inside another command (substitutions), with the text between them. */
function topLevel(run: RunInfo): TopLevel {
  const text = run.script?.text ?? '';
  const cmds: ShellCommand[] = [];
  const nested: ShellCommand[] = [];
  for (const c of run.commands) {
    if (cmds.some((o) => c.start >= o.start && c.end <= o.end)) nested.push(c);
    else cmds.push(c);
  }
  const gaps = cmds.map((c, i) => text.slice(i ? cmds[i - 1]!.end : 0, c.start));
  gaps.push(text.slice(cmds.length ? cmds[cmds.length - 1]!.end : 0));
  return { cmds, gaps, nested };
}

/** Separators and redirections that neither read nor write the source. */
function plainGap(gap: string, allowed: RegExp): boolean {
  return gap.replace(/\d*>>?\s*\/dev\/null|\d*>&\d|\d*<\s*\/dev\/null/g, ' ').replace(allowed, ' ').trim() === '';
}

const isState = (c: ShellCommand): boolean => (c.name === 'cd' && c.args.length === 1 && !c.args[0]!.dynamic && !c.args[0]!.text.startsWith('-')) || c.name === 'set';

/**
 * A command that certainly does not read or write the source folder `dest`: OS package installs, global installs of
 * named packages, cache cleanups, users. Any other command may depend on the source.
 */
function isSetup(c: ShellCommand, dests: string[]): boolean {
  if (c.wrappers.some((w) => !['sudo', 'env', 'nice', 'time', 'command'].includes(w.text.slice(w.text.lastIndexOf('/') + 1)))) return false;
  const ops = operandsOf(c.args);
  const named = (words = ops): boolean => words.every((w) => !/^(\.|\/|~|file:)/.test(w.text) && !/\.(deb|rpm|apk|whl|gem|tgz|tar\.gz)$/.test(w.text) && !w.text.includes('$('));
  const outside = (p: string): boolean => {
    if (!/^(\/|~|\$HOME)/.test(p) || p.includes('..')) return false;
    const q = p.replace(/\/?\*$/, '') || '/';
    return !p.startsWith('/') || dests.every((d) => !under(q, d) && !under(d, q));
  };
  const first = ops[0]?.text;
  switch (c.name) {
    case 'apt-get':
    case 'apt':
    case 'aptitude':
      return ['update', 'install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'clean', 'autoclean', 'autoremove', 'purge', 'remove'].includes(first ?? '') && named(ops.slice(1));
    case 'apk':
      return ['update', 'add', 'upgrade', 'del', 'cache'].includes(first ?? '') && named(ops.slice(1));
    case 'dnf':
    case 'yum':
    case 'microdnf':
    case 'zypper':
      return ['install', 'in', 'update', 'upgrade', 'makecache', 'clean', 'remove', 'erase', 'refresh', 'ref', 'groupinstall'].includes(first ?? '') && named(ops.slice(1)) && !ops.slice(1).some((w) => w.text.includes('/'));
    case 'rm':
    case 'mkdir':
    case 'cp':
    case 'mv':
    case 'ln':
      return ops.length > 0 && ops.every((w) => outside(w.text));
    case 'chmod':
    case 'chown':
      return ops.length > 1 && ops.slice(1).every((w) => outside(w.text));
    case 'docker-php-ext-install':
    case 'docker-php-ext-configure':
    case 'docker-php-ext-enable':
    case 'update-ca-certificates':
    case 'locale-gen':
    case 'ldconfig':
      return named();
    case 'pecl':
      return first === 'install' && named(ops.slice(1));
    case 'npm':
      if (first === 'cache' || (first === 'config' && ops[1]?.text === 'set')) return true;
      return ['install', 'i', 'add'].includes(first ?? '') && c.args.some((a) => a.text === '-g' || a.text === '--global') && ops.length > 1 && named(ops.slice(1));
    case 'yarn':
      return (first === 'cache' && ops[1]?.text === 'clean') || (first === 'config' && ops[1]?.text === 'set') || (first === 'global' && ops[1]?.text === 'add' && ops.length > 2 && named(ops.slice(2)));
    case 'pnpm':
      return (first === 'store' && ops[1]?.text === 'prune') || (['add', 'install', 'i'].includes(first ?? '') && c.args.some((a) => a.text === '-g' || a.text === '--global') && ops.length > 1 && named(ops.slice(1)));
    case 'corepack':
      return first === 'enable' || first === 'disable' || ((first === 'prepare' || first === 'install') && ops.length > 1 && c.args.some((a) => a.text === '-g' || a.text === '--global' || a.text === '--activate'));
    case 'gem':
      return (first === 'install' && ops.length > 1 && named(ops.slice(1))) || (first === 'update' && c.args.some((a) => a.text === '--system'));
    case 'bundle':
    case 'bundler':
      return first === 'config' && !c.args.some((a) => a.text === '--local');
    case 'composer':
      return first === 'clear-cache' || first === 'clearcache' || (first === 'global' && ops[1]?.text === 'require');
    case 'useradd':
    case 'adduser':
    case 'groupadd':
    case 'addgroup':
    case 'usermod':
    case 'true':
    case 'echo':
      return true;
    case 'go':
      return (first === 'env' && c.args.some((a) => a.text === '-w')) || (first === 'install' && ops.length > 1 && ops.slice(1).every((w) => /@/.test(w.text)));
  }
  const pip = pipInstall(c);
  if (pip) {
    const pops = operandsOf(pip.rest, PIP_INSTALL_VALUE);
    return pops.length > 0 && named(pops) && !pip.rest.some((w) => /^(-r|--requirement|-c|--constraint|-e|--editable|-f|--find-links)/.test(w.text));
  }
  if (/^pip\d*(\.\d+)?$/.test(c.name) && subcommandWord(c, ['cache'])) return true;
  return false;
}

interface MovedInstall {
  cmd: ShellCommand;
  dep: DependencyInstall;
  /** The folder the install runs in. */
  dir: string;
}

interface RunPlan {
  installs: MovedInstall[];
  /** Index in the top-level commands of the last command that moves (the rest stays after the source COPY). */
  end: number;
  /** `cd`/`set` commands among the moved ones, which the rest needs again. */
  state: ShellCommand[];
  top: TopLevel;
}

/**
 * Which commands of a RUN can run before the source is there: a prefix of `cd`/`set`, setup commands and dependency
 * installs that must include `must` (when given); the rest stays. Without `must`, the whole RUN must qualify.
 */
function planRun(inst: Inst, dir: string, dests: string[], must: ShellCommand | undefined, limit = Number.POSITIVE_INFINITY): RunPlan | string {
  const run = inst.run!;
  const line = inst.range.start.line + 1;
  if (inst.heredocs.length) return `the RUN on line ${line} has a heredoc, which the fix does not split`;
  if (run.execForm) {
    const c = run.commands[0];
    if (!c) return `the RUN on line ${line} is empty`;
    const dep = dependencyInstall(c);
    if (dep) return { installs: [{ cmd: c, dep, dir }], end: 0, state: [], top: { cmds: [c], gaps: ['', ''], nested: [] } };
    if (isSetup(c, dests)) return { installs: [], end: 0, state: [], top: { cmds: [c], gaps: ['', ''], nested: [] } };
    return `the RUN on line ${line} runs \`${c.name}\`, which may need the source`;
  }
  if (!run.script || !run.shell) return `the RUN on line ${line} is not a shell script the fix can read`;
  if (run.shell.hasError) return `the shell script on line ${line} does not parse`;
  const top = topLevel(run);
  const bad = top.nested.find((n) => !HARMLESS_SUBSTITUTIONS.includes(n.name));
  const installs: MovedInstall[] = [];
  const state: ShellCommand[] = [];
  const k = must ? top.cmds.indexOf(must) : top.cmds.length - 1;
  if (must && k < 0) return `the install on line ${line} runs inside a subshell, a condition or a loop`;
  if (must && must.pipelineLength > 1) return `the install on line ${line} is part of a pipeline`;
  if (!plainGap(top.gaps[0]!, /^$/)) return `the RUN on line ${line} starts with shell syntax the fix does not follow`;
  let here = dir;
  const classify = (c: ShellCommand): 'state' | 'setup' | MovedInstall | undefined => {
    if (isState(c)) return 'state';
    if (isSetup(c, dests)) return 'setup';
    const dep = dependencyInstall(c);
    return dep ? { cmd: c, dep, dir: here } : undefined;
  };
  // A RUN that moves whole may chain its commands any way; one that is split only with `&&` before the cut.
  const separators = must ? undefined : /&&|\|\||;|\|/g;
  for (let i = 0; i <= k; i++) {
    const c = top.cmds[i]!;
    if (i > 0 && !plainGap(top.gaps[i]!, separators ?? (top.cmds[i - 1]!.name === 'set' ? /&&|;/g : /&&/g))) return `the commands on line ${line} are chained with more than \`&&\``;
    const kind = classify(c);
    if (!kind) return must ? `\`${c.name}\` runs before the install in the same RUN (line ${line}) and may need the source` : `\`${c.name}\` on line ${line} may read or write the source`;
    if (kind === 'state') {
      state.push(c);
      if (c.name === 'cd') here = posix.resolve(here, c.args[0]!.text.replace(/^~(?=\/|$)/, '/root'));
    } else if (kind !== 'setup') installs.push(kind);
  }
  let end = k;
  if (must) {
    // Cleanups and further installs right after it go along: `npm ci && npm cache clean --force`.
    for (let i = k + 1; i < top.cmds.length && i <= limit; i++) {
      const c = top.cmds[i]!;
      if (!plainGap(top.gaps[i]!, /&&/g) || isState(c)) break;
      const kind = classify(c);
      if (!kind) break;
      if (kind !== 'setup') installs.push(kind as MovedInstall);
      end = i;
    }
    // The rest must not be able to catch a failure of what moves (`npm ci || true`).
    for (let i = end + 1; i < top.gaps.length; i++) {
      if (/\|\||;|(^|[^&>])&(?!&)|\n|\bthen\b|\bdo\b/.test(top.gaps[i]!.replace(/\d*>&\d/g, ''))) return `the commands on line ${line} are chained with more than \`&&\`, so splitting the RUN could change what happens when the install fails`;
    }
    if (end + 1 < top.cmds.length && !plainGap(top.gaps[end + 1]!, /&&/g)) return `the install on line ${line} is followed by shell syntax the fix does not follow`;
  }
  if (end === top.cmds.length - 1 && !plainGap(top.gaps[end + 1]!, /;/g)) return `the RUN on line ${line} redirects output into a file or ends in shell syntax the fix does not follow`;
  if (bad && bad.start < top.cmds[end]!.end) return `\`$(${bad.name} ...)\` on line ${line} may read the source`;
  return { installs, end, state, top };
}

/** Files of the install's folder as the build context holds them, through the COPY that would bring them. */
function readerFor(bc: BuildContext, ctxDir: string): ManifestReader {
  const at = (rel: string): string => {
    const p = posix.normalize(posix.join(ctxDir || '.', rel));
    return p === '.' ? '' : p.replace(/^\.\//, '');
  };
  const visible = (p: string): boolean => p !== '' && !bc.isIgnored(p);
  return {
    read: (rel) => (visible(at(rel)) ? bc.read(at(rel)) : undefined),
    exists: (rel) => visible(at(rel)) && bc.exists(at(rel)),
    list: (rel) => {
      const d = at(rel);
      return bc.list(d || '.').filter((n) => !bc.isIgnored(d ? `${d}/${n}` : n));
    },
  };
}

/** Variable names an instruction's text refers to (`$X`, `${X}`). */
function variablesIn(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
}

/** The first line of an instruction together with the comment lines right above it (they belong to it). */
function blockStartLine(model: Model, inst: Inst): number {
  const lines = model.doc.textDocument;
  let line = inst.range.start.line;
  while (line > 0) {
    const prev = lines.getText({ start: { line: line - 1, character: 0 }, end: { line, character: 0 } });
    if (!/^\s*#/.test(prev) || /^\s*#\s*(syntax|escape|check)\s*=/i.test(prev)) break;
    line--;
  }
  return line;
}

function lineStart(model: Model, line: number): number {
  return model.doc.textDocument.offsetAt({ line, character: 0 });
}

/** Offset just past an instruction's last line (its line end included), or the end of the text. */
function afterLines(model: Model, inst: Inst): number {
  const next = inst.range.end.line + 1;
  return next < model.doc.textDocument.lineCount ? lineStart(model, next) : model.text.length;
}

/** The edits of a fix: sorted, and touching ones joined, so no two start at the same place. */
function joinEdits(model: Model, spans: { start: number; end: number; text: string }[]): TextEdit[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: { start: number; end: number; text: string }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) {
      last.text += s.text;
      last.end = Math.max(last.end, s.end);
    } else out.push({ ...s });
  }
  return out.map((s) => ({ range: model.range(s.start, s.end), newText: s.text }));
}

/** A COPY of the source that moves below the install. */
interface Mover {
  inst: Inst;
  /** Where it copies to (absolute). */
  dest: string;
  relative: boolean;
  /** Variables its text refers to. */
  vars: Set<string>;
}

/** Another COPY of source folders between the source COPY and the install, which moves along; or why it cannot. */
function copyMover(model: Model, b: Inst): Mover | string {
  const line = b.range.start.line + 1;
  const extra = b.flags.find((f) => !['chown', 'chmod', 'link'].includes(f.name.toLowerCase()));
  if (extra) return `the fix does not carry \`--${extra.name}\` of the COPY on line ${line} over`;
  if (b.heredocs.length) return `the COPY on line ${line} has a heredoc`;
  const { dest } = copyArgs(b);
  const destExp = dest && b.scope.expand(dest.text, model.escape);
  const wd = workdirAt(b.stage, b.index, model);
  if (!destExp || !destExp.certain || wd === undefined) return `the destination of the COPY on line ${line} depends on a variable`;
  if ((contextSources(b, model) ?? []).some((s) => s.kind === 'unknown')) return `a source of the COPY on line ${line} depends on a variable`;
  return { inst: b, dest: posix.resolve(wd, destExp.text), relative: !destExp.text.startsWith('/'), vars: variablesIn(model.doc.textDocument.getText(b.range)) };
}

/**
 * The fix for an install that follows the source COPY: a COPY of the manifests and lock files the install reads
 * (those that exist in the build context) right before the install, and the source COPY moved below the install
 * (a RUN that goes on to build is split after the install). Instructions in between stay where they are, so the
 * install keeps its environment, user and prerequisites; the fix is refused when one of them needs the source or
 * changes what the COPY means. Returns the reason when not offered, undefined without a build context.
 */
function planMove(model: Model, bc: BuildContext | undefined, inst: Inst, cmd: ShellCommand, copy: Inst): Fix | string | undefined {
  const copyLine = copy.range.start.line + 1;
  if (inst.inOnbuild || copy.inOnbuild) return 'ONBUILD instructions run in the build context of the image built FROM this one';
  if (copy.stage !== inst.stage) return `the source is copied in the stage this one is built FROM (line ${copyLine})`;
  if (!bc) return undefined;
  const esc = model.escape;
  const extra = copy.flags.find((f) => !['chown', 'chmod', 'link'].includes(f.name.toLowerCase()));
  if (extra) return `the fix does not carry \`--${extra.name}\` of the COPY over`;
  if (copy.heredocs.length) return `the COPY on line ${copyLine} has a heredoc`;
  const { sources, dest } = copyArgs(copy);
  const ctxSources = contextSources(copy, model) ?? [];
  if (!dest || sources.length !== 1 || ctxSources.length !== 1) return `the COPY on line ${copyLine} has several sources`;
  const src = ctxSources[0]!;
  if (src.kind === 'unknown' || /[*?[]/.test(src.text)) return `the source of the COPY on line ${copyLine} is a pattern or depends on a variable`;
  const srcDir = posix.normalize(src.text.replace(/^\/+/, '')).replace(/\/+$/, '').replace(/^\.$/, '');
  if (srcDir.startsWith('..')) return `the COPY on line ${copyLine} reads outside the build context`;
  const destExp = copy.scope.expand(dest.text, esc);
  if (!destExp.certain) return `the destination of the COPY on line ${copyLine} depends on a variable`;
  const workdir = workdirAt(copy.stage, copy.index, model);
  if (workdir === undefined) return 'the WORKDIR depends on a variable';
  if (!workdir.startsWith('/')) return 'the WORKDIR is not a Linux path';
  const D = posix.resolve(workdir, destExp.text);
  /** Where the source COPY takes a path of the image from, if it brings it. */
  const ctxPathOf = (abs: string): string | undefined => (under(abs, D) ? posix.join(srcDir || '.', posix.relative(D, abs)).replace(/^\.$/, '') : undefined);

  // Instructions between the COPY and the install stay put; the COPY moves below them, and so does any other COPY of
  // source folders in between (`COPY src/ ./src/` then `COPY public/ ./public/`), keeping their order.
  const installDir = workdirAt(inst.stage, inst.index, model);
  const movers: Mover[] = [{ inst: copy, dest: D, relative: !destExp.text.startsWith('/'), vars: variablesIn(model.doc.textDocument.getText(copy.range)) }];
  const between = inst.stage.instructions.filter((i) => i.index > copy.index && i.index < inst.index);
  for (const b of between) {
    if ((b.keyword === 'COPY' || b.keyword === 'ADD') && !b.flags.some((f) => f.name.toLowerCase() === 'from') && sourceCopyInto(b, installDir, model)) {
      const other = copyMover(model, b);
      if (typeof other === 'string') return other;
      movers.push(other);
    }
  }
  const betweenRuns: { inst: Inst; plan: RunPlan }[] = [];
  let unsafe: string | undefined;
  for (const b of between) {
    const line = b.range.start.line + 1;
    // The COPYs that move below this instruction.
    const crossing = movers.filter((m) => m.inst.index < b.index);
    if (movers.some((m) => m.inst === b) || METADATA.includes(b.keyword) || b.keyword === 'USER' || b.keyword === 'SHELL') continue;
    if (b.keyword === 'ENV' || b.keyword === 'ARG') {
      for (const m of crossing) {
        const used = declarations(b).find(([name]) => m.vars.has(name));
        if (used) return `${b.keyword} on line ${line} changes \`${used[0]}\`, which the COPY on line ${m.inst.range.start.line + 1} uses`;
      }
      continue;
    }
    if (b.keyword === 'WORKDIR') {
      // A COPY moving below it is unchanged when its destination is absolute, except that the WORKDIR may now be the
      // one that creates the folder (owned by the USER, where one is set).
      const wd = workdirAt(b.stage, b.index + 1, model);
      for (const m of crossing) {
        if (m.relative) return `WORKDIR on line ${line} would change where the relative destination of the COPY on line ${m.inst.range.start.line + 1} points`;
        const existed = wd !== undefined && instructionsBefore(m.inst.stage, m.inst.index).some((i) => i.keyword === 'WORKDIR' && under(workdirAt(i.stage, i.index + 1, model) ?? '', wd));
        const user = instructionsBefore(b.stage, b.index).some((i) => i.keyword === 'USER');
        if (!existed && (user || m.inst.flags.some((f) => f.name.toLowerCase() === 'chown'))) unsafe ??= `WORKDIR on line ${line} now creates ${wd ?? 'its folder'} before the COPY, so its owner may differ`;
      }
      continue;
    }
    if (b.keyword === 'RUN' && b.run) {
      const plan = planRun(b, workdirAt(b.stage, b.index, model) ?? workdir, crossing.map((m) => m.dest), undefined);
      if (typeof plan === 'string') return `${plan}; it runs between the COPY (line ${copyLine}) and the install`;
      if (plan.state.some((st) => st.name === 'cd') && plan.installs.length) return `the RUN on line ${line} changes folders`;
      betweenRuns.push({ inst: b, plan });
      continue;
    }
    if (b.keyword === 'COPY' || b.keyword === 'ADD') {
      for (const m of crossing) {
        const overlap = overlapsSource(model, b, m.dest, m.inst === copy ? ctxPathOf : () => undefined);
        if (overlap) return overlap;
      }
      continue;
    }
    return `${b.keyword} on line ${line} sits between the COPY and the install`;
  }

  // Installs chained after the reported one go along while they can; the first that cannot stays with the rest.
  let limit = Number.POSITIVE_INFINITY;
  let runPlan: RunPlan | string;
  let gathered: Gathered | { reason: string; install: MovedInstall };
  for (;;) {
    runPlan = planRun(inst, installDir ?? workdir, movers.map((m) => m.dest), cmd, limit);
    if (typeof runPlan === 'string') return runPlan;
    gathered = gatherInputs(bc, inst, copy, [...betweenRuns.flatMap((r) => r.plan.installs), ...runPlan.installs], D, srcDir, ctxPathOf);
    if (!('reason' in gathered)) break;
    const index = runPlan.top.cmds.indexOf(gathered.install.cmd);
    const k = runPlan.top.cmds.indexOf(cmd);
    if (!runPlan.installs.includes(gathered.install) || index <= k) return gathered.reason;
    limit = index - 1;
  }
  const { files, dirs } = gathered;
  const installs = [...betweenRuns.flatMap((r) => r.plan.installs), ...runPlan.installs];
  unsafe ??= gathered.unsafe;
  // The other source COPYs must not bring anything the installs read, nor fill the folder they run in.
  for (const m of movers.slice(1)) {
    const hit = gathered.reads.find((p) => under(p, m.dest)) ?? installs.find((i) => under(i.dir, m.dest))?.dir;
    if (hit) return `the COPY on line ${m.inst.range.start.line + 1} also brings ${hit}, which the install reads`;
  }
  if (D === '/') unsafe ??= 'the source is copied into /';

  // ---------- Edits ----------
  const eol = eolOf(model);
  const keywordText = model.doc.textDocument.getText(copy.keywordRange);
  const keyword = keywordText === keywordText.toLowerCase() ? 'copy' : 'COPY';
  const flagText = copy.flags.map((f) => model.doc.textDocument.getText(f.range)).join(' ');
  const head = `${keyword}${flagText ? ` ${flagText}` : ''} `;
  const destBase = (copy.json || /["']/.test(dest.raw) ? dest.text : dest.raw).replace(/\/+$/, '');
  const destFor = (sub: string): string => (sub ? `${destBase}/${sub}/` : `${destBase || ''}/`).replace(/^\.\/\.\//, './');
  const line = (srcs: string[], to: string): string => {
    const words = [...srcs, to];
    if (copy.json || words.some((w) => /\s/.test(w))) return `${head}[${words.map((w) => JSON.stringify(w)).join(', ')}]${eol}`;
    return `${head}${words.join(' ')}${eol}`;
  };
  // One COPY per target folder: COPY flattens several sources into one destination.
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const abs = posix.join(D, posix.relative(srcDir || '.', f));
    const sub = posix.relative(D, posix.dirname(abs));
    groups.set(sub, [...(groups.get(sub) ?? []), f]);
  }
  const newCopies = [
    ...[...groups.entries()].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))).map(([sub, srcs]) => line(srcs, destFor(sub))),
    ...dirs.map((d) => line([d], destFor(posix.relative(srcDir || '.', d)))),
  ].join('');

  const anchor = betweenRuns.find((r) => r.plan.installs.length)?.inst ?? inst;
  const at = lineStart(model, blockStartLine(model, anchor));
  const spans: { start: number; end: number; text: string }[] = newCopies ? [{ start: at, end: at, text: newCopies }] : [];
  let copyBlock = '';
  for (const m of movers) {
    const start = lineStart(model, blockStartLine(model, m.inst));
    const stop = afterLines(model, m.inst);
    const block = model.text.slice(start, stop);
    copyBlock += /\r?\n$/.test(block) ? block : block + eol;
    spans.push({ start, end: stop, text: '' });
  }
  const { top: runTop, end, state } = runPlan;
  const run = inst.run!;
  if (end === runTop.cmds.length - 1) {
    // The whole RUN runs before the source: the COPY goes right after it.
    const at = afterLines(model, inst);
    spans.push({ start: at, end: at, text: at === model.text.length && !/\n$/.test(model.text) ? eol + copyBlock.replace(/\r?\n$/, '') : copyBlock });
  } else {
    // Split: `RUN <moved> && <rest>` becomes `RUN <moved>`, the COPY, `RUN <flags> <cd/set again> <rest>`.
    const script = run.script!;
    const cutStart = script.docSpan(runTop.cmds[end]!.start, runTop.cmds[end]!.end)[1];
    const cutEnd = script.docOffset(runTop.cmds[end + 1]!.start);
    const gapText = model.text.slice(cutStart, cutEnd);
    const comments = gapText
      .split(/\r?\n/)
      .slice(1)
      .filter((l) => /^\s*#/.test(l))
      .map((l) => l.trimStart() + eol)
      .join('');
    const runKeyword = model.doc.textDocument.getText(inst.keywordRange);
    const runFlags = inst.flags.map((f) => model.doc.textDocument.getText(f.range)).join(' ');
    const again = state.map((s) => `${script.text.slice(s.start, s.end)} && `).join('');
    spans.push({ start: cutStart, end: cutEnd, text: `${eol}${copyBlock}${comments}${runKeyword} ${runFlags ? `${runFlags} ` : ''}${again}` });
  }

  // The first files by name (relative to the install's folder), the rest (workspaces, folders) counted.
  const mainDir = ctxPathOf(runPlan.installs.find((m) => m.cmd === cmd)?.dir ?? D);
  const relName = (f: string): string => (mainDir && f.startsWith(`${mainDir}/`) ? f.slice(mainDir.length + 1) : f);
  const named = (files.length + dirs.length > 4 ? files.slice(0, 3) : files).map(relName);
  const more = files.length + dirs.length - named.length;
  const parts = [...named, ...(more ? [`${more} more`] : [])];
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : (parts[0] ?? '');
  const labels = [...new Set(installs.map((m) => m.dep.label))].map((l) => `\`${l}\``).join(', ');
  const copies = movers.map((m) => `\`${copyLabel(m.inst)}\``);
  const moved = copies.length > 1 ? `${copies.slice(0, -1).join(', ')} and ${copies[copies.length - 1]}` : copies[0]!;
  const title = files.length || dirs.length ? `Copy ${list || 'the manifests'} first and run ${labels} before ${moved}` : `Move ${moved} below ${labels}`;
  return { title: unsafe ? `${title}: ${unsafe}` : title, safe: !unsafe, edits: joinEdits(model, spans) };
}

interface Gathered {
  files: string[];
  dirs: string[];
  /** Every path of the image the installs read (absolute), whether the source COPY brings it or not. */
  reads: string[];
  unsafe: string | undefined;
}

/** What the installs read from the build context (as context paths), or why one of them cannot move. */
function gatherInputs(
  bc: BuildContext,
  inst: Inst,
  copy: Inst,
  installs: MovedInstall[],
  D: string,
  srcDir: string,
  ctxPathOf: (abs: string) => string | undefined,
): Gathered | { reason: string; install: MovedInstall } {
  // What the installs read, as paths of the build context.
  let unsafe: string | undefined;
  const files: string[] = [];
  const dirs: string[] = [];
  const reads: string[] = [];
  for (const m of installs) {
    let ctxDir = ctxPathOf(m.dir);
    if (ctxDir === undefined) {
      // The source goes into a subfolder (`COPY src/ ./src/`): the install's folder is that COPY's source folder's parent.
      const sub = posix.relative(m.dir, D);
      if (srcDir === sub || srcDir.endsWith(`/${sub}`)) ctxDir = srcDir.slice(0, srcDir.length - sub.length).replace(/\/$/, '');
      else return { reason: `the fix cannot tell which folder of the build context ${m.dir} comes from`, install: m };
    }
    const reader = readerFor(bc, ctxDir);
    const env = (name: string): string | undefined => inst.scope.get(name)?.value;
    const inputs = installInputs(m.cmd, m.dep, reader, env);
    if (inputs.blocked) return { reason: inputs.blocked, install: m };
    unsafe ??= inputs.unsafe;
    reads.push(...inputs.files.flatMap((f) => f.anyOf.map((rel) => posix.join(m.dir, rel))), ...inputs.dirs.map((d) => posix.join(m.dir, d)));
    for (const f of inputs.files) {
      const mapped = f.anyOf.map((rel) => ctxPathOf(posix.join(m.dir, rel)));
      if (mapped.every((p) => p === undefined)) continue;
      const found = mapped.find((p) => p !== undefined && !bc.isIgnored(p) && bc.exists(p));
      if (found) {
        if (!files.includes(found)) files.push(found);
        continue;
      }
      if (!f.required) continue;
      const first = mapped.find((p) => p !== undefined)!;
      const alt = f.anyOf.length > 1 ? ` (or ${f.anyOf.slice(1).join(', ')})` : '';
      const how = bc.exists(first) ? 'is excluded by .dockerignore' : 'is not in the build context';
      return { reason: `${first}${alt} ${how}; ${m.dep.label} needs it`, install: m };
    }
    for (const d of inputs.dirs) {
      const p = ctxPathOf(posix.join(m.dir, d));
      if (p !== undefined && !dirs.includes(p)) dirs.push(p);
    }
    for (const o of inputs.outputs) {
      const p = ctxPathOf(posix.join(m.dir, o.path));
      if (p === undefined || bc.isIgnored(p) || !bc.exists(p)) continue;
      if (o.kind === 'replaces') return { reason: `${p} is in the build context (not in .dockerignore), so \`${copyLabel(copy)}\` after the install would overwrite ${o.why}: add it to .dockerignore`, install: m };
      unsafe ??= `${o.why}, and \`${copyLabel(copy)}\` then puts back the build context's copy`;
    }
  }
  return { files, dirs, reads, unsafe };
}

/**
 * Whether a COPY between the source COPY and the install writes where the source COPY does, so moving the source
 * COPY below it would change which file wins. Copying a context file to the same place the source COPY puts it is fine.
 */
function overlapsSource(model: Model, b: Inst, D: string, ctxPathOf: (abs: string) => string | undefined): string | undefined {
  const line = b.range.start.line + 1;
  const clash = `${b.keyword} on line ${line} writes into the folder the source COPY fills, so their order matters`;
  const { sources, dest } = copyArgs(b);
  if (!dest || b.heredocs.length) return clash;
  const destExp = b.scope.expand(dest.text, model.escape);
  const wd = workdirAt(b.stage, b.index, model);
  if (!destExp.certain || wd === undefined) return clash;
  const into = posix.resolve(wd, destExp.text);
  if (!under(into, D) && !under(D, into)) return undefined;
  const fromContext = !b.flags.some((f) => f.name.toLowerCase() === 'from');
  const toDir = destExp.text.endsWith('/') || sources.length > 1;
  for (const s of sources) {
    const e = b.scope.expand(s.text, model.escape);
    if (!e.certain || /[*?[]/.test(e.text) || /^[a-z][a-z0-9+.-]*:\/\//i.test(e.text)) return clash;
    const rel = posix.normalize(e.text.replace(/^\/+/, '')).replace(/\/+$/, '');
    const kind = fromContext ? contextKind(model, b, s.text) : /\.[A-Za-z0-9]{1,12}$/.test(rel) ? 'file' : 'folder';
    if (kind === 'folder') return clash;
    const targetAbs = toDir ? posix.join(into, posix.basename(rel)) : into;
    if (!under(targetAbs, D)) continue;
    // The same context file to the place the source COPY puts it: the order does not matter.
    if (fromContext && ctxPathOf(targetAbs) === rel) continue;
    return clash;
  }
  return undefined;
}

function contextKind(model: Model, b: Inst, raw: string): string {
  const s = contextSources(b, model)?.find((x) => x.text === b.scope.expand(raw, model.escape).text);
  return s && (s.kind === 'manifest' || s.kind === 'file') ? 'file' : 'folder';
}
