import type { Range } from 'vscode-languageserver-types';
import type { Inst, Stage } from '../model/model';
import type { ShellCommand, ShellWord } from '../model/shell';
import { analyzeMultiStage } from '../refactor/multi-stage';
import { TOOLCHAIN_APK, TOOLCHAIN_APT, TOOLCHAIN_RPM } from '../refactor/packages';
import { aptInstall, isAptCommand, operands } from './lib/commands';
import { commandSpan, isDynamic, operandsOf, stageChain } from './lib/language-packages';
import { defineRule, type Fix, type RuleContext } from './rule';

/** Base images that are a toolchain. */
const TOOLCHAIN_IMAGES = /^(golang|rust|gcc|maven|gradle|dotnet\/sdk|dotnet\/core\/sdk)$/;
/** What a base or development image runs: a shell, an interpreter's prompt, or nothing at all. */
const NOT_AN_APP = /^(bash|sh|zsh|ash|fish|python\d*(\.\d+)*|node|irb|ruby|php|iex|erl|ghci|jshell|pwsh|powershell)$/;

interface Evidence {
  what: string;
  range: Range;
}

interface Installed {
  word: ShellWord;
  inst: Inst;
  cmd: ShellCommand;
  /** `apk add --virtual .build-deps ...` */
  group: string | undefined;
}

function installed(cmd: ShellCommand): { words: ShellWord[]; group: string | undefined; pattern: RegExp } | undefined {
  const apt = aptInstall(cmd);
  if (apt) return { words: apt.packages, group: undefined, pattern: TOOLCHAIN_APT };
  const ops = operands(cmd, ['-t', '--virtual', '-X', '--repository', '--root', '-p', '--arch', '--cache-dir']);
  if (cmd.name === 'apk' && ops[0]?.text === 'add') {
    const i = cmd.args.findIndex((a) => a.text === '-t' || a.text === '--virtual');
    const group = i >= 0 ? cmd.args[i + 1]?.text : cmd.args.find((a) => a.text.startsWith('--virtual='))?.text.slice('--virtual='.length);
    return { words: ops.slice(1), group, pattern: TOOLCHAIN_APK };
  }
  if (['yum', 'dnf', 'microdnf', 'tdnf'].includes(cmd.name)) {
    const rpm = operandsOf(cmd.args, ['--setopt', '--enablerepo', '--disablerepo', '--installroot', '--releasever', '-c', '--config']);
    if (rpm[0]?.text === 'install' || rpm[0]?.text === 'groupinstall') return { words: rpm.slice(1), group: undefined, pattern: TOOLCHAIN_RPM };
  }
  return undefined;
}

/** Packages a command removes; `all` for the `apt-mark auto` + `--auto-remove` pattern of the official images. */
function removed(cmd: ShellCommand, run: ShellCommand[]): string[] | 'all' {
  if (isAptCommand(cmd, 'purge') || isAptCommand(cmd, 'remove') || isAptCommand(cmd, 'autoremove')) {
    const marksAuto = run.some((c) => c.start < cmd.start && ((c.name === 'apt-mark' && c.args[0]?.text === 'auto') || (c.name === 'xargs' && c.args.some((a, i) => a.text === 'apt-mark' && c.args[i + 1]?.text === 'auto'))));
    const auto = isAptCommand(cmd, 'autoremove') || cmd.args.some((a) => a.text === '--auto-remove' || a.text === '--autoremove');
    if (marksAuto && auto) return 'all';
    return operands(cmd, ['-o']).slice(1).map((w) => w.text);
  }
  if (cmd.name === 'apk' && operands(cmd)[0]?.text === 'del') return operands(cmd).slice(1).map((w) => w.text);
  if (['yum', 'dnf', 'microdnf', 'tdnf'].includes(cmd.name) && ['remove', 'erase', 'autoremove'].includes(operands(cmd)[0]?.text ?? '')) return operands(cmd).slice(1).map((w) => w.text);
  return [];
}

function words(inst: Inst | undefined): string[] {
  if (!inst) return [];
  return inst.json ?? inst.argsText.text.trim().split(/\s+/).filter(Boolean);
}

