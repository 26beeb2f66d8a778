/**
 * The TextMate grammars (syntaxes/): generated grammar up to date, snapshots of hand-written
 * fixtures and corpus files, scopes at chosen positions, and agreement with BuildKit's reading of
 * every line of the shared corpus. `UPDATE_SNAPSHOTS=1 npm test -- grammar` rewrites the snapshots.
 */
import { CORPUS } from '../support/corpus';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type { IGrammar } from 'vscode-textmate';
import { structureProblems } from './structure';
import { loadGrammar, scopesAt, snapshot, splitLines, tokenize, type Token } from './tokenize';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const SNAPSHOTS = path.join(__dirname, 'snapshots');
const CORPUS_REAL = path.join(CORPUS, 'real');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

/** Corpus files with snapshots: heredocs, backtick escapes, BuildKit flags, comments in continuations. */
const CORPUS_SNAPSHOTS = [
  'moby__buildkit__frontend__dockerfile__parser__testfiles__escape__Dockerfile', // # escape=`
  'moby__buildkit__frontend__dockerfile__parser__testfiles__escape-with-syntax__Dockerfile',
  'PowerShell__PowerShell-Docker__release__7-2__windowsserver2022__docker__Dockerfile', // backtick + PowerShell
  'moby__moby__Dockerfile.simple', // COPY/ADD heredocs, <<-, ADD --checksum
  'docker__cli__dockerfiles__Dockerfile.dev', // RUN heredocs, quoted delimiters, cache and tmpfs mounts
  'docker__buildx__hack__dockerfiles__authors.Dockerfile', // RUN <<EOT after flags on a continuation line
  'moby__buildkit__vendor__github.com__tonistiigi__go-actions-cache__Dockerfile', // secret mounts, --platform
  'docker-library__ruby__3.3__bookworm__Dockerfile', // comments inside continuations, ${VAR:-x}
];

/**
 * Corpus files where VS Code's shell grammar leaves a region open at the end of a RUN, so the
 * grammar's recovery (meta.embedded.recovered.dockerfile) resumes the Dockerfile at the next
 * upper-case instruction. Each needs a reason; the test fails when the list is out of date.
 */
const KNOWN_RECOVERED: Record<string, string> = {
  'docker-library__httpd__2.4__Dockerfile': 'the shell grammar never closes a function definition (`ddist() { ...; }`)',
  'docker-library__httpd__2.4__alpine__Dockerfile': 'the shell grammar never closes a function definition',
  'docker-library__mysql__Dockerfile.oracle': 'a template ({{ }} blocks), not a Dockerfile',
  'moby__moby__contrib__busybox__Dockerfile': 'PowerShell passed to `RUN powershell ...` under the default shell is read as sh',
};

function checkSnapshot(name: string, actual: string): void {
  const file = path.join(SNAPSHOTS, `${name}.snap`);
  if (UPDATE || !fs.existsSync(file)) {
    fs.mkdirSync(SNAPSHOTS, { recursive: true });
    fs.writeFileSync(file, actual);
    if (!UPDATE) assert.fail(`${path.relative(ROOT, file)} did not exist and was written: check it, then run again`);
    return;
  }
  const expected = fs.readFileSync(file, 'utf8');
  if (expected === actual) return;
  // Show the first differing lines, not the whole file.
  const a = actual.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  assert.fail(
    `${path.relative(ROOT, file)} differs from line ${i + 1} (UPDATE_SNAPSHOTS=1 rewrites it after a deliberate change):\n` +
      `expected:\n${e.slice(Math.max(0, i - 2), i + 6).join('\n')}\nactual:\n${a.slice(Math.max(0, i - 2), i + 6).join('\n')}`,
  );
}

let dockerfile: IGrammar;
let dockerignore: IGrammar;

/** Tokens of `text`, and a finder for the token that contains `needle` on the line that contains `lineNeedle`. */
function tokensOf(text: string): { lines: Token[][]; at: (lineNeedle: string, needle?: string, nth?: number) => string[] } {
  const lines = tokenize(dockerfile, text);
  const source = splitLines(text);
  return {
    lines,
    at: (lineNeedle, needle = lineNeedle, nth = 0) => {
      const matches = source.map((l, i) => [l, i] as const).filter(([l]) => l.includes(lineNeedle));
      const found = matches[nth];
      if (!found) throw new Error(`no line with ${JSON.stringify(lineNeedle)}`);
      const [lineText, line] = found;
      const col = lineText.indexOf(needle);
      if (col < 0) throw new Error(`no ${JSON.stringify(needle)} in line ${line + 1}`);
      return scopesAt(lines, line, col);
    },
  };
}

