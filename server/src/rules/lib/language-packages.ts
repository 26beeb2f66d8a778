import type { Inst, Model, RunInfo, Stage } from '../../model/model';
import type { ShellCommand, ShellWord } from '../../model/shell';
import type { Range } from 'vscode-languageserver-types';

/** Helpers of the language package manager rules (pip, npm, yarn, gem, go) and the COPY-order rules. */

/** pip's general options that take a value, so `pip --proxy x install` finds `install`. */
const PIP_GLOBAL_VALUE = ['--proxy', '--cache-dir', '--log', '--log-file', '--local-log', '--timeout', '--retries', '--exists-action', '--trusted-host', '--cert', '--client-cert', '--python', '--use-feature', '--use-deprecated', '--keyring-provider'];

/** `pip install` options that take a value (the value is not a package). */
export const PIP_INSTALL_VALUE = [
  ...PIP_GLOBAL_VALUE,
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-t', '--target', '--platform', '--python-version',
  '--implementation', '--abi', '--root', '--prefix', '--src', '--upgrade-strategy', '-i', '--index-url', '--extra-index-url',
  '-f', '--find-links', '--no-binary', '--only-binary', '--progress-bar', '--global-option', '--install-option', '-C',
  '--config-settings', '--report', '--root-user-action', '--group', '-b', '--build',
];

export interface PipInstall {
  /** `pip` (or `python3` for `python3 -m pip`, `uv` for `uv pip`). */
  cmd: ShellCommand;
  installWord: ShellWord;
  /** The words after `install`. */
  rest: ShellWord[];
  /** `uv pip install`, which has its own cache and options. */
  uv: boolean;
}

const PIP_NAME = /^pip(\d+(\.\d+)*)?$/;
const PYTHON_NAME = /^python(\d+(\.\d+)*)?$/;

/** `pip install`, `pip3.12 install`, `python3 -m pip install`; with `uv`, also `uv pip install`. Not pipx or pipenv. */
export function pipInstall(cmd: ShellCommand, opts: { uv?: boolean } = {}): PipInstall | undefined {
  let words: ShellWord[] | undefined;
  if (PIP_NAME.test(cmd.name)) words = cmd.args;
  else if (PYTHON_NAME.test(cmd.name)) {
    for (let i = 0; i < cmd.args.length; i++) {
      const t = cmd.args[i]!.text;
      if ((t === '-m' && /^pip\d*$/.test(cmd.args[i + 1]?.text ?? '')) || /^-mpip\d*$/.test(t)) {
        words = cmd.args.slice(t === '-m' ? i + 2 : i + 1);
        break;
      }
      // Python's own options come before -m; anything else is a script and its arguments.
      if (!t.startsWith('-')) break;
      if (t === '-W' || t === '-X') i++;
    }
  } else if (opts.uv && cmd.name === 'uv') {
    const pip = subcommandIn(cmd.args, ['pip']);
    if (pip) {
      const found = subcommandIn(pip.rest, ['install']);
      return found ? { cmd, installWord: found.word, rest: found.rest, uv: true } : undefined;
    }
    return undefined;
  }
  if (!words) return undefined;
  const found = subcommandIn(words, ['install'], PIP_GLOBAL_VALUE);
  return found ? { cmd, installWord: found.word, rest: found.rest, uv: false } : undefined;
}

/** The subcommand among `names` when it is the first operand of `words` (options with values skipped), and the words after it. */
export function subcommandIn(words: ShellWord[], names: string[], withValue: string[] = []): { word: ShellWord; rest: ShellWord[] } | undefined {
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!.text;
    if (t === '--') return undefined;
    if (t.startsWith('-') && t.length > 1) {
      if (withValue.includes(t)) i++;
      continue;
    }
    return names.includes(t) ? { word: words[i]!, rest: words.slice(i + 1) } : undefined;
  }
  return undefined;
}

