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
const MANIFEST_DIRS = /^(requirements|\.yarn|gradle|buildSrc|\.mvn|\.cargo|\.bundle|patches)$/;
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
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
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
    const sources = target && sourceCopyInto(target, installDir, model);
    if (sources) return { inst: target, sources };
  }
  return undefined;
}

/**
 * The sources of a COPY/ADD that brings the source into `installDir`: `.`, or a folder copied into that folder or
 * below it (folders copied elsewhere, such as `COPY rootfs/ /`, are configuration).
 */
export function sourceCopyInto(target: Inst, installDir: string | undefined, model: Model): CopySource[] | undefined {
  if (target.keyword !== 'COPY' && target.keyword !== 'ADD') return undefined;
  const sources = contextSources(target, model);
  if (!sources) return undefined;
  if (sources.some((s) => s.kind === 'everything')) return sources;
  if (!sources.some((s) => s.kind === 'folder')) return undefined;
  const words = target.json ?? splitArgs(target.argsText.text);
  const dest = target.scope.expand(words[words.length - 1] ?? '', model.escape);
  if (!dest.certain) return undefined;
  let into = dest.text.replace(/\/+$/, '');
  if (dest.text.startsWith('/') && into === '') return undefined;
  if (!into.startsWith('/')) {
    const base = workdirAt(target.stage, target.index, model);
    if (base === undefined) return undefined;
    into = `${base.replace(/\/+$/, '')}/${into}`;
  } else if (installDir === undefined || installDir === '/') {
    return undefined;
  }
  if (installDir !== undefined && (installDir === '/' || into === installDir || into.startsWith(installDir + '/'))) return sources;
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
    // `--no-deps` installs the project alone: its dependencies came from elsewhere (an earlier step, a venv from another stage).
    if (local && !pip.rest.some((w) => w.text === '--no-deps')) {
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
  // The first stage of each name, looked up per reference (a scan per COPY --from was quadratic in the stages).
  const firstByName = new Map<string, Stage>();
  for (const s of model.stages) {
    const key = s.name?.toLowerCase();
    if (key !== undefined && !firstByName.has(key)) firstByName.set(key, s);
  }
  const byName = (ref: string): Stage | undefined => (/^\d+$/.test(ref) ? model.stages[Number(ref)] : firstByName.get(ref.toLowerCase()));
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
    if (i === model.stages.length - 1 || !referenced.has(s)) {
      // A stage already in `out` came with its whole chain of bases.
      for (const c of stageChain(s)) {
        if (out.has(c)) break;
        out.add(c);
      }
    }
  });
  return out;
}

// ---------- What a dependency install reads and writes (the lockfile-move fix) ----------

/** Files of the install's folder as the build context holds them; paths are relative to that folder. */
export interface ManifestReader {
  /** The text of a file, if the build context sends it. */
  read(rel: string): string | undefined;
  exists(rel: string): boolean;
  /** Names in a folder (empty for a file or a missing folder). */
  list(rel: string): string[];
}

export interface InstallInputs {
  /** Files to copy before the install, relative to its folder. `anyOf` alternatives: the first that exists. */
  files: { anyOf: string[]; required: boolean }[];
  /** Folders to copy whole (`.yarn`, `.mvn`, `gradle`, `config`). */
  dirs: string[];
  /**
   * What the install writes in its folder. If the build context holds the same path, the source COPY that now follows
   * would overwrite it: `replaces` breaks the install (node_modules), `rewrites` only changes a file the install may
   * have updated (a lock file).
   */
  outputs: { path: string; kind: 'replaces' | 'rewrites'; why: string }[];
  /** Why the install cannot run before the source is there. */
  blocked?: string;
  /** Why the result may differ from the original, though it should build. */
  unsafe?: string;
}