/** Whether the image starts a program of its own, rather than a shell, a REPL or `sleep infinity` (dev and base images). */
function runsAnApp(all: Inst[]): boolean {
  const last = (k: string): Inst | undefined => [...all].reverse().find((i) => i.keyword === k);
  const argv = [...words(last('ENTRYPOINT')), ...words(last('CMD'))];
  if (!argv.length) return false;
  const name = argv[0]!.slice(argv[0]!.lastIndexOf('/') + 1);
  if (name === 'sleep' || (name === 'tail' && argv.includes('/dev/null'))) return false;
  return !(NOT_AN_APP.test(name) && argv.slice(1).every((a) => a.startsWith('-')));
}

function buildScript(cmd: ShellCommand): ShellWord | undefined {
  if (!['npm', 'yarn', 'pnpm', 'bun'].includes(cmd.name)) return undefined;
  const ops = operandsOf(cmd.args, ['--prefix', '-C', '--cwd', '-w', '--workspace', '--filter', '-F']);
  const i = ops[0]?.text === 'run' || ops[0]?.text === 'run-script' ? 1 : cmd.name === 'npm' ? -1 : 0;
  const script = i >= 0 ? ops[i] : undefined;
  return script && /^build(:[\w:-]+)?$/.test(script.text) ? script : undefined;
}