const has = (scopes: string[], scope: string): boolean => scopes.some((s) => s === scope || s.startsWith(scope + '.'));
function assertHas(scopes: string[], ...wanted: string[]): void {
  for (const w of wanted) assert.ok(has(scopes, w), `expected ${w} in: ${scopes.join(' ')}`);
}
function assertLacks(scopes: string[], ...unwanted: string[]): void {
  for (const w of unwanted) assert.ok(!has(scopes, w), `did not expect ${w} in: ${scopes.join(' ')}`);
}

describe('grammar', () => {
  before(async () => {
    dockerfile = await loadGrammar('source.dockerfile');
    dockerignore = await loadGrammar('source.dockerignore');
  });

  it('the committed dockerfile grammar is what syntaxes/src/dockerfile-grammar.mjs generates', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'syntaxes', 'src', 'dockerfile-grammar.mjs'), '--check'], { encoding: 'utf8', cwd: ROOT });
    assert.equal(r.status, 0, r.stderr || r.stdout);
  });

  it('package.json contributes both grammars and maps every embedded scope to a language', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const grammars: { language: string; scopeName: string; path: string; embeddedLanguages?: Record<string, string> }[] = manifest.contributes.grammars;
    const df = grammars.find((g) => g.language === 'dockerfile');
    const di = grammars.find((g) => g.language === 'dockerignore');
    assert.equal(df?.scopeName, 'source.dockerfile');
    assert.equal(di?.scopeName, 'source.dockerignore');
    for (const g of [df!, di!]) assert.ok(fs.existsSync(path.join(ROOT, g.path)), g.path);
    const text = fs.readFileSync(path.join(ROOT, df!.path), 'utf8');
    const embedded = new Set([...text.matchAll(/meta\.embedded\.[a-z.-]+?\.dockerfile/g)].map((m) => m[0]));
    assert.deepEqual([...embedded].sort(), Object.keys(df!.embeddedLanguages ?? {}).sort());
  });

  describe('snapshots of fixtures', () => {
    for (const file of fs.readdirSync(FIXTURES).sort()) {
      it(file, () => {
        const grammar = file.endsWith('.dockerignore') ? dockerignore : dockerfile;
        checkSnapshot(file, snapshot(grammar, fs.readFileSync(path.join(FIXTURES, file), 'utf8')));
      });
    }
  });

  describe('snapshots of corpus files', () => {
    const skip = fs.existsSync(CORPUS_REAL) ? false : `the shared corpus is not at ${CORPUS_REAL}`;
    for (const name of CORPUS_SNAPSHOTS) {
      it(name, { skip }, () => {
        checkSnapshot(`corpus__${name}`, snapshot(dockerfile, fs.readFileSync(path.join(CORPUS_REAL, name), 'utf8')));
      });
    }
  });

  describe('scopes', () => {
    it('instructions, ONBUILD, flags, variables with modifiers', () => {
      const t = tokensOf(fs.readFileSync(path.join(FIXTURES, 'instructions.Dockerfile'), 'utf8'));
      assertHas(t.at('FROM --platform', 'FROM'), 'meta.instruction.from.dockerfile', 'keyword.other.special-method.dockerfile');
      assertHas(t.at('FROM --platform', '--platform'), 'variable.parameter.flag.dockerfile');
      assertHas(t.at('FROM --platform', 'BUILDPLATFORM'), 'variable.other.readwrite.dockerfile');
      assertHas(t.at('FROM --platform', 'build'), 'entity.name.type.stage.dockerfile');
      assertHas(t.at('ARG VERSION', ':-'), 'keyword.operator.expansion.dockerfile');
      assertHas(t.at('ARG VERSION', 'GIT_TAG'), 'meta.interpolation.variable.dockerfile', 'variable.other.readwrite.dockerfile');
      assertHas(t.at('RUN --mount=type=cache', '--mount'), 'variable.parameter.flag.dockerfile');
      assertHas(t.at('RUN --mount=type=cache', 'cache'), 'constant.language.mount-type.dockerfile');
      assertHas(t.at('RUN --mount=type=cache', 'target'), 'entity.other.attribute-name.mount.dockerfile');
      assertHas(t.at('--network=none', '--network'), 'variable.parameter.flag.dockerfile');
      assertHas(t.at('COPY --from=build', '--chmod'), 'variable.parameter.flag.dockerfile');
      assertHas(t.at('ONBUILD RUN', 'ONBUILD'), 'keyword.control.onbuild.dockerfile');
      assertHas(t.at('ONBUILD RUN', 'RUN'), 'meta.instruction.run.dockerfile', 'keyword.other.special-method.dockerfile');
      assertHas(t.at('ONBUILD RUN', 'make'), 'meta.embedded.shell.dockerfile', 'source.shell');
      assertHas(t.at('run echo lowercase', 'run'), 'keyword.other.special-method.dockerfile');
      assertHas(t.at('HEALTHCHECK --interval', 'CMD'), 'keyword.other.special-method.dockerfile');
      assertHas(t.at('HEALTHCHECK --interval', 'curl'), 'source.shell', 'entity.name.command.shell');
      assertHas(t.at('EXPOSE 8080', '53'), 'constant.numeric.port.dockerfile');
      assertHas(t.at('EXPOSE 8080', 'udp'), 'constant.language.protocol.dockerfile');
    });

    it('parser directives only at the top; pragmas in comments', () => {
      const t = tokensOf('# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended\nFROM alpine\n# syntax=not/a-directive\n# hadolint ignore=DL3018\nRUN true\n');
      assertHas(t.at('# syntax=docker', 'syntax'), 'meta.directive.dockerfile', 'keyword.other.directive.dockerfile');
      assertHas(t.at('# check=', 'skip'), 'meta.directive.dockerfile', 'variable.parameter.check.dockerfile');
      assertHas(t.at('not/a-directive', 'syntax'), 'comment.line.number-sign.dockerfile');
      assertLacks(t.at('not/a-directive', 'syntax'), 'meta.directive.dockerfile');
      assertHas(t.at('hadolint ignore', 'hadolint'), 'comment.line.number-sign.dockerfile', 'keyword.other.pragma.dockerfile');
      assertHas(t.at('hadolint ignore', 'DL3018'), 'constant.other.rule-id.dockerfile');
    });

    it('exec form is JSON; a [ test ] is shell form', () => {
      const t = tokensOf(fs.readFileSync(path.join(FIXTURES, 'instructions.Dockerfile'), 'utf8'));
      assertHas(t.at('RUN ["/bin/sh"', '"/bin/sh"'), 'meta.exec-form.dockerfile', 'string.quoted.double.json.dockerfile');
      assertLacks(t.at('RUN ["/bin/sh"', '"/bin/sh"'), 'source.shell');
      assertHas(t.at('RUN [ -f', 'echo'), 'source.shell');
      assertLacks(t.at('RUN [ -f', '['), 'meta.exec-form.dockerfile');
      assertHas(t.at('ENTRYPOINT ["/usr', '"/usr'), 'meta.exec-form.dockerfile');
      assertHas(t.at('CMD exec app', 'exec'), 'meta.embedded.shell.dockerfile', 'source.shell');
    });

    it('shell form across continuation lines, with comment and empty lines inside', () => {
      const t = tokensOf(fs.readFileSync(path.join(FIXTURES, 'continuations.Dockerfile'), 'utf8'));
      assertHas(t.at('RUN apk add', '\\'), 'constant.character.escape.line-continuation.dockerfile');
      assertHas(t.at('# the compiler', '#'), 'meta.instruction.run.dockerfile', 'comment.line.number-sign.dockerfile');
      assertHas(t.at('    gcc', 'gcc'), 'meta.instruction.run.dockerfile', 'source.shell');
      assertHas(t.at('    curl', 'curl'), 'meta.instruction.run.dockerfile', 'source.shell');
      assertHas(t.at('COPY . /src', 'COPY'), 'keyword.other.special-method.dockerfile');
      assertLacks(t.at('COPY . /src', 'COPY'), 'source.shell');
      assertHas(t.at('fi; \\', 'fi'), 'keyword.control.fi.shell');
      assertHas(t.at('    B=2', 'B'), 'meta.instruction.env.dockerfile', 'variable.other.env.dockerfile');
      assertHas(t.at('after the backslash', 'after'), 'meta.instruction.run.dockerfile', 'source.shell');
      // `\\` at the end of a line is an escaped backslash, not a continuation.
      assertHas(t.at('COPY a b', 'COPY'), 'keyword.other.special-method.dockerfile');
      assertHas(t.at('"server.js"]', 'server.js'), 'meta.exec-form.dockerfile');
      assertHas(t.at('command on the next line', 'echo'), 'meta.instruction.run.dockerfile', 'source.shell');
      assertHas(t.at('spans lines', 'spans'), 'string.quoted.double.shell');
      assertHas(t.at('USER 1000', 'USER'), 'keyword.other.special-method.dockerfile');
      assertLacks(t.at('USER 1000', 'USER'), 'source.shell');
    });

    it('RUN heredoc bodies are shell; COPY and ADD heredoc bodies are text', () => {
      const t = tokensOf(fs.readFileSync(path.join(FIXTURES, 'heredocs.Dockerfile'), 'utf8'));
      assertHas(t.at('RUN <<EOF', '<<'), 'meta.heredoc.dockerfile', 'keyword.operator.heredoc.dockerfile');
      assertHas(t.at('RUN <<EOF', 'EOF'), 'entity.name.tag.heredoc.dockerfile');
      const body = t.at('apk add --no-cache curl', 'apk');
      assertHas(body, 'meta.embedded.heredoc.shell.dockerfile', 'source.shell', 'entity.name.command.shell');
      assertHas(t.at('echo "$HOME"', 'HOME'), 'source.shell', 'variable.other.normal.shell');
      // <<- with a quoted delimiter: tab-indented body and delimiter; the shell after it runs the body.
      assertHas(t.at('echo tab-indented', 'echo'), 'meta.embedded.heredoc.shell.dockerfile', 'source.shell');
      assertHas(t.at('\tEOT', 'EOT'), 'entity.name.tag.heredoc.dockerfile');
      assertHas(t.at('apk add git', 'apk'), 'meta.embedded.heredoc.shell.dockerfile');
      // A #! naming another interpreter, and a heredoc fed to python, are not shell.
      assertHas(t.at('print("a python script")', 'print'), 'string.unquoted.heredoc.dockerfile');
      assertLacks(t.at('print("a python script")', 'print'), 'meta.embedded.heredoc.shell.dockerfile');
      assertHas(t.at('print("stdin of python")', 'print'), 'string.unquoted.heredoc.dockerfile');
      assertLacks(t.at('print("stdin of python")', 'print'), 'meta.embedded.heredoc.shell.dockerfile');
      assertHas(t.at('Hello $USER', 'Hello'), 'string.unquoted.heredoc.dockerfile');
      // COPY heredocs: text, with ${VAR} marked only when the delimiter is unquoted.
      const copyBody = t.at('port = ${PORT}', 'port');
      assertHas(copyBody, 'meta.instruction.copy.dockerfile', 'string.unquoted.heredoc.dockerfile');
      assertLacks(copyBody, 'source.shell');
      assertHas(t.at('port = ${PORT}', 'PORT'), 'variable.other.readwrite.dockerfile');
      assertHas(t.at('RUN this is not an instruction', 'RUN'), 'string.unquoted.heredoc.dockerfile');
      assertLacks(t.at('RUN this is not an instruction', 'RUN'), 'keyword.other.special-method.dockerfile');
      assertLacks(t.at('exec "$@" ${NOT_EXPANDED}', 'NOT_EXPANDED'), 'variable.other.readwrite.dockerfile', 'source.shell');
      assertHas(t.at('Types: deb', 'Types'), 'meta.instruction.add.dockerfile', 'string.unquoted.heredoc.dockerfile');
      assertHas(t.at('RUN 3<<EOF', '3'), 'constant.numeric.file-descriptor.dockerfile');
      assertHas(t.at('fd three', 'fd'), 'string.unquoted.heredoc.dockerfile');
      assertLacks(t.at('<<NOT_A_HEREDOC', '<<'), 'meta.heredoc.dockerfile');
      assertHas(t.at('CMD ["cat"', 'CMD'), 'keyword.other.special-method.dockerfile');
      assertLacks(t.at('CMD ["cat"', 'CMD'), 'meta.heredoc.dockerfile');
    });

    it('# escape=` : the backtick continues lines, a trailing backslash does not', () => {
      const t = tokensOf(fs.readFileSync(path.join(FIXTURES, 'backtick.Dockerfile'), 'utf8'));
      assertHas(t.at('# escape=`', 'escape'), 'meta.directive.dockerfile');
      assertHas(t.at('# syntax=', 'syntax'), 'meta.directive.dockerfile');
      assertHas(t.at('ENV JAVA_HOME', '`'), 'constant.character.escape.line-continuation.dockerfile');
      assertHas(t.at('    PATH=', 'PATH'), 'meta.instruction.env.dockerfile', 'variable.other.env.dockerfile');
      assertHas(t.at("Write-Host 'Installing'", 'Write-Host'), 'meta.embedded.backtick.powershell.dockerfile', 'source.powershell');
      assertHas(t.at('# a comment inside', '#'), 'meta.instruction.run.dockerfile', 'comment.line.number-sign.dockerfile');
      assertHas(t.at('Expand-Archive', 'Expand-Archive'), 'meta.instruction.run.dockerfile', 'source.powershell');
      // COPY app.ps1 C:\app\ ends with a backslash: not a continuation here, so RUN is an instruction.
      assertHas(t.at('RUN echo `$escaped', 'RUN'), 'keyword.other.special-method.dockerfile');
      assertLacks(t.at('RUN echo `$escaped', 'RUN'), 'meta.instruction.copy.dockerfile');
      assertHas(t.at('WORKDIR C:', 'WORKDIR'), 'keyword.other.special-method.dockerfile');
      // Without the directive, a trailing backtick is shell (command substitution), not a continuation.
      const plain = tokensOf('FROM alpine\nRUN echo `date`\nCOPY a b\n');
      assertHas(plain.at('COPY a b', 'COPY'), 'keyword.other.special-method.dockerfile');
      assertLacks(plain.at('COPY a b', 'COPY'), 'source.shell');
    });

    it('SHELL ["powershell", ...] switches shell forms to PowerShell until the next FROM or SHELL', () => {
      const t = tokensOf(fs.readFileSync(path.join(FIXTURES, 'powershell-stage.Dockerfile'), 'utf8'));
      assertHas(t.at('RUN $x = Get-Item', 'Get-Item'), 'meta.embedded.powershell.dockerfile', 'source.powershell');
      assertHas(t.at('Write-Host $x', 'Write-Host'), 'source.powershell');
      assertHas(t.at('RUN echo %PATH%', 'echo'), 'source.shell');
      assertHas(t.at('RUN echo "$PATH"', 'echo'), 'source.shell');
      assertLacks(t.at('RUN echo "$PATH"', 'echo'), 'source.powershell');
    });

    it('an unclosed quote stops at the next upper-case instruction', () => {
      const t = tokensOf(fs.readFileSync(path.join(FIXTURES, 'recovery.Dockerfile'), 'utf8'));
      assertHas(t.at('COPY a /b', 'COPY'), 'meta.embedded.recovered.dockerfile', 'meta.instruction.copy.dockerfile', 'keyword.other.special-method.dockerfile');
      assertHas(t.at('RUN echo fine', 'echo'), 'meta.instruction.run.dockerfile', 'entity.name.command.shell');
      assertHas(t.at('ENV X=1', 'X'), 'variable.other.env.dockerfile');
    });

    it('.dockerignore', () => {
      const lines = tokenize(dockerignore, '# c\n**/node_modules\n!keep.log\n');
      assertHas(scopesAt(lines, 0, 0), 'comment.line.number-sign.dockerignore');
      assertHas(scopesAt(lines, 1, 0), 'keyword.operator.glob.globstar.dockerignore');
      assertHas(scopesAt(lines, 2, 0), 'keyword.operator.negation.dockerignore');
    });
  });

  describe('every line of the shared corpus as BuildKit reads it', () => {
    const skip = fs.existsSync(CORPUS_REAL) ? false : `the shared corpus is not at ${CORPUS_REAL}`;
    it('instructions, continuation and comment lines, heredoc bodies and delimiters', { skip }, () => {
      const files = fs.readdirSync(CORPUS_REAL).filter((f) => !f.endsWith('.tsv')).sort();
      const failures: string[] = [];
      const recovered: string[] = [];
      for (const name of files) {
        const text = fs.readFileSync(path.join(CORPUS_REAL, name), 'utf8');
        const lines = tokenize(dockerfile, text.replace(/^\uFEFF/, ''));
        if (lines.some((l) => l.some((t) => t.scopes.includes('meta.embedded.recovered.dockerfile')))) recovered.push(name);
        if (name in KNOWN_RECOVERED) continue;
        const problems = structureProblems(dockerfile, text, lines);
        if (problems?.length) failures.push(`${name}: ${problems.length} lines\n  ${problems.slice(0, 3).join('\n  ')}`);
      }
      assert.deepEqual(failures, [], `${failures.length} corpus files disagree with BuildKit:\n${failures.slice(0, 10).join('\n')}`);
      assert.deepEqual(recovered.sort(), Object.keys(KNOWN_RECOVERED).sort(), 'files that needed recovery from an open shell region');
    });
  });
});
