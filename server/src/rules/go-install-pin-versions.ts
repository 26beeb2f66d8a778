import type { Inst, Model } from '../model/model';
import { runCommands } from './lib/commands';
import { contextSources, isDynamic, operandsOf, stageChain, subcommandWord } from './lib/language-packages';
import { defineRule } from './rule';

/** Build flags that take a separate value (`-ldflags "-s -w"`). */
const GO_VALUE = ['-C', '-o', '-p', '-tags', '-ldflags', '-gcflags', '-asmflags', '-mod', '-modfile', '-overlay', '-pgo', '-pkgdir', '-toolexec', '-buildmode', '-compiler', '-gccgoflags', '-installsuffix', '-exec', '-coverpkg', '-covermode', '-buildvcs'];
const META = new Set(['tool', 'all', 'std', 'cmd']);
const MOVING = /@(latest|upgrade|patch)$/;

function local(pkg: string): boolean {
  return pkg === '.' || pkg.startsWith('/') || pkg.startsWith('.') || pkg.endsWith('.go');
}

/**
 * Whether the RUN may work inside a Go module: something was copied in (the source, a go.mod, an
 * earlier stage's files) or bind-mounted. There, `go install pkg` without `@version` builds the
 * version go.mod requires (or fails), which is pinned.
 */
function inModule(inst: Inst, model: Model): boolean {
  if (inst.run?.mounts.some((m) => m.type === 'bind')) return true;
  for (const stage of stageChain(inst.stage)) {
    for (const i of stage.instructions) {
      if (stage === inst.stage && i.index >= inst.index) break;
      const t = i.trigger ?? i;
      if (t.keyword !== 'COPY' && t.keyword !== 'ADD') continue;
      if (t.flags.some((f) => f.name === 'from')) return true;
      const sources = contextSources(t, model) ?? [];
      if (sources.some((s) => s.kind !== 'file' || /(^|\/)go\.(mod|work|\*)$/.test(s.text))) return true;
    }
  }
  return false;
}

export default defineRule(
  {
    id: 'go-install-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Pin the versions of Go tools installed with `go install <package>@<version>`.',
    docs: {
      why:
        '`go install golang.org/x/tools/gopls@latest` builds whatever was released last on the day the layer is built, and the ' +
        'layer is cached: your image keeps that build while a fresh CI runner gets another, so the same Dockerfile gives ' +
        'different tools. Outside a module, older Go fetched the default branch for a package without `@version` (Go 1.16+ ' +
        'refuses). Name the version: `@v0.16.1`. Inside a module (after copying go.mod or the source), `go install ./cmd/app` ' +
        'and packages without a version use what go.mod requires, which is pinned; `go get pkg` without a version still moves ' +
        'go.mod to the newest release.',
      bad: 'FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest',
      good: 'FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@v0.16.1',
    },
    aliases: { hadolint: ['DL3062'] },
  },
  (ctx) => {
    for (const { inst, run, cmd } of runCommands(ctx.model)) {
      if (cmd.name !== 'go' && cmd.name !== 'xx-go') continue;
      const sub = subcommandWord(cmd, ['install', 'get', 'run'], GO_VALUE);
      if (!sub) continue;
      let pkgs = operandsOf(sub.rest, GO_VALUE).filter((w) => !META.has(w.text));
      // `go run pkg args...`: only the first operand is a package.
      if (sub.word.text === 'run') pkgs = pkgs.slice(0, 1);
      let module: boolean | undefined;
      for (const w of pkgs) {
        if (isDynamic(w) || local(w.text) || w.text.endsWith('@none')) continue;
        const moving = MOVING.exec(w.text);
        if (!moving) {
          if (w.text.includes('@')) continue;
          // Without a version, install and run build the version go.mod requires; get upgrades it.
          if (sub.word.text !== 'get' && (module ??= inModule(inst, ctx.model))) continue;
        }
        const name = w.text.replace(MOVING, '');
        ctx.report({
          range: ctx.model.wordRange(run, w),
          message: moving
            ? `\`${w.text}\` is whatever was released last when the layer was built: fresh builds get other versions than the cache. Pin it: \`${name}@v<version>\`.`
            : `\`${w.text}\` has no version: each fresh build may get another one than the cached layer. Pin it: \`${name}@v<version>\`.`,
        });
      }
    }
  },
);