function evidence(ctx: RuleContext, chain: Stage[]): Evidence[] {
  const out: Evidence[] = [];
  const root = chain[chain.length - 1]!;
  const image = root.base?.ref?.name.replace(/^library\//, '');
  // buildpack-deps without a -curl/-scm suffix is gcc, make and the common -dev libraries.
  const fullBuildpackDeps = image === 'buildpack-deps' && !/curl|scm/.test(root.base?.ref?.tag ?? '');
  if (image && (TOOLCHAIN_IMAGES.test(image) || fullBuildpackDeps)) out.push({ what: `the ${image} base image`, range: root.base!.range });
  const kept: Installed[] = [];
  let builds: Evidence[] = [];
  for (const stage of [...chain].reverse()) {
    for (const inst of stage.instructions) {
      const run = inst.run;
      if (!run) continue;
      for (const cmd of run.commands) {
        const pkgs = installed(cmd);
        if (pkgs) {
          for (const w of pkgs.words) if (!isDynamic(w) && pkgs.pattern.test(w.text.replace(/[=<>~].*$/, ''))) kept.push({ word: w, inst, cmd, group: pkgs.group });
        }
        const gone = removed(cmd, run.commands);
        if (gone === 'all') {
          for (let k = kept.length - 1; k >= 0; k--) if (kept[k]!.inst === inst && kept[k]!.cmd.start < cmd.start) kept.splice(k, 1);
        } else if (gone.length) {
          for (let k = kept.length - 1; k >= 0; k--) {
            const p = kept[k]!;
            if (gone.includes(p.word.text.replace(/[=<>~].*$/, '')) || (p.group && gone.includes(p.group)) || gone.some((g) => g.includes('*') && new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(p.word.text))) kept.splice(k, 1);
          }
        }
        const script = buildScript(cmd);
        if (script) builds.push({ what: `\`${cmd.name} ${cmd.args.slice(0, cmd.args.indexOf(script) + 1).map((a) => a.text).join(' ')}\` with its devDependencies`, range: commandSpan(ctx.model, run, cmd, script) });
        // devDependencies dropped after the build (`npm prune --omit=dev`, a production reinstall).
        if (['npm', 'yarn', 'pnpm'].includes(cmd.name) && (operands(cmd)[0]?.text === 'prune' || cmd.args.some((a) => ['--production', '--omit=dev', '--prod'].includes(a.text)))) builds = [];
      }
    }
  }
  for (const k of kept) out.push({ what: k.word.text, range: ctx.model.wordRange(k.inst.run!, k.word) });
  out.push(...builds);
  return out;
}

export default defineRule(
  {
    id: 'single-stage-toolchain',
    severity: 'info',
    category: 'layers',
    description: 'A single-stage image ships the compilers and build tools it was built with; build in a separate stage.',
    docs: {
      why:
        'Everything installed in the final stage is part of the image you run and ship: `build-essential`, `gcc`, `-dev` ' +
        'headers, a Go or Rust toolchain, Maven, or a Node build with its devDependencies easily add hundreds of megabytes, ' +
        'slow every pull, and give an attacker a compiler. A multi-stage build compiles in a `builder` stage and copies only ' +
        'the result (`COPY --from=builder /app/bin /usr/local/bin/`) into a slim final stage; the builder stages never reach the ' +
        'image.\n\n' +
        'To keep to deployable images, the rule looks only at Dockerfiles whose final stage has a CMD or ENTRYPOINT that is ' +
        'not a plain shell, an interpreter prompt (`python3`, `node`) or `sleep infinity`, has no ONBUILD, and does not already ' +
        'COPY --from (or `RUN --mount=from=`) another stage or image; `.devcontainer` Dockerfiles are skipped. Packages removed again ' +
        '(`apt-get purge`, `apk del .build-deps`, the `apt-mark auto` + `--auto-remove` pattern) do not count.\n\n' +
        'The quick fix converts a single-stage file into a named build stage and a runtime stage (also offered as a ' +
        '`refactor.rewrite` action anywhere in the file). The runtime stage starts from the same distribution without the ' +
        'toolchain (`golang:1.22-bookworm` → `debian:bookworm-slim`, `node:20` → `node:20-slim`, `python:3.12` → ' +
        '`python:3.12-slim`, `maven:3-eclipse-temurin-21` → `eclipse-temurin:21-jre`; distroless and `scratch` as separate ' +
        'actions where the binary allows), installs the runtime libraries of the `-dev` packages, and copies only the ' +
        'artifacts: what `go build -o`, `cargo build`, `gcc -o`, `make install`, `npm run build`, `mvn package` or `gradle build` ' +
        'write, Python wheels built in the build stage, and the files CMD and ENTRYPOINT name. ENV, EXPOSE, USER, WORKDIR, ' +
        'LABEL, HEALTHCHECK, STOPSIGNAL, CMD and ENTRYPOINT carry over. It may change behaviour (a file the program reads ' +
        'at run time that the conversion does not know about stays behind), so it is never part of fix-all; where what to ' +
        'copy is unknown, the refactoring asks.',
      bad: 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n && rm -rf /var/lib/apt/lists/*\nCOPY . /app\nRUN pip install --no-cache-dir /app\nCMD ["python", "-m", "app"]',
      good:
        'FROM python:3.12-slim AS builder\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n && rm -rf /var/lib/apt/lists/*\n' +
        'COPY . /app\nRUN pip wheel --no-cache-dir --wheel-dir /wheels /app\n\n' +
        'FROM python:3.12-slim\nCOPY --from=builder /wheels /wheels\nRUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels\nCMD ["python", "-m", "app"]',
    },
    fix: 'unsafe',
    aliases: {},
  },
  (ctx) => {
    const final = ctx.model.stages[ctx.model.stages.length - 1];
    if (!final?.from || /\/\.devcontainer\//.test(ctx.model.doc.uri)) return;
    const chain = stageChain(final);
    const all = chain.flatMap((s) => s.instructions);
    // Already multi-stage (the toolchain is kept on purpose), or a base image for others.
    if (all.some((i) => ((i.keyword === 'COPY' || i.keyword === 'ADD') && i.flags.some((f) => f.name === 'from')) || i.run?.mounts.some((m) => m.options.from !== undefined))) return;
    if (all.some((i) => i.keyword === 'ONBUILD')) return;
    if (!runsAnApp(all)) return;
    const found = evidence(ctx, chain);
    if (!found.length) return;
    const names = found.map((e) => e.what);
    const list = names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
    // The quick fix: the multi-stage conversion (unsafe: the runtime stage gets only what the conversion copies).
    const conversion = analyzeMultiStage(ctx.model, { buildContext: ctx.buildContext });
    const fixes: Fix[] = conversion.kind === 'convert' ? conversion.conversions.map((c) => ({ title: c.title, safe: false, edits: c.edits })) : [];
    const why =
      conversion.kind === 'ask'
        ? ` The "Convert to a multi-stage build" refactoring asks what to copy: ${conversion.reason}.`
        : conversion.kind === 'none'
          ? ` No automatic conversion: ${conversion.reason}.`
          : '';
    ctx.report({
      range: found[0]!.range,
      message: `The final image keeps what it was built with (${list}): compilers, headers and build-only dependencies add size and attack surface at run time. Build in a separate stage and COPY --from it only what the app needs.${why}`,
      ...(fixes.length ? { fixes } : {}),
    });
  },
);