export function subcommandWord(cmd: ShellCommand, names: string[], withValue: string[] = []): { word: ShellWord; rest: ShellWord[] } | undefined {
  return subcommandIn(cmd.args, names, withValue);
}

/** Words that are not options, stopping at `--`, skipping the values of `withValue` options. */
export function operandsOf(words: ShellWord[], withValue: string[] = []): ShellWord[] {
  const out: ShellWord[] = [];
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!.text;
    if (t === '--') break;
    if (t.startsWith('-') && t.length > 1) {
      if (withValue.includes(t)) i++;
      continue;
    }
    out.push(words[i]!);
  }
  return out;
}

export function hasWord(words: ShellWord[], ...names: string[]): boolean {
  return words.some((w) => names.some((n) => w.text === n || (n.startsWith('--') && w.text.startsWith(n + '='))));
}

export const NPM_INSTALL = ['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal', 'isntall', 'add'];
export const NPM_CI = ['ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean'];
/** npm options that take a separate value. */
export const NPM_VALUE = ['--prefix', '--registry', '--cache', '--loglevel', '--omit', '--include', '-w', '--workspace', '--tag', '--userconfig', '--globalconfig', '--install-strategy', '--location', '--before', '--otp', '--scope', '-C'];

/** The range from a command's name to `last` (e.g. `pip install`), wrappers and env prefixes left out. */
export function commandSpan(model: Model, run: RunInfo, cmd: ShellCommand, last: ShellWord): Range {
  return model.scriptRange(run, cmd.nameWord.start, Math.max(last.end, cmd.nameWord.end));
}