/** Options that move where an install reads its manifests: the fix does not follow them. */
const DIR_OPTIONS: Record<string, string[]> = {
  node: ['--prefix', '-C', '--dir', '--cwd'],
  python: ['--directory', '--project', '-C', '-P', '--src', '-f', '--find-links', '-e', '--editable'],
  ruby: ['--gemfile', '--path', '--binstubs'],
  php: ['-d', '--working-dir'],
  go: ['-C'],
  maven: ['-f', '--file'],
  gradle: ['-p', '--project-dir', '-b', '--build-file', '-c', '--settings-file', '--include-build'],
  dotnet: [],
  elixir: [],
  rust: ['--manifest-path'],
};

const LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare', 'dependencies'];

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const joinRel = (dir: string, name: string): string => (dir && dir !== '.' ? `${dir.replace(/\/+$/, '')}/${name}` : name);
const normRel = (p: string): string =>
  p
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s && s !== '.')
    .join('/');

/** A folder pattern of npm/yarn/pnpm workspaces (`packages/*`, `apps/**`, `tools/cli`), expanded over the context. */
export function expandFolderGlobs(patterns: string[], reader: ManifestReader, marker: string): string[] | string {
  const out = new Set<string>();
  const excluded: RegExp[] = [];
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const p = normRel(neg ? raw.slice(1) : raw);
    if (neg) {
      excluded.push(globToRegExp(p));
      continue;
    }
    if (/[{}[\]]/.test(p)) return `the workspace pattern \`${raw}\` is more than the fix can expand`;
    const parts = p.split('/');
    let dirs = [''];
    for (const part of parts) {
      const next: string[] = [];
      for (const d of dirs) {
        if (part === '**') {
          // Any depth, below a few levels: workspaces are not buried deeper in practice.
          const walk = (dir: string, depth: number): void => {
            next.push(dir);
            if (depth >= 4 || next.length > 400) return;
            for (const n of reader.list(dir)) if (n !== 'node_modules' && !n.startsWith('.') && reader.list(joinRel(dir, n)).length) walk(joinRel(dir, n), depth + 1);
          };
          walk(d, 0);
        } else if (/[*?]/.test(part)) {
          const re = globToRegExp(part);
          for (const n of reader.list(d)) if (re.test(n) && n !== 'node_modules' && reader.list(joinRel(d, n)).length) next.push(joinRel(d, n));
        } else next.push(joinRel(d, part));
      }
      dirs = next;
      if (dirs.length > 200) return 'the workspaces match more than 200 folders';
    }
    for (const d of dirs) if (d && reader.exists(joinRel(d, marker))) out.add(d);
  }
  return [...out].filter((d) => !excluded.some((re) => re.test(d))).sort();
}

