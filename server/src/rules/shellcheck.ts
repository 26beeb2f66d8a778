import { spawnSync } from 'node:child_process';
import type { TextEdit } from 'vscode-languageserver-types';
import type { Inst, Model, Stage } from '../model/model';
import { MappedText } from '../model/mapped-text';
import { defineRule, type Fix } from './rule';

/**
 * Codes left out, because a RUN is not a standalone script:
 * SC1090/SC1091 `source` of a file that is in the image, not beside the Dockerfile;
 * SC2187 ash is run as sh anyway;
 * SC2046 unquoted `$(…)`: in Dockerfiles the idiom for handing a computed package list to a
 * command (`apk add $(scanelf …)`, `apt-mark manual $(…)`), where quoting would break it.
 * SC2154 is dropped only for variables the Dockerfile declares (ARG/ENV), see below.
 */
const EXCLUDED = ['SC1090', 'SC1091', 'SC2046', 'SC2187'];
const TIMEOUT_MS = 5000;

interface Replacement {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  replacement: string;
}

interface Comment {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  level: string;
  code: number;
  message: string;
  fix: { replacements: Replacement[] } | null;
}

/** What ShellCheck said, by dialect and script text: an edit re-checks only the RUNs it touched. */
const cache = new Map<string, Comment[]>();
const CACHE_SIZE = 2000;
/** When the binary was last found missing; looked for again after a minute, so installing it needs no restart. */
let missingAt = -Infinity;
/** `--norc` (ShellCheck 0.8+) keeps a stray .shellcheckrc in the server's folder out; older versions reject it. */
let norc = true;

