// Generates syntaxes/dockerfile.tmLanguage.json, the TextMate grammar of Dockerfiles.
//
//   node syntaxes/src/dockerfile-grammar.mjs          rewrites the grammar
//   node syntaxes/src/dockerfile-grammar.mjs --check  exits 1 when the committed grammar is stale
//
// The grammar is generated because most of it exists three times: for the default escape character
// (backslash) with sh, for backslash after `SHELL ["powershell", ...]`, and for `# escape=\``, where
// the backtick continues lines and escapes characters.
// The grammar test (test/grammar) fails when the committed JSON differs from this generator's output.
//
// How it works (the parts a TextMate grammar makes hard):
//
// - The escape directive. TextMate cannot carry a value from one line to the rest of the file, but
//   a region can last to the end of the file: when the directives at the top (matched from \A) set
//   `# escape=\``, a region that never ends begins there and holds the backtick variant of every
//   rule. Backslash variant otherwise. So in a backtick file a trailing `\` (Windows paths such as
//   `COPY app C:\app\`) does not continue the line, and a trailing backtick does, as in BuildKit;
//   in a backslash file a trailing backtick is shell (command substitution), not a continuation.
// - Where an instruction ends: at the end of a line that does not end with the escape character
//   (trailing blanks allowed; an escaped escape character is not a continuation, as in BuildKit's
//   lineContinuationRegex). Comment lines and empty lines inside a continuation are dropped by
//   BuildKit; rules that match them whole (newline included) keep the instruction open.
// - Embedded shell. Shell-form RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD embed `source.shell`
//   (VS Code's shellscript grammar). After `SHELL ["powershell", ...]` (until the next FROM or
//   SHELL) and in a `# escape=\`` file they embed `source.powershell`: backtick escaping is the
//   Windows convention, and PowerShell continues lines with a backtick too. The shell grammar opens
//   regions of its own (strings, `$(`, `if`...) that would hide our rules, so the Dockerfile rules
//   that must win inside them (the continuation character, comment and empty lines inside a
//   continuation, heredoc starts) are grammar injections with `L:` priority. It also only starts a
//   statement after a line start or `;`, `|`, `&`..., so the first statement after `RUN ` is opened
//   here (first-statement), the way its own normal_statement would.
// - Runaway shell. When the shell grammar leaves a region open at the end of an instruction (an
//   unclosed quote while typing; or its own limits: it never closes `f() { ...; }`), the instruction
//   cannot end. An injection then resumes the Dockerfile at the next line that starts with an
//   upper-case instruction keyword (meta.embedded.recovered.dockerfile, mapped to the dockerfile
//   language), nested in the region that cannot end. A begin/while guard would pop such regions
//   instead, but a while rule makes `\G` match at every line start, which breaks the shell
//   grammar's continuation lines.
// - Heredocs. `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, `2<<EOF`, as BuildKit finds them (a word
//   that starts with `<<`, after a blank or at the start of a line). The body is a begin/while
//   region whose while fails at the delimiter line (leading tabs allowed for `<<-`), so nothing the
//   body opened can swallow the delimiter; an outer begin/end region then matches the delimiter.
//   `RUN <<EOF` (nothing else, or a shell such as `bash -ex`, after the heredoc) has a shell body,
//   unless its first line is a `#!` line naming another interpreter; every other heredoc body
//   (`RUN python3 <<EOF`, `RUN cat <<EOF > f`, COPY, ADD) is plain text. COPY/ADD bodies show ${VAR}
//   when the delimiter is unquoted, since BuildKit expands them then. Two heredocs on one line: the
//   first is read correctly, the second body is not.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dockerfile.tmLanguage.json');

const INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];
const DIRECTIVE_NAMES = String.raw`(?i:syntax|escape|check)`;
/** A parser directive line, as BuildKit's reDirectives reads it (leading blanks trimmed first). */
const DIRECTIVE_LINE = String.raw`[ \t]*#[ \t]*${DIRECTIVE_NAMES}[ \t]*=[ \t]*\S`;
/** Shells whose heredoc input is a shell script. */
const SHELLS = String.raw`(?:/(?:usr/)?(?:local/)?bin/)?(?:ba|da|a|z|k|mk)?sh`;
/** Words the shell grammar handles itself at the start of a statement (its normal_statement skips them too). */
const SHELL_KEYWORDS = String.raw`(?:if|then|elif|else|fi|for|foreach|while|until|do|done|case|esac|in|function|select|repeat|coproc|time|end|nocorrect|logout|pushd|popd)(?:[^\w-]|$)`;