/** The value an environment variable has for a command: its own prefix, an `export` before it in the RUN, or ARG/ENV. */
export function envValue(inst: Inst, cmd: ShellCommand, name: string): { set: boolean; value: string | undefined } {
  const own = cmd.assignments.find((a) => a.name === name);
  if (own) return { set: true, value: own.value };
  // `export`/`declare -x` are declaration commands, which the shell model does not list: read the statements before.
  const before = inst.run?.script?.text.slice(0, cmd.start) ?? '';
  const re = new RegExp(`(?:^|[;&|(\\n])\\s*(?:export|declare\\s+-x)\\s+(?:[A-Za-z_]\\w*(?:=\\S*)?\\s+)*${name}=("[^"]*"|'[^']*'|[^\\s;&|]*)`, 'g');
  let last: string | undefined;
  for (let m = re.exec(before); m; m = re.exec(before)) last = m[1]!.replace(/^(["'])(.*)\1$/, '$2');
  if (last !== undefined) return { set: true, value: last.includes('$') ? undefined : last };
  const v = inst.scope.get(name);
  if (!v) return { set: false, value: undefined };
  return { set: true, value: v.value };
}

/** Whether a cache or tmpfs mount of the RUN covers a folder whose path ends like one of `suffixes` (any home folder). */
export function mountCoversSuffix(run: RunInfo, suffixes: string[]): boolean {
  return run.mounts.some((m) => {
    if ((m.type !== 'cache' && m.type !== 'tmpfs') || !m.target) return false;
    const t = m.target.replace(/\/+$/, '');
    return suffixes.some((s) => t === s || t.endsWith(s));
  });
}

/** Whether the RUN removes a folder (`rm -rf ~/.npm`) whose path matches. */
export function runRemoves(run: RunInfo, pattern: RegExp): boolean {
  return run.commands.some((c) => c.name === 'rm' && c.args.some((a) => pattern.test(a.text.replace(/\/\*?$/, ''))));
}

/** A word whose value depends on a variable or a command substitution: never guessed at. */
export function isDynamic(w: ShellWord): boolean {
  return w.dynamic || w.text.includes('$');
}

/** The stage chain an instruction's image is built from: its stage, then the stages it is FROM. */
export function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !out.includes(s); s = s.base?.stage) out.push(s);
  return out;
}

// ---------- COPY sources ----------

/** Manifest and lock files: copying them on their own is the point of the dependency layer. */
const MANIFEST_FILES =
  /^(package\.json|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|pnpm-workspace\.yaml|\.npmrc|\.yarnrc(\.yml)?|\.pnp\.c?js|\.pnp\.loader\.mjs|bun\.lockb?|requirements[\w.-]*\.(txt|in)|constraints[\w.-]*\.txt|setup\.py|setup\.cfg|pyproject\.toml|poetry\.lock|poetry\.toml|uv\.lock|Pipfile(\.lock)?|pdm\.lock|Gemfile(\.lock)?|[\w.-]+\.gemspec|\.ruby-version|composer\.(json|lock)|auth\.json|go\.(mod|sum|work|work\.sum)|Cargo\.(toml|lock)|pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|gradle\.properties|gradlew(\.bat)?|mvnw(\.cmd)?|[\w.-]+\.(csproj|fsproj|vbproj|sln|props|targets)|NuGet\.[Cc]onfig|nuget\.config|packages\.lock\.json|global\.json|mix\.(exs|lock)|\.tool-versions|\.nvmrc|\.python-version|README(\.\w+)?|LICENSE(\.\w+)?|VERSION)$/;
/** Folders that only hold manifests or package manager state. */
const MANIFEST_DIRS = /^(requirements|\.yarn|gradle|\.mvn|\.cargo|\.bundle|patches)$/;
/** Extensionless names that are files. */
const PLAIN_FILES = /^(Makefile|GNUmakefile|Dockerfile|Containerfile|Procfile|Rakefile|Jenkinsfile|Justfile|justfile|Brewfile|Vagrantfile|Caddyfile|LICENSE|LICENCE|COPYING|NOTICE|AUTHORS|CHANGELOG|VERSION|README|Gemfile|Pipfile|gradlew|mvnw|\.[\w.-]+)$/;

export type SourceKind = 'everything' | 'folder' | 'manifest' | 'file' | 'unknown';

export interface CopySource {
  text: string;
  kind: SourceKind;
}

/** `COPY`/`ADD` from the build context (no `--from`, no URL, no heredoc): its sources, classified. */
export function contextSources(inst: Inst, model: Model): CopySource[] | undefined {
  const target = inst.trigger ?? inst;
  if (target.keyword !== 'COPY' && target.keyword !== 'ADD') return undefined;
  if (target.flags.some((f) => f.name === 'from')) return undefined;
  const words = target.json ?? splitArgs(target.argsText.text);
  if (words.length < 2) return undefined;
  const out: CopySource[] = [];
  for (const raw of words.slice(0, -1)) {
    if (raw.startsWith('<<')) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.startsWith('git@')) continue;
    const expanded = target.scope.expand(raw, model.escape);
    if (!expanded.certain) {
      out.push({ text: raw, kind: 'unknown' });
      continue;
    }
    out.push({ text: expanded.text, kind: classifySource(expanded.text) });
  }
  return out;
}