function runShellcheck(text: string, dialect: string): Comment[] | undefined {
  if (Date.now() - missingAt < 60_000) return undefined;
  const key = `${dialect}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const args = ['--format=json1', `--shell=${dialect}`, `--exclude=${EXCLUDED.join(',')}`, ...(norc ? ['--norc'] : []), '-'];
  const result = spawnSync('shellcheck', args, { input: text, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 16 << 20 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    missingAt = Date.now();
    return undefined;
  }
  if (norc && (result.status === 3 || result.status === 4) && /norc/.test(result.stderr)) {
    norc = false;
    return runShellcheck(text, dialect);
  }
  let comments: Comment[] = [];
  try {
    comments = (JSON.parse(result.stdout) as { comments?: Comment[] }).comments ?? [];
  } catch {
    // A timeout, a crash or an unexpected version: report nothing rather than guess, and do not retry this script.
  }
  cache.set(key, comments);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return comments;
}

function dialectOf(shell: string | undefined): string | undefined {
  const name = (shell ?? '').slice((shell ?? '').lastIndexOf('/') + 1);
  if (name === 'sh' || name === 'ash' || name === 'busybox') return 'sh';
  if (name === 'dash' || name === 'bash' || name === 'ksh') return name;
  if (name === 'mksh') return 'ksh';
  return undefined;
}

function shebangDialect(body: string): string | undefined | null {
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(body);
  if (!m) return null;
  return dialectOf(m[1]!.endsWith('/env') ? m[2] : m[1]);
}

/** The image a stage finally builds on (through `FROM <earlier stage>`). */
function rootImage(stage: Stage): string | undefined {
  let s: Stage | undefined = stage;
  for (let hops = 0; s?.base?.stage && hops < 64; hops++) s = s.base.stage;
  const ref = s?.base?.ref;
  return ref ? `${ref.registry ?? ''}/${ref.name}:${ref.tag ?? ''}`.toLowerCase() : undefined;
}

const WINDOWS_IMAGE = /windows|nanoserver|servercore/;
const BUSYBOX_IMAGE = /alpine|busybox/;
const BASH_SH_IMAGE = /(^|\/)(centos|fedora|rockylinux|almalinux|amazonlinux|oraclelinux|rhel\w*|ubi\d*(-\w+)?|opensuse\/\w+|photon|archlinux)(:|$)/;
const DASH_IMAGE = /(^|\/)(debian|ubuntu)(:|$)|[:-](trixie|bookworm|bullseye|buster|stretch|noble|jammy|focal|bionic)/;

/**
 * What `/bin/sh` is in the image: bash on the Red Hat family (bash-isms work), busybox ash on
 * Alpine (most bash-isms work: ShellCheck has no busybox dialect, so its POSIX portability
 * warnings are dropped there), dash on Debian and Ubuntu; plain POSIX sh when unknown.
 */
function binShDialect(stage: Stage): { dialect: string; busybox: boolean } {
  const image = rootImage(stage) ?? '';
  if (BUSYBOX_IMAGE.test(image)) return { dialect: 'sh', busybox: true };
  if (BASH_SH_IMAGE.test(image)) return { dialect: 'bash', busybox: false };
  if (DASH_IMAGE.test(image)) return { dialect: 'dash', busybox: false };
  return { dialect: 'sh', busybox: false };
}

/** SC codes turned off by `# hadolint ignore=SC2086` / `# layerwise ignore=…` / `# shellcheck disable=…` above the RUN, or globally. */
function suppressed(model: Model, inst: Inst): Set<string> {
  const codes = new Set<string>();
  const add = (list: string): void => {
    for (const c of list.split(/[,\s]+/)) if (/^SC\d+$/i.test(c)) codes.add(c.toUpperCase());
  };
  const byLine = new Map(model.comments.map((c) => [c.line, c.text]));
  for (const c of model.comments) {
    const g = /^\s*(?:layerwise|hadolint)\s+global\s+ignore\s*=\s*([^#]*)/i.exec(c.text);
    if (g) add(g[1]!);
  }
  for (let l = inst.range.start.line - 1; byLine.has(l); l--) {
    const m = /^\s*(?:(?:layerwise|hadolint)\s+ignore|shellcheck\s+disable)\s*=\s*([^#]*)/i.exec(byLine.get(l)!);
    if (m) add(m[1]!);
  }
  return codes;
}

const HEREDOC_ONLY = /^\s*<<-?\s*["']?[A-Za-z0-9_]+["']?\s*$/;

/** The scripts of a RUN as the shell sees them, each with its ShellCheck dialect. */
function scriptsOf(model: Model, inst: Inst): { text: MappedText; dialect: string }[] {
  const run = inst.run;
  if (!run || run.execForm || !run.script) return [];
  const shell = model.shellPragma ?? inst.shell[0];
  let dialect = dialectOf(shell);
  if (dialect === 'sh' && /(^|\/)sh$/.test(shell ?? '')) dialect = binShDialect(inst.stage).dialect;
  if (!dialect) return [];
  if (!inst.heredocs.length) return [{ text: run.script, dialect }];
  if (HEREDOC_ONLY.test(inst.argsText.text)) {
    const out: { text: MappedText; dialect: string }[] = [];
    for (const h of inst.heredocs) {
      const own = shebangDialect(h.body.text);
      if (own === undefined) continue; // a python (or other) script
      // `#!/bin/sh` means the image's /bin/sh, whatever that is.
      out.push({ text: h.body, dialect: own === null ? dialect : own === 'sh' ? binShDialect(inst.stage).dialect : own });
    }
    return out;
  }
  // `cat <<EOF > file` and friends: the heredoc is data for the command, so ShellCheck gets the
  // text as written (it follows heredocs itself); not when the head continues over comment lines,
  // which the shell would read differently from BuildKit.
  const start = model.offsetAt(inst.args[0]?.range.start ?? inst.range.end);
  const end = model.offsetAt(inst.range.end);
  const marker = model.offsetAt(inst.heredocs[0]!.range.start);
  const head = model.text.slice(start, Math.max(marker, model.text.indexOf('\n', marker)));
  if (/\n\s*#/.test(head)) return [];
  return [{ text: MappedText.slice(model.text, start, end), dialect }];
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/** ShellCheck's 1-based line/column (json1: a tab is one column) → index in the script text. */
function indexOf(starts: number[], text: string, line: number, column: number): number {
  const base = starts[Math.min(Math.max(line - 1, 0), starts.length - 1)]!;
  return Math.min(base + Math.max(column - 1, 0), text.length);
}

/** ShellCheck's own fix, when every edit lands on one contiguous stretch of the Dockerfile. */
function fixOf(model: Model, mapped: MappedText, starts: number[], c: Comment): Fix | undefined {
  if (!c.fix?.replacements.length) return undefined;
  const edits: TextEdit[] = [];
  for (const r of c.fix.replacements) {
    if (r.replacement.includes('\n')) return undefined;
    const s = indexOf(starts, mapped.text, r.line, r.column);
    const e = indexOf(starts, mapped.text, r.endLine, r.endColumn);
    // Across a line continuation the script and the Dockerfile differ: leave those to the user.
    if (e > s && mapped.docOffset(e - 1) + 1 - mapped.docOffset(s) !== e - s) return undefined;
    if (e === s && s > 0 && mapped.docOffset(s) !== mapped.docOffset(s - 1) + 1) return undefined;
    const [ds, de] = e > s ? mapped.docSpan(s, e) : [mapped.docOffset(s), mapped.docOffset(s)];
    edits.push({ range: model.range(ds, de), newText: r.replacement });
  }
  return { title: `Apply ShellCheck's fix for SC${c.code}`, safe: false, edits };
}

export default defineRule(
  {
    id: 'shellcheck',
    severity: 'off',
    category: 'maintainability',
    description: 'Runs ShellCheck (when installed) on the shell script of every RUN.',
    docs: {
      why:
        'A RUN is a shell script that runs once, at build time, where nobody watches it: an unquoted variable that splits, a `cd` ' +
        'that fails and lets the next command run in the wrong folder, or a bash-only construct under `/bin/sh` (dash on Debian and ' +
        "Ubuntu) either breaks the build or, worse, silently produces a different image. ShellCheck finds these. Layerwise runs the " +
        '`shellcheck` binary on the PATH on each RUN (with the dialect of the SHELL in effect, or of a heredoc\'s shebang) and maps ' +
        'its findings back to the Dockerfile; without the binary this rule reports nothing. It is off by default because it needs ' +
        'the binary and because ShellCheck\'s style advice is stricter than many Dockerfiles want. ' +
        'The dialect follows what `/bin/sh` is in the base image: dash on Debian and Ubuntu, bash on the Red Hat family, busybox ash ' +
        'on Alpine (where POSIX portability warnings are dropped, since ash accepts most bash-isms); Windows images are skipped. ' +
        'Left out: SC1090/SC1091 (a sourced file lives in the image, not beside the Dockerfile), SC2046 (an unquoted `$(…)` is how ' +
        'Dockerfiles pass computed package lists, `apk add $(scanelf …)`), SC2187, and SC2154 for variables declared with ARG or ENV. ' +
        'Turn off single codes with `# hadolint ignore=SC2086` (or `# layerwise ignore=` or `# shellcheck disable=`) above the RUN, ' +
        'or `# layerwise global ignore=SC2086` for the file. The fixes ShellCheck proposes (such as quoting) are offered but not applied by fix-all, because ' +
        'a Dockerfile sometimes splits a variable on purpose (`apt-get install $PACKAGES`).',
      bad: 'FROM debian:bookworm\nARG VERSION=1.2.3\nRUN cd /opt; curl -fsSLO https://example.com/tool-$VERSION.tar.gz',
      good: 'FROM debian:bookworm\nARG VERSION=1.2.3\nWORKDIR /opt\nRUN curl -fsSLO "https://example.com/tool-${VERSION}.tar.gz"',
    },
    fix: 'unsafe',
    aliases: {},
  },
  (ctx) => {
    const model = ctx.model;
    // A backtick escape is the Windows convention; there RUN goes to cmd or PowerShell, not sh.
    if (model.escape === '`') return;
    for (const inst of model.runs()) {
      if (WINDOWS_IMAGE.test(rootImage(inst.stage) ?? '')) continue;
      const off = suppressed(model, inst);
      for (const code of ctx.options.ignoredCodes) off.add(code);
      const busybox = binShDialect(inst.stage).busybox;
      for (const { text: mapped, dialect } of scriptsOf(model, inst)) {
        if (!mapped.text.trim()) continue;
        const comments = runShellcheck(mapped.text, dialect);
        if (!comments) return;
        const starts = lineStarts(mapped.text);
        for (const c of comments) {
          if (off.has(`SC${c.code}`) || (busybox && dialect === 'sh' && c.code >= 3000 && c.code < 4000)) continue;
          const declared = c.code === 2154 && /^(\S+) is referenced but not assigned/.exec(c.message);
          if (declared && inst.scope.has(declared[1]!)) continue;
          const s = indexOf(starts, mapped.text, c.line, c.column);
          const e = indexOf(starts, mapped.text, c.endLine, c.endColumn);
          const [ds, de] = s < mapped.text.length ? mapped.docSpan(s, Math.max(e, s + 1)) : mapped.docSpan(s, s);
          const fix = fixOf(model, mapped, starts, c);
          ctx.report({ range: model.range(ds, de), message: `SC${c.code}: ${c.message}`, ...(fix ? { fixes: [fix] } : {}) });
        }
      }
    }
  },
);