/** A folder glob as workspace tools read it: `**` is any number of folders, none included (`a/**` matches `a`). */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else if (re.endsWith('/')) {
        re = `${re.slice(0, -1)}(?:/.*)?`;
        i++;
      } else {
        re += '.*';
        i++;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** `packages:` of pnpm-workspace.yaml: the list items, quotes removed. */
function pnpmWorkspacePackages(text: string): string[] {
  const out: string[] = [];
  let inPackages = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^packages\s*:/.test(line)) {
      inPackages = true;
      const inline = /\[(.*)\]/.exec(line);
      if (inline) return inline[1]!.split(',').map((s) => s.trim().replace(/^(["'])(.*)\1$/, '$2')).filter(Boolean);
      continue;
    }
    if (!inPackages) continue;
    if (/^\S/.test(line)) break;
    const m = /^\s*-\s*(.+?)\s*(#.*)?$/.exec(line);
    if (m) out.push(m[1]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}

/** A registry token written into a config file (not a `${VAR}` reference). */
function holdsToken(text: string | undefined): boolean {
  if (!text) return false;
  return text.split(/\r?\n/).some((l) => {
    if (/^\s*[#;]/.test(l)) return false;
    const m = /(?:^|[\s:/])(_auth|_authToken|_password|npmAuthToken|npmAuthIdent|password)\s*[=:]\s*["']?([^\s"']+)/i.exec(l);
    return !!m && !/^\$\{?[A-Za-z_]/.test(m[2]!);
  });
}

const hasFlag = (cmd: ShellCommand, ...names: string[]): boolean => hasWord(cmd.args, ...names);

/** A word that names a local file or folder rather than a package (`.`, `./x`, `../x`, `/x`, `file:x`, `x.whl`). */
function isLocalRef(t: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t) && !t.startsWith('file:')) return false;
  return /^(\.{1,2}(\/|$)|\/|~|file:)/.test(t) || /\.(whl|tar\.gz|zip|tgz|gem|deb|rpm)$/.test(t) || /@\s*file:/.test(t);
}

/**
 * What a dependency install needs from the build context, what it writes into its folder, and whether it can run
 * before the source is there at all. `reader` sees the install's folder as the build context holds it.
 */
export function installInputs(cmd: ShellCommand, dep: DependencyInstall, reader: ManifestReader, env: (name: string) => string | undefined): InstallInputs {
  const out: InstallInputs = { files: [], dirs: [], outputs: [] };
  const need = (anyOf: string[], required = true): void => void out.files.push({ anyOf, required });
  const optional = (...names: string[]): void => {
    for (const n of names) if (reader.exists(n)) out.files.push({ anyOf: [n], required: false });
  };
  const dir = (...names: string[]): void => {
    for (const n of names) if (reader.list(n).length) out.dirs.push(n);
  };
  const unsafe = (why: string): void => {
    out.unsafe ??= why;
  };
  const dirOption = cmd.args.find((a) => (DIR_OPTIONS[dep.group] ?? []).some((o) => a.text === o || a.text.startsWith(`${o}=`)));
  if (dirOption) return { ...out, blocked: `\`${dirOption.text.replace(/=.*/, '')}\` changes where ${dep.label} reads or writes its files` };
  // pip's install folders are fine outside the source (`--target /deps`), not inside it.
  const into = cmd.args.findIndex((a) => dep.group === 'python' && /^(--target|-t|--prefix|--root)(=|$)/.test(a.text));
  if (into >= 0) {
    const w = cmd.args[into]!;
    const value = w.text.includes('=') ? w.text.slice(w.text.indexOf('=') + 1) : (cmd.args[into + 1]?.text ?? '');
    if (!value.startsWith('/')) return { ...out, blocked: `\`${w.text.replace(/=.*/, '')} ${value}\` installs into the source folder` };
  }
  switch (dep.group) {
    case 'node':
      return nodeInputs(cmd, dep, reader, out, need, optional, dir);
    case 'python':
      return pythonInputs(cmd, dep, reader, out, need, optional, env);
    case 'ruby': {
      need(['Gemfile']);
      const gemfile = reader.read('Gemfile');
      if (gemfile === undefined) return out;
      if (/^\s*gemspec\b/m.test(gemfile)) return { ...out, blocked: 'the Gemfile loads the gemspec, which reads the source' };
      if (/\bpath\s*(:|=>)|\beval_gemfile\b/.test(gemfile)) return { ...out, blocked: 'the Gemfile installs a gem from a local path' };
      optional('Gemfile.lock');
      if (/\.ruby-version/.test(gemfile)) optional('.ruby-version');
      if (/\.tool-versions/.test(gemfile)) optional('.tool-versions');
      dir('.bundle');
      out.outputs.push({ path: 'vendor/bundle', kind: 'replaces', why: 'the installed gems' });
      const frozen = hasFlag(cmd, '--frozen', '--deployment') || /^(true|1)$/.test(env('BUNDLE_FROZEN') ?? '') || /^(true|1)$/.test(env('BUNDLE_DEPLOYMENT') ?? '');
      if (!frozen) out.outputs.push({ path: 'Gemfile.lock', kind: 'rewrites', why: `${dep.label} may update Gemfile.lock` });
      return out;
    }
    case 'php': {
      need(['composer.json']);
      const json = parseJson(reader.read('composer.json'));
      if (!json) return reader.exists('composer.json') ? { ...out, blocked: 'composer.json could not be read' } : out;
      if (reader.exists('auth.json')) return { ...out, blocked: 'auth.json holds registry credentials: pass them as a build secret instead of copying them' };
      const repositories = Array.isArray(json.repositories) ? (json.repositories as unknown[]) : Object.values(record(json.repositories));
      if (repositories.some((r) => record(r).type === 'path'))
        return { ...out, blocked: 'composer.json has a path repository in the source' };
      const scripts = Object.keys(record(json.scripts)).filter((s) => /^(pre|post)-(install|update|autoload-dump|package-install)/.test(s) || s === 'post-root-package-install');
      if (scripts.length && !hasFlag(cmd, '--no-scripts')) return { ...out, blocked: `composer.json runs \`${scripts[0]}\` scripts, which may need the source (the fix moves the install only where it already has --no-scripts)` };
      const autoload = { ...record(json.autoload), ...record(json['autoload-dev']) };
      if (Object.keys(autoload).length && !hasFlag(cmd, '--no-autoloader')) {
        const optimized = hasFlag(cmd, '-o', '--optimize-autoloader', '-a', '--classmap-authoritative') || !!record(json.config)['optimize-autoloader'] || !!record(json.config)['classmap-authoritative'];
        if (optimized || 'classmap' in autoload || 'files' in autoload) return { ...out, blocked: 'the autoloader is generated from the source (the fix moves the install only where it already has --no-autoloader)' };
        unsafe('the autoloader is then generated before the source is there');
      }
      optional('composer.lock');
      out.outputs.push({ path: 'vendor', kind: 'replaces', why: 'the installed packages' });
      return out;
    }
    case 'go': {
      need(['go.mod']);
      const mod = reader.read('go.mod');
      if (mod !== undefined && /=>\s*\.{0,2}\//m.test(mod)) return { ...out, blocked: 'go.mod replaces a module with a local folder' };
      optional('go.sum', 'go.work', 'go.work.sum');
      const work = reader.read('go.work');
      if (work !== undefined) {
        for (const m of work.matchAll(/^\s*(?:use\s+)?(\.\S*)\s*$/gm)) {
          const d = normRel(m[1]!);
          if (!d) continue;
          if (m[1]!.startsWith('..')) return { ...out, blocked: 'go.work uses a module outside the folder' };
          need([joinRel(d, 'go.mod')]);
          optional(joinRel(d, 'go.sum'));
        }
      }
      return out;
    }
    case 'rust':
      return { ...out, blocked: 'cargo fetch needs the crate targets (src/main.rs or src/lib.rs) besides Cargo.toml: use stub sources or cargo-chef' };
    case 'maven': {
      need(['pom.xml']);
      if (/^(\.\/)?mvnw$/.test(cmd.nameWord.text)) need(['mvnw']);
      else optional('mvnw');
      dir('.mvn');
      const settings = cmd.args.findIndex((a) => a.text === '-s' || a.text === '--settings');
      if (settings >= 0 && cmd.args[settings + 1]) {
        const s = cmd.args[settings + 1]!.text;
        if (!s.startsWith('/')) need([normRel(s)]);
      }
      const seen = new Set<string>();
      const modules = (d: string): string | undefined => {
        if (seen.has(d) || seen.size > 200) return undefined;
        seen.add(d);
        const pom = reader.read(joinRel(d, 'pom.xml'));
        if (pom === undefined) return undefined;
        if (/<activation>[\s\S]*?<file>/.test(pom)) unsafe('a Maven profile is activated by a file of the source');
        for (const m of pom.matchAll(/<module>\s*([^<\s]+)\s*<\/module>/g)) {
          const sub = normRel(joinRel(d, m[1]!));
          if (m[1]!.startsWith('..') || sub.startsWith('..')) return 'a Maven module is outside the folder';
          need([joinRel(sub, 'pom.xml')]);
          const r = modules(sub);
          if (r) return r;
        }
        return undefined;
      };
      const bad = modules('');
      return bad ? { ...out, blocked: bad } : out;
    }
    case 'gradle': {
      const settings = ['settings.gradle.kts', 'settings.gradle'].find((f) => reader.exists(f));
      const build = ['build.gradle.kts', 'build.gradle'].find((f) => reader.exists(f));
      if (!settings && !build) need(['build.gradle.kts', 'build.gradle']);
      optional(...[settings, build].filter((x): x is string => !!x), 'gradle.properties');
      if (/^(\.\/)?gradlew$/.test(cmd.nameWord.text)) need(['gradlew']);
      else optional('gradlew');
      dir('gradle', 'buildSrc');
      const text = settings ? (reader.read(settings) ?? '') : '';
      if (/includeBuild|projectDir|rootProject\.children/.test(text)) return { ...out, blocked: 'settings.gradle includes builds or moves project folders' };
      for (const m of text.matchAll(/\binclude\s*\(?([^)\n]*)\)?/g)) {
        for (const s of m[1]!.matchAll(/["']([^"']+)["']/g)) {
          const d = s[1]!.replace(/^:/, '').replace(/:/g, '/');
          optional(joinRel(d, 'build.gradle.kts'), joinRel(d, 'build.gradle'));
        }
      }
      unsafe('Gradle build scripts are programs and may read other files of the source');
      return out;
    }
    case 'dotnet': {
      const found: string[] = [];
      // Bounded: the linter runs on every edit, and this reads folders of the build context.
      let budget = 300;
      const walk = (d: string, depth: number): void => {
        if (found.length > 300 || --budget < 0) return;
        for (const n of reader.list(d)) {
          const p = joinRel(d, n);
          if (/^(bin|obj|node_modules|\.git|\.vs|packages)$/i.test(n)) {
            if (/^obj$/i.test(n)) out.outputs.push({ path: p, kind: 'replaces', why: 'the restore results' });
            continue;
          }
          if (/\.(csproj|fsproj|vbproj|sln|slnx|slnf)$|^(Directory\.(Build|Packages)\.(props|targets)|NuGet\.config|nuget\.config|NuGet\.Config|global\.json|packages\.lock\.json|Directory\.Build\.rsp)$/.test(n)) found.push(p);
          else if (depth < 6 && !/\.\w{1,8}$/.test(n)) walk(p, depth + 1);
        }
      };
      walk('', 0);
      if (found.length > 300 || budget < 0) return { ...out, blocked: 'the source has too many folders to find every project file' };
      if (!found.some((f) => /\.(csproj|fsproj|vbproj|sln|slnx|slnf)$/.test(f))) need(['*.csproj']);
      for (const f of found) {
        out.files.push({ anyOf: [f], required: false });
        const t = /proj$|\.props$|\.targets$/.test(f) ? reader.read(f) : undefined;
        if (t && /<Import\b|Exists\(/.test(t)) unsafe(`${f} imports or tests for other files`);
      }
      out.outputs.push({ path: 'obj', kind: 'replaces', why: 'the restore results' });
      return out;
    }
    case 'elixir': {
      need(['mix.exs']);
      const mix = reader.read('mix.exs') ?? '';
      if (/apps_path/.test(mix)) return { ...out, blocked: 'an umbrella project needs every app' };
      if (/\bpath:\s*"/.test(mix)) return { ...out, blocked: 'mix.exs has a dependency in a local path' };
      optional('mix.lock');
      out.outputs.push({ path: 'deps', kind: 'replaces', why: 'the fetched dependencies' });
      unsafe('mix.exs is a program and may read other files of the source');
      return out;
    }
  }
  return out;
}

function nodeInputs(
  cmd: ShellCommand,
  dep: DependencyInstall,
  reader: ManifestReader,
  out: InstallInputs,
  need: (anyOf: string[], required?: boolean) => void,
  optional: (...names: string[]) => void,
  dir: (...names: string[]) => void,
): InstallInputs {
  const tool = cmd.name;
  const fetchOnly = tool === 'pnpm' && dep.label === 'pnpm fetch';
  const frozen =
    (tool === 'npm' && NPM_CI.some((c) => dep.label === `npm ${c}`)) ||
    hasFlag(cmd, '--frozen-lockfile', '--immutable', '--ci') ||
    fetchOnly;
  const locks: Record<string, string[]> = { npm: ['package-lock.json', 'npm-shrinkwrap.json'], yarn: ['yarn.lock'], pnpm: ['pnpm-lock.yaml'], bun: ['bun.lock', 'bun.lockb'] };
  const lock = locks[tool] ?? [];
  if (!fetchOnly) need(['package.json']);
  need(lock, frozen);
  optional('.npmrc');
  if (tool === 'yarn') {
    optional('.yarnrc', '.yarnrc.yml', '.pnp.cjs', '.pnp.loader.mjs');
    dir('.yarn');
  }
  if (tool === 'pnpm') optional('pnpm-workspace.yaml', '.pnpmfile.cjs');
  if (tool === 'bun') optional('bunfig.toml');
  for (const f of ['.npmrc', '.yarnrc', '.yarnrc.yml']) {
    if (holdsToken(reader.read(f))) return { ...out, blocked: `${f} holds a registry token: mount it as a build secret instead of copying it` };
  }
  const writesLock = !frozen && !hasFlag(cmd, '--pure-lockfile', '--no-lockfile', '--no-package-lock', '--lockfile-only') && !cmd.args.some((a) => a.text === '--package-lock=false');
  if (writesLock) for (const l of lock) out.outputs.push({ path: l, kind: 'rewrites', why: `${dep.label} may rewrite ${l}` });
  out.outputs.push({ path: 'node_modules', kind: 'replaces', why: 'the installed packages' });
  if (tool === 'yarn') out.outputs.push({ path: '.pnp.cjs', kind: 'rewrites', why: `${dep.label} rewrites .pnp.cjs` });
  if (fetchOnly) return out;
  const text = reader.read('package.json');
  if (text === undefined) return reader.exists('package.json') ? { ...out, blocked: 'package.json could not be read' } : out;
  const pkg = parseJson(text);
  if (!pkg) return { ...out, blocked: 'package.json is not valid JSON' };
  const ignoreScripts = hasFlag(cmd, '--ignore-scripts');
  const check = (p: Record<string, unknown>, where: string): string | undefined => {
    if (!ignoreScripts) {
      const scripts = record(p.scripts);
      const hook = LIFECYCLE.find((h) => typeof scripts[h] === 'string');
      if (hook) return `${where} runs a \`${hook}\` script (\`${String(scripts[hook]).slice(0, 40)}\`) on install, which may need the source`;
    }
    for (const section of ['dependencies', 'devDependencies', 'optionalDependencies', 'overrides', 'resolutions']) {
      for (const [name, spec] of Object.entries(record(p[section]))) {
        if (typeof spec === 'string' && /^(file:|link:|portal:|\.{1,2}\/|\/)/.test(spec)) return `${where} takes \`${name}\` from a local path (\`${spec}\`)`;
      }
    }
    return undefined;
  };
  const bad = check(pkg, 'package.json');
  if (bad) return { ...out, blocked: bad };
  const patched = record(record(pkg.pnpm).patchedDependencies);
  for (const p of Object.values(patched)) if (typeof p === 'string') need([normRel(p)]);
  let patterns: string[] = [];
  const ws = pkg.workspaces;
  if (Array.isArray(ws)) patterns = strings(ws);
  else if (ws && typeof ws === 'object') patterns = strings(record(ws).packages);
  if (tool === 'pnpm') {
    const yaml = reader.read('pnpm-workspace.yaml');
    if (yaml !== undefined) patterns = [...patterns, ...pnpmWorkspacePackages(yaml)];
  }
  if (patterns.length) {
    const dirs = expandFolderGlobs(patterns, reader, 'package.json');
    if (typeof dirs === 'string') return { ...out, blocked: dirs };
    for (const d of dirs) {
      const file = joinRel(d, 'package.json');
      const w = parseJson(reader.read(file));
      if (!w) return { ...out, blocked: `${file} could not be read` };
      const wbad = check(w, file);
      if (wbad) return { ...out, blocked: wbad };
      need([file]);
      out.outputs.push({ path: joinRel(d, 'node_modules'), kind: 'replaces', why: 'the installed packages' });
    }
  }
  return out;
}

function pythonInputs(
  cmd: ShellCommand,
  dep: DependencyInstall,
  reader: ManifestReader,
  out: InstallInputs,
  need: (anyOf: string[], required?: boolean) => void,
  optional: (...names: string[]) => void,
  env: (name: string) => string | undefined,
): InstallInputs {
  const venv = (): void => {
    out.outputs.push({ path: '.venv', kind: 'replaces', why: 'the virtual environment' });
  };
  const requirementFiles = (files: string[]): string | undefined => {
    const seen = new Set<string>();
    const visit = (file: string): string | undefined => {
      if (seen.has(file)) return undefined;
      seen.add(file);
      need([file]);
      const text = reader.read(file);
      if (text === undefined) return undefined;
      const base = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
      for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
        const line = raw.replace(/(^|\s)#.*$/, '').trim();
        if (!line) continue;
        const inc = /^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)/.exec(line);
        if (inc) {
          if (inc[2]!.includes('$') || inc[2]!.startsWith('/') || /^[a-z]+:\/\//.test(inc[2]!)) return `${file} includes \`${inc[2]}\``;
          const r = visit(normRel(joinRel(base, inc[2]!)));
          if (r) return r;
          continue;
        }
        if (/^(-e|--editable)\b/.test(line)) return `${file} installs an editable local package (\`${line.slice(0, 40)}\`), which needs the source`;
        const findLinks = /^(-f|--find-links)\s*=?\s*(\S+)/.exec(line);
        if (findLinks) {
          if (!/^[a-z]+:\/\//.test(findLinks[2]!)) return `${file} finds packages in a local folder (\`${findLinks[2]}\`)`;
          continue;
        }
        if (line.startsWith('-')) continue;
        if (isLocalRef(line.split(/[\s;]/)[0]!) || /@\s*file:/.test(line)) return `${file} installs a local path (\`${line.slice(0, 40)}\`), which needs the source`;
      }
      return undefined;
    };
    for (const f of files) {
      if (f.includes('$')) return `the requirements path \`${f}\` depends on a variable`;
      if (f.startsWith('/')) continue;
      const r = visit(normRel(f));
      if (r) return r;
    }
    return undefined;
  };
  const pip = pipInstall(cmd, { uv: true });
  if (pip) {
    const reqs: string[] = [];
    for (let i = 0; i < pip.rest.length; i++) {
      const t = pip.rest[i]!.text;
      if (['-r', '--requirement', '-c', '--constraint'].includes(t) && pip.rest[i + 1]) reqs.push(pip.rest[++i]!.text);
      else if (/^--(requirement|constraint)=/.test(t)) reqs.push(t.slice(t.indexOf('=') + 1));
      else if (/^-[rc]./.test(t)) reqs.push(t.slice(2));
    }
    const local = operandsOf(pip.rest, PIP_INSTALL_VALUE).find((w) => isLocalRef(w.text) || w.dynamic);
    if (local) {
      return { ...out, blocked: reqs.length ? `the same command also installs \`${local.text}\` from the source` : `\`${dep.label}\` builds the project from its source; install its dependencies from a requirements file first` };
    }
    const r = requirementFiles(reqs);
    if (r) return { ...out, blocked: r };
    return out;
  }
  const n = cmd.name;
  const pyproject = (): string | undefined => reader.read('pyproject.toml');
  if (n === 'uv') {
    if (dep.label === 'uv pip sync') {
      const files = operandsOf(subcommandIn(subcommandWord(cmd, ['pip'])!.rest, ['sync'])!.rest, PIP_INSTALL_VALUE).map((w) => w.text);
      const r = requirementFiles(files);
      return r ? { ...out, blocked: r } : out;
    }
    need(['pyproject.toml']);
    const locked = hasFlag(cmd, '--locked', '--frozen');
    need(['uv.lock'], locked);
    optional('.python-version', 'uv.toml');
    const py = pyproject();
    if (py !== undefined) {
      if (/^\[tool\.uv\.workspace\]/m.test(py)) return { ...out, blocked: 'the uv workspace members need their own folders' };
      if (/\bpath\s*=\s*["']/.test(py)) return { ...out, blocked: 'pyproject.toml has a dependency in a local path' };
      const packaged = /^\[build-system\]/m.test(py) ? !/^\s*package\s*=\s*false/m.test(py) : /^\s*package\s*=\s*true/m.test(py);
      if (packaged && !hasFlag(cmd, '--no-install-project', '--no-install-workspace', '--only-deps')) {
        return { ...out, blocked: 'uv sync also installs the project itself, which needs the source (the fix moves it only where it has --no-install-project)' };
      }
      const readme = /^\s*readme\s*=\s*["']([^"']+)["']/m.exec(py);
      if (readme) optional(normRel(readme[1]!));
    }
    if (!locked) out.outputs.push({ path: 'uv.lock', kind: 'rewrites', why: 'uv sync may update uv.lock' });
    if (!env('UV_PROJECT_ENVIRONMENT')) venv();
    return out;
  }
  if (n === 'poetry') {
    need(['pyproject.toml']);
    optional('poetry.lock', 'poetry.toml');
    const py = pyproject();
    if (py !== undefined) {
      if (/\bpath\s*=\s*["']/.test(py)) return { ...out, blocked: 'pyproject.toml has a dependency in a local path' };
      const packageMode = !/^\s*package-mode\s*=\s*false/m.test(py);
      if (hasFlag(cmd, '--only-root')) return { ...out, blocked: '`poetry install --only-root` installs the project itself' };
      if (packageMode && !hasFlag(cmd, '--no-root')) {
        return { ...out, blocked: 'poetry install also installs the project itself, which needs the source (the fix moves it only where it has --no-root)' };
      }
      const readme = /^\s*readme\s*=\s*["']([^"']+)["']/m.exec(py);
      if (readme) optional(normRel(readme[1]!));
    }
    venv();
    return out;
  }
  if (n === 'pipenv') {
    need(['Pipfile']);
    const lockNeeded = dep.label === 'pipenv sync' || hasFlag(cmd, '--deploy', '--ignore-pipfile');
    need(['Pipfile.lock'], lockNeeded);
    const pipfile = reader.read('Pipfile');
    if (pipfile !== undefined && /\bpath\s*=\s*["']/.test(pipfile)) return { ...out, blocked: 'the Pipfile installs a local path' };
    if (!lockNeeded) out.outputs.push({ path: 'Pipfile.lock', kind: 'rewrites', why: 'pipenv install may update Pipfile.lock' });
    venv();
    return out;
  }
  if (n === 'pdm') {
    need(['pyproject.toml']);
    optional('pdm.lock', 'pdm.toml', '.pdm-python');
    const py = pyproject();
    if (py !== undefined) {
      if (/\bpath\s*=\s*["']|file:\/\/\/?\$\{PROJECT_ROOT\}/.test(py)) return { ...out, blocked: 'pyproject.toml has a dependency in a local path' };
      const distribution = !/^\s*distribution\s*=\s*false/m.test(py);
      if (distribution && /^\[build-system\]/m.test(py) && !hasFlag(cmd, '--no-self', '--prod-only')) {
        return { ...out, blocked: 'pdm also installs the project itself, which needs the source (the fix moves it only where it has --no-self)' };
      }
    }
    if (dep.label === 'pdm install' && !hasFlag(cmd, '--frozen-lockfile', '--check')) out.outputs.push({ path: 'pdm.lock', kind: 'rewrites', why: 'pdm install may update pdm.lock' });
    venv();
    out.outputs.push({ path: '__pypackages__', kind: 'replaces', why: 'the installed packages' });
    return out;
  }
  return out;
}