const SOURCE_SAMPLES = ['main.py', 'app.js', 'index.ts', 'App.tsx', 'main.go', 'lib.rs', 'Main.java', 'app.rb', 'index.php', 'Program.cs', 'style.css', 'index.html', 'src', 'app'];
const MANIFEST_SAMPLES = ['package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'requirements.txt', 'requirements-dev.txt', 'pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile', 'Pipfile.lock', 'setup.cfg', 'Gemfile', 'Gemfile.lock', 'composer.json', 'composer.lock', 'go.mod', 'go.sum', 'Cargo.toml', 'Cargo.lock', 'pom.xml', 'build.gradle', 'settings.gradle', 'app.csproj', 'app.sln', 'mix.exs', 'mix.lock', '.npmrc'];

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function classifySource(src: string): SourceKind {
  const p = src.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';
  if (/^(\.|\*|\/|\.\*|\*\*)$/.test(p)) return 'everything';
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (/[*?]/.test(base)) {
    const re = globRegExp(base);
    if (SOURCE_SAMPLES.some((s) => re.test(s))) return 'folder';
    return MANIFEST_SAMPLES.some((s) => re.test(s)) ? 'manifest' : 'file';
  }
  if (MANIFEST_FILES.test(base) || MANIFEST_DIRS.test(base)) return 'manifest';
  if (src.endsWith('/')) return 'folder';
  if (PLAIN_FILES.test(base) || /\.[A-Za-z0-9]{1,12}$/.test(base)) return 'file';
  return 'folder';
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** The WORKDIR in effect at an instruction (`/` when none is set); undefined when a variable hides it. */
export function workdirAt(stage: Stage, index: number, model: Model): string | undefined {
  let dir: string | undefined = '/';
  for (const s of stageChain(stage).reverse()) {
    for (const inst of s.instructions) {
      if (s === stage && inst.index >= index) break;
      if (inst.keyword !== 'WORKDIR') continue;
      const value = inst.scope.expand(inst.argsText.text.trim().replace(/^(["'])(.*)\1$/, '$2'), model.escape);
      if (!value.certain) dir = undefined;
      else if (value.text.startsWith('/')) dir = value.text;
      else if (dir !== undefined) dir = `${dir.replace(/\/+$/, '')}/${value.text}`;
    }
  }
  return dir === undefined ? undefined : dir.replace(/\/+$/, '') || '/';
}

/** The instructions an instruction's image is built from, oldest first: its FROM stages, then its own stage up to `index`. */
export function instructionsBefore(stage: Stage, index: number): Inst[] {
  return stageChain(stage)
    .reverse()
    .flatMap((s) => (s === stage ? s.instructions.filter((i) => i.index < index) : s.instructions));
}

/**
 * The first COPY/ADD of the source before `index` in the image a stage builds (its FROM stages included): one that
 * copies `.`, or a folder into the folder `installDir` works in (folders copied elsewhere, such as `COPY rootfs/ /`,
 * are configuration). ONBUILD triggers run in the child's build, so they are paired only with triggers of the same
 * stage (`onbuild`), and plain instructions with plain ones.
 */
export function broadCopyBefore(stage: Stage, index: number, model: Model, onbuild = false): { inst: Inst; sources: CopySource[] } | undefined {
  const installDir = workdirAt(stage, index, model);
  const candidates = onbuild ? stage.instructions.filter((i) => i.index < index) : instructionsBefore(stage, index);
  for (const inst of candidates) {
    const target = onbuild ? inst.trigger : inst;
    if (!target || (target.keyword !== 'COPY' && target.keyword !== 'ADD')) continue;
    const sources = contextSources(target, model);
    if (!sources) continue;
    if (sources.some((s) => s.kind === 'everything')) return { inst: target, sources };
    if (!sources.some((s) => s.kind === 'folder')) continue;
    const words = target.json ?? splitArgs(target.argsText.text);
    const dest = target.scope.expand(words[words.length - 1] ?? '', model.escape);
    if (!dest.certain) continue;
    let into = dest.text.replace(/\/+$/, '');
    if (dest.text.startsWith('/') && into === '') continue;
    if (!into.startsWith('/')) {
      const base = workdirAt(target.stage, target.index, model);
      if (base === undefined) continue;
      into = `${base.replace(/\/+$/, '')}/${into}`;
    } else if (installDir === undefined || installDir === '/') {
      continue;
    }
    if (installDir !== undefined && (installDir === '/' || into === installDir || into.startsWith(installDir + '/'))) return { inst: target, sources };
  }
  return undefined;
}

/** How a COPY is written for messages: `COPY . .`, shortened when long. */
export function copyLabel(inst: Inst): string {
  const text = `${inst.keyword} ${inst.argsText.text.trim().replace(/\s+/g, ' ')}`;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * An edit that runs `text` right after `cmd` (`yarn install` → `yarn install && yarn cache clean`), or undefined
 * where that could change what the script does: exec form, pipelines, redirections, `||`, background jobs.
 */
export function appendCommandEdit(model: Model, run: RunInfo, cmd: ShellCommand, text: string): { range: Range; newText: string } | undefined {
  if (run.execForm || !run.script || cmd.pipelineLength !== 1) return undefined;
  const after = run.script.text.slice(cmd.end);
  if (!/^[ \t]*(&&|;|\n|$)/.test(after)) return undefined;
  const end = run.script.docSpan(cmd.start, cmd.end)[1];
  return { range: model.range(end, end), newText: ` && ${text}` };
}

const YARN_VALUE = ['--cache-folder', '--modules-folder', '--network-timeout', '--mutex', '--cwd', '--registry', '--global-folder', '--link-folder', '--use-yarnrc', '--network-concurrency', '--child-concurrency', '--preferred-cache-folder'];

/** `yarn` (with options only), `yarn install`, `yarn add x`, `yarn global add x`: the last word of the command name and a label. */
export function yarnInstall(cmd: ShellCommand): { word: ShellWord; label: string } | undefined {
  if (cmd.name !== 'yarn') return undefined;
  const ops = operandsOf(cmd.args, YARN_VALUE);
  if (ops.length === 0) {
    if (cmd.args.some((a) => ['-v', '--version', '-h', '--help'].includes(a.text))) return undefined;
    return { word: cmd.nameWord, label: 'yarn' };
  }
  if (ops[0]!.text === 'install' || ops[0]!.text === 'add') return { word: ops[0]!, label: `yarn ${ops[0]!.text}` };
  if (ops[0]!.text === 'global' && ops[1]?.text === 'add') return { word: ops[1], label: 'yarn global add' };
  return undefined;
}

export interface DependencyInstall {
  /** Installs of one group can stand in for each other (a `pip install -r` first, `pip install .` after the source). */
  group: 'node' | 'python' | 'ruby' | 'php' | 'go' | 'rust' | 'maven' | 'gradle' | 'dotnet' | 'elixir';
  /** How the command is written, for messages: `npm ci`, `pip install -r requirements.txt`. */
  label: string;
  /** The last word of the part to underline (the subcommand). */
  word: ShellWord;
  /** What to copy first. */
  manifests: string;
  /** What to run before copying the rest, when it differs from the command itself. */
  advice?: string;
}

const PNPM_VALUE = ['--filter', '-F', '--dir', '-C', '--reporter', '--store-dir', '--virtual-store-dir', '--modules-dir', '--network-concurrency'];

/** An install of the dependencies a manifest lists (not of named packages): what a dependency layer is for. */
export function dependencyInstall(cmd: ShellCommand): DependencyInstall | undefined {
  const n = cmd.name;
  if (n === 'npm') {
    const sub = subcommandWord(cmd, [...NPM_INSTALL.filter((s) => s !== 'add'), ...NPM_CI], NPM_VALUE);
    if (!sub || (!NPM_CI.includes(sub.word.text) && operandsOf(sub.rest, NPM_VALUE).length)) return undefined;
    return { group: 'node', label: `npm ${sub.word.text}`, word: sub.word, manifests: 'package.json and package-lock.json' };
  }
  if (n === 'yarn') {
    const y = yarnInstall(cmd);
    if (!y || y.label === 'yarn add' || y.label === 'yarn global add' || operandsOf(cmd.args, YARN_VALUE).length > 1) return undefined;
    return { group: 'node', label: y.label, word: y.word, manifests: 'package.json and yarn.lock' };
  }
  if (n === 'pnpm' || n === 'bun') {
    const sub = subcommandWord(cmd, n === 'pnpm' ? ['install', 'i', 'fetch'] : ['install', 'i'], PNPM_VALUE);
    if (!sub || operandsOf(sub.rest, PNPM_VALUE).length) return undefined;
    return { group: 'node', label: `${n} ${sub.word.text}`, word: sub.word, manifests: n === 'pnpm' ? 'package.json and pnpm-lock.yaml' : 'package.json and bun.lock' };
  }
  const pip = pipInstall(cmd, { uv: true });
  if (pip) {
    const tool = pip.uv ? 'uv pip' : /^pip/.test(cmd.name) ? cmd.name : `${cmd.name} -m pip`;
    const reqs: string[] = [];
    for (let i = 0; i < pip.rest.length; i++) {
      const t = pip.rest[i]!.text;
      if ((t === '-r' || t === '--requirement') && pip.rest[i + 1]) reqs.push(pip.rest[++i]!.text);
      else if (t.startsWith('--requirement=')) reqs.push(t.slice('--requirement='.length));
      else if (/^-r./.test(t)) reqs.push(t.slice(2));
    }
    const local = [...operandsOf(pip.rest, PIP_INSTALL_VALUE), ...pip.rest.filter((_, i) => ['-e', '--editable'].includes(pip.rest[i - 1]?.text ?? ''))].find((w) => /^\.\/?(\[.*\])?$/.test(w.text));
    if (reqs.length && !reqs.some((r) => r.includes('$'))) {
      return { group: 'python', label: `${tool} install -r ${reqs.join(' -r ')}`, word: pip.installWord, manifests: reqs.map((r) => (r.startsWith('/') ? r.slice(r.lastIndexOf('/') + 1) : r)).join(' and ') };
    }
    if (local) {
      return { group: 'python', label: `${tool} install ${local.text}`, word: pip.installWord, manifests: 'pyproject.toml (or setup.py, requirements.txt)', advice: 'install the dependencies' };
    }
    return undefined;
  }
  if (n === 'uv') {
    const sub = subcommandWord(cmd, ['sync'], ['--python', '-p', '--extra', '--group', '--package', '--directory', '--project']);
    if (sub) return { group: 'python', label: 'uv sync', word: sub.word, manifests: 'pyproject.toml and uv.lock', advice: 'run `uv sync --no-install-project`' };
    const pipSync = subcommandWord(cmd, ['pip']);
    const s2 = pipSync && subcommandIn(pipSync.rest, ['sync']);
    if (s2) return { group: 'python', label: 'uv pip sync', word: s2.word, manifests: 'the requirements file' };
    return undefined;
  }
  if (n === 'poetry') {
    const sub = subcommandWord(cmd, ['install'], ['--with', '--without', '--only', '-E', '--extras', '-C', '--directory', '-P', '--project']);
    return sub ? { group: 'python', label: 'poetry install', word: sub.word, manifests: 'pyproject.toml and poetry.lock', advice: 'run `poetry install --no-root`' } : undefined;
  }
  if (n === 'pipenv' || n === 'pdm') {
    const sub = subcommandWord(cmd, ['install', 'sync'], ['--python', '-G', '--group']);
    if (!sub || operandsOf(sub.rest, ['--python', '-G', '--group']).length) return undefined;
    return { group: 'python', label: `${n} ${sub.word.text}`, word: sub.word, manifests: n === 'pipenv' ? 'Pipfile and Pipfile.lock' : 'pyproject.toml and pdm.lock' };
  }
  if (n === 'bundle' || n === 'bundler') {
    const ops = operandsOf(cmd.args, ['--gemfile', '--jobs', '-j', '--path', '--without', '--with', '--retry']);
    if (ops.length === 0 && !cmd.args.some((a) => ['-v', '--version', '-h', '--help'].includes(a.text))) return { group: 'ruby', label: n, word: cmd.nameWord, manifests: 'Gemfile and Gemfile.lock' };
    const sub = subcommandWord(cmd, ['install'], ['--gemfile', '--jobs', '-j', '--path', '--without', '--with', '--retry']);
    return sub ? { group: 'ruby', label: `${n} install`, word: sub.word, manifests: 'Gemfile and Gemfile.lock' } : undefined;
  }
  if (n === 'composer' || n === 'composer.phar') {
    const sub = subcommandWord(cmd, ['install', 'i'], ['-d', '--working-dir']);
    return sub ? { group: 'php', label: 'composer install', word: sub.word, manifests: 'composer.json and composer.lock', advice: 'run `composer install --no-scripts --no-autoloader`' } : undefined;
  }
  if (n === 'go') {
    const sub = subcommandWord(cmd, ['mod'], ['-C']);
    const dl = sub && subcommandIn(sub.rest, ['download']);
    return dl && operandsOf(dl.rest).length === 0 ? { group: 'go', label: 'go mod download', word: dl.word, manifests: 'go.mod and go.sum', advice: 'download the modules' } : undefined;
  }
  if (n === 'cargo') {
    const sub = subcommandWord(cmd, ['fetch'], ['--manifest-path', '--target']);
    return sub ? { group: 'rust', label: 'cargo fetch', word: sub.word, manifests: 'Cargo.toml and Cargo.lock', advice: 'fetch (with stub sources, or cargo-chef)' } : undefined;
  }
  if (n === 'mvn' || n === 'mvnw') {
    const goal = cmd.args.find((a) => /^(dependency:(go-offline|resolve|resolve-plugins|copy-dependencies)|[\w.-]+:go-offline(-maven-plugin)?:resolve-dependencies)$/.test(a.text));
    return goal ? { group: 'maven', label: `${n} ${goal.text}`, word: goal, manifests: 'pom.xml', advice: 'resolve the dependencies' } : undefined;
  }
  if (n === 'gradle' || n === 'gradlew') {
    const task = cmd.args.find((a) => a.text === 'dependencies' || a.text === 'resolveDependencies' || a.text === 'downloadDependencies');
    return task ? { group: 'gradle', label: `${n} ${task.text}`, word: task, manifests: 'build.gradle, settings.gradle and the gradle/ folder', advice: 'resolve the dependencies' } : undefined;
  }
  if (n === 'dotnet') {
    const sub = subcommandWord(cmd, ['restore']);
    return sub ? { group: 'dotnet', label: 'dotnet restore', word: sub.word, manifests: 'the *.csproj/*.sln files (and NuGet.config)', advice: 'restore' } : undefined;
  }
  if (n === 'mix') {
    const sub = subcommandWord(cmd, ['deps.get']);
    return sub ? { group: 'elixir', label: 'mix deps.get', word: sub.word, manifests: 'mix.exs and mix.lock' } : undefined;
  }
  return undefined;
}

/**
 * Stages whose layers end up in an image: the final stage, any stage that no other stage copies from or builds
 * FROM (a possible `--target`), and the stages these are built FROM. A builder that is only used through `COPY --from` or
 * `RUN --mount=from=` is not among them: what it leaves in its own layers is not shipped.
 */
export function shippingStages(model: Model): Set<Stage> {
  const referenced = new Set<Stage>();
  const byName = (ref: string): Stage | undefined =>
    /^\d+$/.test(ref) ? model.stages[Number(ref)] : model.stages.find((s) => s.name?.toLowerCase() === ref.toLowerCase());
  for (const inst of model.instructions) {
    const t = inst.trigger ?? inst;
    const refs = [...t.flags.filter((f) => f.name === 'from' && (t.keyword === 'COPY' || t.keyword === 'ADD')).map((f) => f.value ?? ''), ...(t.run?.mounts.map((m) => m.options.from ?? '') ?? [])];
    for (const r of refs) {
      const s = r && byName(r);
      if (s) referenced.add(s);
    }
  }
  for (const s of model.stages) if (s.base?.stage) referenced.add(s.base.stage);
  const out = new Set<Stage>();
  model.stages.forEach((s, i) => {
    if (i === model.stages.length - 1 || !referenced.has(s)) for (const c of stageChain(s)) out.add(c);
  });
  return out;
}