const MODES = {
  backslash: {
    suffix: '',
    esc: String.raw`\\`,
    embed: 'meta.embedded.shell.dockerfile source.shell',
    embedScope: 'meta.embedded.shell.dockerfile',
    heredocEmbed: 'meta.embedded.heredoc.shell.dockerfile source.shell',
    shell: 'source.shell',
  },
  // After `SHELL ["powershell", ...]` (or pwsh), until the next FROM or SHELL.
  powershell: {
    suffix: '-powershell',
    esc: String.raw`\\`,
    embed: 'meta.embedded.powershell.dockerfile source.powershell',
    embedScope: 'meta.embedded.powershell.dockerfile',
    heredocEmbed: 'meta.embedded.heredoc.powershell.dockerfile source.powershell',
    shell: 'source.powershell',
  },
  backtick: {
    suffix: '-backtick',
    esc: '`',
    embed: 'meta.embedded.backtick.powershell.dockerfile source.powershell',
    embedScope: 'meta.embedded.backtick.powershell.dockerfile',
    heredocEmbed: 'meta.embedded.heredoc.powershell.dockerfile source.powershell',
    shell: 'source.powershell',
  },
};

const KEYWORD = 'keyword.other.special-method.dockerfile';
const ONBUILD = 'keyword.control.onbuild.dockerfile';

function generate() {
  const repository = {};
  const injections = {};

  // ---------------------------------------------------------------------------------------------
  // Rules that do not depend on the escape character.

  repository.comment = {
    comment: 'A comment line. `# hadolint ignore=...` and `# layerwise ignore=...` pragmas are marked inside it.',
    match: String.raw`^([ \t]*)((#).*)$`,
    captures: {
      2: { name: 'comment.line.number-sign.dockerfile', patterns: [{ include: '#pragma' }] },
      3: { name: 'punctuation.definition.comment.dockerfile' },
    },
  };
  repository.pragma = {
    match: String.raw`(?<=^[ \t]*)(#)[ \t]*((?i:hadolint|layerwise))[ \t]+(?:((?i:global))[ \t]+)?((?i:ignore|shell))(=)([^ \t]*)`,
    captures: {
      2: { name: 'keyword.other.pragma.dockerfile' },
      3: { name: 'keyword.other.pragma.dockerfile' },
      4: { name: 'keyword.other.pragma.dockerfile' },
      5: { name: 'keyword.operator.assignment.dockerfile' },
      6: {
        name: 'constant.other.rule-id.dockerfile',
        patterns: [{ match: ',', name: 'punctuation.separator.delimiter.dockerfile' }],
      },
    },
  };

  repository.directives = {
    comment: 'Parser directives: only in the lines at the very top of the file; the first other line ends them.',
    begin: String.raw`\A(?=${DIRECTIVE_LINE})`,
    end: String.raw`^(?!${DIRECTIVE_LINE})`,
    patterns: [{ include: '#directive-escape-backtick' }, { include: '#directive' }],
  };
  repository.directive = {
    match: String.raw`^([ \t]*)(#)([ \t]*)(${DIRECTIVE_NAMES})([ \t]*)(=)([ \t]*)(.*?)([ \t]*)$`,
    name: 'meta.directive.dockerfile',
    captures: {
      2: { name: 'punctuation.definition.directive.dockerfile' },
      4: { name: 'keyword.other.directive.dockerfile' },
      6: { name: 'keyword.operator.assignment.dockerfile' },
      8: { name: 'string.unquoted.directive-value.dockerfile', patterns: [{ include: '#directive-check-value' }] },
    },
  };
  repository['directive-check-value'] = {
    patterns: [
      {
        match: String.raw`\b((?i:skip|error))(=)`,
        captures: { 1: { name: 'variable.parameter.check.dockerfile' }, 2: { name: 'keyword.operator.assignment.dockerfile' } },
      },
      { match: ';', name: 'punctuation.separator.delimiter.dockerfile' },
      { match: ',', name: 'punctuation.separator.delimiter.dockerfile' },
    ],
  };
  repository['directive-escape-backtick'] = {
    comment: '`# escape=`` `: the rest of the file uses the backtick rules. This region never ends.',
    begin: String.raw`^([ \t]*)(#)([ \t]*)((?i:escape))([ \t]*)(=)([ \t]*)(\`)([ \t]*)$`,
    beginCaptures: {
      0: { name: 'meta.directive.dockerfile' },
      2: { name: 'punctuation.definition.directive.dockerfile' },
      4: { name: 'keyword.other.directive.dockerfile' },
      6: { name: 'keyword.operator.assignment.dockerfile' },
      8: { name: 'string.unquoted.directive-value.dockerfile' },
    },
    end: String.raw`(?!)`,
    patterns: [
      {
        comment: 'More directives may follow the escape directive.',
        begin: String.raw`\G`,
        end: String.raw`^(?!${DIRECTIVE_LINE})`,
        patterns: [{ include: '#directive' }],
      },
      { include: '#body-backtick' },
    ],
  };

  repository.variable = {
    comment: 'BuildKit variable substitution: $VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt}, ${VAR:?err}, ${VAR#pat}, ${VAR%pat}, ${VAR/a/b}.',
    patterns: [
      {
        begin: String.raw`(\$\{)([A-Za-z_][A-Za-z0-9_]*)?`,
        beginCaptures: {
          1: { name: 'punctuation.definition.variable.begin.dockerfile' },
          2: { name: 'variable.other.readwrite.dockerfile' },
        },
        end: String.raw`(\})|(?=\n)`,
        endCaptures: { 1: { name: 'punctuation.definition.variable.end.dockerfile' } },
        name: 'meta.interpolation.variable.dockerfile',
        patterns: [
          { match: String.raw`\G(?::?[-+?]|##?|%%?|//?)`, name: 'keyword.operator.expansion.dockerfile' },
          { include: '#variable' },
        ],
      },
      {
        match: String.raw`(\$)([A-Za-z_][A-Za-z0-9_]*)`,
        captures: {
          1: { name: 'punctuation.definition.variable.dockerfile' },
          2: { name: 'variable.other.readwrite.dockerfile' },
        },
      },
    ],
  };

  const notContinued = (esc) => String.raw`(?<!(?:^|[^${esc}])${esc}[ \t]*)(?=\n)`;

  // ---------------------------------------------------------------------------------------------
  // Rules per escape character.

  for (const mode of Object.values(MODES)) {
    const s = mode.suffix;
    const E = mode.esc;
    const END = notContinued(E);
    const ref = (name) => ({ include: `#${name}${s}` });
    const rule = (name, value) => {
      if (repository[`${name}${s}`]) throw new Error(`two rules named ${name}${s}`);
      repository[`${name}${s}`] = value;
    };

    rule('body', {
      patterns: [ref('comment-line'), ref('instructions')],
    });
    rule('comment-line', { patterns: [{ include: '#comment' }] });

    rule('continuation', {
      comment: 'Inside an instruction: the continuation character, and the comment and empty lines BuildKit drops.',
      patterns: [
        {
          match: String.raw`(?<!${E})[ \t]*(${E})[ \t]*$`,
          captures: { 1: { name: 'constant.character.escape.line-continuation.dockerfile' } },
        },
        {
          match: String.raw`^([ \t]*)((#).*\n)`,
          captures: {
            2: { name: 'comment.line.number-sign.dockerfile' },
            3: { name: 'punctuation.definition.comment.dockerfile' },
          },
        },
        { match: String.raw`^[ \t]*\n` },
      ],
    });
    rule('escape', { match: String.raw`${E}.`, name: 'constant.character.escape.dockerfile' });
    rule('string', {
      patterns: [
        {
          begin: '"',
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dockerfile' } },
          end: String.raw`(")|${END}`,
          endCaptures: { 1: { name: 'punctuation.definition.string.end.dockerfile' } },
          name: 'string.quoted.double.dockerfile',
          patterns: [ref('continuation'), ref('escape'), { include: '#variable' }],
        },
        {
          begin: "'",
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dockerfile' } },
          end: String.raw`(')|${END}`,
          endCaptures: { 1: { name: 'punctuation.definition.string.end.dockerfile' } },
          name: 'string.quoted.single.dockerfile',
          patterns: [ref('continuation')],
        },
      ],
    });
    rule('args', {
      comment: 'Arguments of instructions without a grammar of their own: strings, variables, escapes.',
      patterns: [ref('continuation'), ref('string'), ref('escape'), { include: '#variable' }],
    });

    const FLAG_START = String.raw`(?:(?<=[ \t])|^)`;
    const FLAG_END = String.raw`(?=[ \t\n]|(?<!${E})${E}[ \t]*$)`;
    rule('flags', {
      patterns: [
        {
          comment: '--mount=type=cache,target=/root/.cache,sharing=locked',
          begin: String.raw`${FLAG_START}(--mount)(=)`,
          beginCaptures: { 1: { name: 'variable.parameter.flag.dockerfile' }, 2: { name: 'keyword.operator.assignment.dockerfile' } },
          end: FLAG_END,
          name: 'meta.flag.mount.dockerfile',
          patterns: [
            {
              match: String.raw`(?:(?<=--mount=)|(?<=,))(type)(=)(cache|bind|tmpfs|secret|ssh)(?=,|[ \t\n]|$)`,
              captures: {
                1: { name: 'entity.other.attribute-name.mount.dockerfile' },
                2: { name: 'keyword.operator.assignment.dockerfile' },
                3: { name: 'constant.language.mount-type.dockerfile' },
              },
            },
            {
              match: String.raw`(?:(?<=--mount=)|(?<=,))([A-Za-z][A-Za-z0-9_-]*)(=)?`,
              captures: { 1: { name: 'entity.other.attribute-name.mount.dockerfile' }, 2: { name: 'keyword.operator.assignment.dockerfile' } },
            },
            { match: ',', name: 'punctuation.separator.delimiter.dockerfile' },
            ref('string'),
            ref('escape'),
            { include: '#variable' },
          ],
        },
        {
          comment: '--from=builder, --chmod=755, --platform=$BUILDPLATFORM, --link, --network=none ...',
          begin: String.raw`${FLAG_START}(--[A-Za-z][A-Za-z0-9-]*)(=)?`,
          beginCaptures: { 1: { name: 'variable.parameter.flag.dockerfile' }, 2: { name: 'keyword.operator.assignment.dockerfile' } },
          end: FLAG_END,
          name: 'meta.flag.dockerfile',
          contentName: 'string.unquoted.flag-value.dockerfile',
          patterns: [ref('string'), ref('escape'), { include: '#variable' }],
        },
      ],
    });

    // Exec form: a JSON array of strings; BuildKit falls back to shell form when it is not one, so
    // the rest of the line must look like a JSON string array (or its start, before a continuation).
    const JSTR = String.raw`"(?:[^"\\]|\\.)*"`;
    rule('exec-form', {
      begin: String.raw`(\[)(?=[ \t]*(?:${JSTR}[ \t]*,[ \t]*)*(?:${JSTR}[ \t]*)?(?:\][ \t]*$|(?<!${E})${E}[ \t]*$))`,
      beginCaptures: { 1: { name: 'punctuation.definition.array.begin.dockerfile' } },
      end: String.raw`(\])|${END}`,
      endCaptures: { 1: { name: 'punctuation.definition.array.end.dockerfile' } },
      name: 'meta.exec-form.dockerfile',
      patterns: [
        ref('continuation'),
        {
          begin: '"',
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.dockerfile' } },
          end: String.raw`(")|${END}`,
          endCaptures: { 1: { name: 'punctuation.definition.string.end.dockerfile' } },
          name: 'string.quoted.double.json.dockerfile',
          patterns: [
            { match: String.raw`\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})`, name: 'constant.character.escape.json.dockerfile' },
            { include: '#variable' },
          ],
        },
        { match: ',', name: 'punctuation.separator.array.dockerfile' },
      ],
    });

    // The shell grammar starts a statement only after a line start or `;`, `|`, `&`, `(`...; a
    // script that starts after `RUN ` needs its first statement opened here (as its normal_statement does).
    const shellPatterns = mode.shell === 'source.shell' ? [ref('first-statement'), { include: mode.shell }] : [{ include: mode.shell }];
    if (mode.shell === 'source.shell') {
      rule('first-statement', {
        begin: String.raw`\G[ \t]*(?!${SHELL_KEYWORDS})(?=[\w$"'./~-])`,
        end: String.raw`(?=;|\||&|\n|\)|\`|\{|\}|[ \t]*#|\])(?<!\\)`,
        name: 'meta.statement.shell',
        patterns: [{ include: 'source.shell#typical_statements' }],
      });
    }
    rule('shell-form', {
      comment: `Shell form: the rest of the instruction is ${mode.shell}.`,
      begin: String.raw`(?=\S)`,
      end: END,
      contentName: mode.embed,
      patterns: shellPatterns,
    });

    // Heredocs ------------------------------------------------------------------------------------
    // Variants: body kind (shell, run-plain, copy-plain) x `<<-` or not x quoted delimiter or not.
    const HEREDOC_START = String.raw`(?:(?<=[ \t])|^)`;
    const heredoc = (kind, dash, quoted) => {
      const q = quoted ? String.raw`(["'])` : '()';
      const d = dash ? '-' : String.raw`(?!-)`;
      const name = String.raw`([A-Za-z0-9_.][A-Za-z0-9_.\-]*)`;
      const after = kind === 'shell' ? String.raw`(?=[ \t]*$|[ \t]+${SHELLS}(?:[ \t]|$))` : String.raw`(?=[ \t]|$)`;
      const leading = dash ? String.raw`\t*` : '';
      const rest =
        kind === 'copy'
          ? { begin: String.raw`(?<=\S)\G(?=[ \t]*[^ \t\n])`, end: String.raw`(?=\n)`, patterns: [ref('string'), ref('escape'), { include: '#variable' }] }
          : { begin: String.raw`(?<=\S)\G(?=[ \t]*[^ \t\n])`, end: String.raw`(?=\n)`, contentName: mode.embed, patterns: shellPatterns };
      let body;
      if (kind === 'shell') {
        // The first body line decides: a #! line naming another interpreter makes the script text.
        body = [
          {
            begin: String.raw`^\t*(#!)(?!.*\b(?:ba|da|a|z|k|mk)?sh\b)(?=.)`,
            beginCaptures: { 1: { name: 'punctuation.definition.comment.shebang.dockerfile' } },
            end: String.raw`(?!)`,
            contentName: 'string.unquoted.heredoc.dockerfile',
          },
          {
            begin: String.raw`^(?=[\s\S])`,
            end: String.raw`(?!)`,
            contentName: mode.heredocEmbed,
            patterns: [{ include: mode.shell }],
          },
        ];
      } else {
        body = [
          {
            begin: String.raw`^(?=[\s\S])`,
            end: String.raw`(?!)`,
            contentName: 'string.unquoted.heredoc.dockerfile',
            patterns: kind === 'copy' && !quoted ? [{ include: '#variable' }] : [],
          },
        ];
      }
      return {
        begin: String.raw`${HEREDOC_START}(?=[0-9]*<<${d}${q}${name}\1${after})`,
        end: String.raw`^${leading}(\2)$`,
        endCaptures: { 1: { name: 'entity.name.tag.heredoc.dockerfile' } },
        name: 'meta.heredoc.dockerfile',
        patterns: [
          {
            begin: String.raw`\G([0-9]*)(<<-?)(["']?)([A-Za-z0-9_.][A-Za-z0-9_.\-]*)(\3)`,
            beginCaptures: {
              1: { name: 'constant.numeric.file-descriptor.dockerfile' },
              2: { name: 'keyword.operator.heredoc.dockerfile' },
              3: { name: 'punctuation.definition.string.begin.dockerfile' },
              4: { name: 'entity.name.tag.heredoc.dockerfile' },
              5: { name: 'punctuation.definition.string.end.dockerfile' },
            },
            while: String.raw`^(?!${leading}\4$)`,
            patterns: [rest, ...body],
          },
        ],
      };
    };
    const variants = (kind) => [false, true].flatMap((dash) => [true, false].map((quoted) => heredoc(kind, dash, quoted)));
    rule('heredoc-shell', { patterns: variants('shell') });
    rule('heredoc-run', { patterns: variants('run') });
    rule('heredoc-copy', { patterns: variants('copy') });

    // Injections: what must win inside the embedded shell's own regions.
    const embedSel = mode.embedScope;
    injections[`L:${embedSel} - meta.heredoc.dockerfile`] = {
      patterns: [ref('continuation')],
    };
    injections[`L:${embedSel} - meta.heredoc.dockerfile - string - comment`] = {
      patterns: [ref('heredoc-run')],
    };
    injections[`L:${embedSel} - meta.heredoc.dockerfile - meta.embedded.recovered.dockerfile`] = {
      patterns: [
        {
          comment:
            'Recovery: the embedded grammar left a region open (an unclosed quote while typing) and a line starts with an upper-case instruction. The rest of the file is read as a Dockerfile again, nested in the region that cannot end.',
          begin: String.raw`^(?=[ \t]*(?:${INSTRUCTIONS.join('|')})(?:[ \t]|$))`,
          end: String.raw`(?!)`,
          name: 'meta.embedded.recovered.dockerfile',
          patterns: [ref('body')],
        },
      ],
    };

    // Instructions ----------------------------------------------------------------------------------
    const KW_END = String.raw`(?=[ \t]|$|${E})`;
    const begin = (kw) => String.raw`^[ \t]*(?:((?i:ONBUILD))[ \t]+)?((?i:${kw}))${KW_END}`;
    const beginCaptures = { 1: { name: ONBUILD }, 2: { name: KEYWORD } };
    const instruction = (kw, patterns) => ({
      begin: begin(kw),
      beginCaptures,
      end: END,
      name: `meta.instruction.${kw.toLowerCase()}.dockerfile`,
      patterns,
    });
    const run = instruction('RUN', [ref('continuation'), ref('flags'), ref('exec-form'), ref('heredoc-shell'), ref('heredoc-run'), ref('shell-form')]);
    rule('instruction-run', run);
    const cmdLike = (kw) => instruction(kw, [ref('continuation'), ref('exec-form'), ref('shell-form')]);
    rule('instruction-cmd', cmdLike('CMD'));
    rule('instruction-entrypoint', cmdLike('ENTRYPOINT'));
    rule(
      'instruction-healthcheck',
      instruction('HEALTHCHECK', [
        ref('continuation'),
        ref('flags'),
        { match: String.raw`(?<=[ \t])(?i:NONE)(?=[ \t]|$)`, name: 'keyword.other.healthcheck-none.dockerfile' },
        {
          begin: String.raw`(?<=[ \t])((?i:CMD))${KW_END}`,
          beginCaptures: { 1: { name: KEYWORD } },
          end: END,
          patterns: [ref('continuation'), ref('exec-form'), ref('shell-form')],
        },
      ]),
    );

    rule(
      'instruction-from',
      instruction('FROM', [
        ref('continuation'),
        ref('flags'),
        {
          match: String.raw`(?<=[ \t])((?i:AS))[ \t]+([^ \t\n]+)`,
          captures: { 1: { name: KEYWORD }, 2: { name: 'entity.name.type.stage.dockerfile', patterns: [{ include: '#variable' }] } },
        },
        {
          match: String.raw`(?<=[ \t])(?!--)((?:\$\{[^}\s]*\}|[^ \t\n:@$${E}])+)(?:(:)((?:\$\{[^}\s]*\}|[^ \t\n@${E}])+))?(?:(@)([^ \t\n${E}]+))?`,
          captures: {
            1: { name: 'entity.name.type.image.dockerfile', patterns: [{ include: '#variable' }] },
            2: { name: 'punctuation.separator.tag.dockerfile' },
            3: { name: 'constant.other.tag.dockerfile', patterns: [{ include: '#variable' }] },
            4: { name: 'punctuation.separator.digest.dockerfile' },
            5: { name: 'constant.other.digest.dockerfile', patterns: [{ include: '#variable' }] },
          },
        },
        ref('args'),
      ]),
    );

    const keyValue = (keyScope) => ({
      match: String.raw`(?:(?<=[ \t])|^)([^ \t\n="'${E}$]+|"[^"\n]*"|'[^'\n]*')(=)`,
      captures: { 1: { name: keyScope }, 2: { name: 'keyword.operator.assignment.dockerfile' } },
    });
    rule(
      'instruction-env',
      instruction('ENV', [
        {
          comment: 'The legacy form `ENV KEY value with spaces`.',
          begin: String.raw`\G[ \t]+([^ \t\n=${E}]+)(?=[ \t]+[^ \t\n])`,
          beginCaptures: { 1: { name: 'variable.other.env.dockerfile' } },
          end: END,
          patterns: [ref('args')],
        },
        ref('continuation'),
        keyValue('variable.other.env.dockerfile'),
        ref('args'),
      ]),
    );
    rule(
      'instruction-arg',
      instruction('ARG', [
        ref('continuation'),
        keyValue('variable.other.arg.dockerfile'),
        { match: String.raw`(?<=[ \t])([A-Za-z_][A-Za-z0-9_]*)(?=[ \t]|$)`, name: 'variable.other.arg.dockerfile' },
        ref('args'),
      ]),
    );
    rule('instruction-label', instruction('LABEL', [ref('continuation'), keyValue('entity.other.attribute-name.label.dockerfile'), ref('args')]));
    rule(
      'instruction-expose',
      instruction('EXPOSE', [
        ref('continuation'),
        {
          match: String.raw`(?<=[ \t])([0-9]+(?:-[0-9]+)?)(?:(/)((?i:tcp|udp|sctp)))?(?=[ \t]|$)`,
          captures: {
            1: { name: 'constant.numeric.port.dockerfile' },
            2: { name: 'punctuation.separator.protocol.dockerfile' },
            3: { name: 'constant.language.protocol.dockerfile' },
          },
        },
        ref('args'),
      ]),
    );
    rule(
      'instruction-stopsignal',
      instruction('STOPSIGNAL', [
        ref('continuation'),
        { match: String.raw`(?<=[ \t])(?:SIG[A-Z0-9+-]+|[0-9]+)(?=[ \t]|$)`, name: 'constant.language.signal.dockerfile' },
        ref('args'),
      ]),
    );
    const copyLike = (kw) => instruction(kw, [ref('continuation'), ref('flags'), ref('exec-form'), ref('heredoc-copy'), ref('args')]);
    rule('instruction-copy', copyLike('COPY'));
    rule('instruction-add', copyLike('ADD'));
    rule('instruction-shell', instruction('SHELL', [ref('continuation'), ref('exec-form'), ref('args')]));
    rule('instruction-volume', instruction('VOLUME', [ref('continuation'), ref('exec-form'), ref('args')]));
    for (const kw of ['USER', 'WORKDIR', 'MAINTAINER']) rule(`instruction-${kw.toLowerCase()}`, instruction(kw, [ref('args')]));
    rule('instruction-onbuild', {
      comment: 'ONBUILD alone, or before something that is not an instruction.',
      begin: String.raw`^[ \t]*((?i:ONBUILD))${KW_END}`,
      beginCaptures: { 1: { name: ONBUILD } },
      end: END,
      name: 'meta.instruction.onbuild.dockerfile',
      patterns: [ref('args')],
    });
    rule('instruction-other', {
      comment: 'A line that is not a known instruction: BuildKit reports it; here it only keeps its continuation lines together.',
      begin: String.raw`^(?=[ \t]*[^ \t\n#])`,
      end: END,
      patterns: [ref('args')],
    });

    if (mode.suffix === '') {
      rule('shell-powershell-stage', {
        comment: 'SHELL ["powershell", ...] (or pwsh): shell forms are PowerShell until the next FROM or SHELL.',
        begin: String.raw`^[ \t]*((?i:SHELL))(?=[ \t]+\[[ \t]*"(?:[^"]*[\\/])?(?i:powershell|pwsh)(?:\.exe)?")`,
        beginCaptures: { 1: { name: `meta.instruction.shell.dockerfile ${KEYWORD}` } },
        end: String.raw`^(?=[ \t]*(?i:FROM|SHELL)(?:[ \t]|$))`,
        patterns: [
          {
            begin: String.raw`\G`,
            end: END,
            name: 'meta.instruction.shell.dockerfile',
            patterns: [ref('continuation'), ref('exec-form'), ref('args')],
          },
          { include: '#body-powershell' },
        ],
      });
    }
    rule('instructions', {
      patterns: [
        ...(mode.suffix === '' ? [ref('shell-powershell-stage')] : []),
        ...['run', 'cmd', 'entrypoint', 'healthcheck', 'from', 'env', 'arg', 'label', 'expose', 'stopsignal', 'copy', 'add', 'shell', 'volume', 'user', 'workdir', 'maintainer', 'onbuild', 'other'].map(
          (k) => ref(`instruction-${k}`),
        ),
      ],
    });
  }

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    information_for_contributors: [
      'Generated by syntaxes/src/dockerfile-grammar.mjs: edit that file and run `node syntaxes/src/dockerfile-grammar.mjs`.',
    ],
    name: 'Dockerfile',
    scopeName: 'source.dockerfile',
    patterns: [{ include: '#directives' }, { include: '#body' }],
    injections,
    repository,
  };
}

function main() {
  const text = JSON.stringify(generate(), null, 2) + '\n';
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {
      /* missing */
    }
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), OUT)} is out of date: run node syntaxes/src/dockerfile-grammar.mjs`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUT, text);
  console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

export { generate };
