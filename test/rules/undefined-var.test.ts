import { ruleTable } from './harness';

ruleTable('undefined-var', {
  valid: [
    'FROM alpine AS base\nARG foo\nCOPY $foo .\n',
    // A reference BuildKit rejects fails the build (the syntax layer's error), it does not expand to empty (vscode-dev-containers' templates).
    'FROM alpine\nARG INSTALL_ZSH="${templateOption:installZsh}"\nCOPY ${templateOption:x} ${B:=x} /\n',
    'FROM python AS base\nARG VERSION=$PYTHON_VERSION\n',
    'FROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n',
    // ARGs and ENVs of the stage it builds on count.
    'FROM alpine AS base\nARG foo=Dockerfile\nENV BAR=1\n\nFROM base\nCOPY $foo /$BAR\n',
    'FROM alpine\nRUN echo $PATH $UNDEFINED\n',
    'FROM alpine\nENV PATH=/opt/bin:$PATH\n',
    // The author handled the unset case.
    'FROM alpine\nENV MODE=${MODE:-production} EXTRA=${EXTRA:+yes}\n',
    // An unknown base image may set it in its config.
    'FROM ghcr.io/acme/base:1\nENV PATH=$APP_HOME/bin:$PATH\nWORKDIR $APP_HOME\n',
    "FROM alpine\nLABEL description='costs $5'\n",
    'FROM alpine\nCOPY <<\'EOF\' /etc/profile.d/lang.sh\nexport LANG=$LC_ALL\nEOF\n',
    'FROM alpine\nARG A=1 B=$A\n',
    // A reference to another key of the same ENV is env-same-instruction-reference's.
    'FROM alpine\nENV A=1 B=$A\n',
    'FROM alpine\nENV PRICE=\\$5\n',
  ],
  invalid: [
    { code: 'FROM alpine AS base\nCOPY $foo .\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 10, message: /`\$foo` is not defined here/ }] },
    { code: 'FROM alpine AS base\nARG VERSION=$foo\n', errors: [{ line: 2, column: 13, endColumn: 17 }] },
    { code: 'FROM alpine\nENV PATH=$PAHT:/app/bin\n', errors: [{ line: 2, column: 10, endColumn: 15, message: /did you mean `\$PATH`/ }] },
    {
      code: 'FROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n',
      errors: [{ line: 2, message: /declared on line 3, after this use/ }],
    },
    // Global ARGs must be declared again in the stage.
    {
      code: 'ARG VERSION=1.2\nFROM alpine:$VERSION\nLABEL version=$VERSION\nARG TARGETARCH\nCOPY bin/$TARGETARCH /bin/\nCOPY bin/${TARGETOS} /bin/\n',
      errors: [
        { line: 3, column: 15, endColumn: 23, message: /global ARG must be declared again inside the stage \(`ARG VERSION`\)/ },
        { line: 6, column: 10, endColumn: 21, message: /`ARG TARGETOS`/ },
      ],
    },
    // ENV reads its own old value.
    { code: 'FROM alpine\nENV A=1 \\\n    B=$B:x\n', errors: [{ line: 3, column: 7, endColumn: 9, message: /this ENV declares it/ }] },
    {
      code: 'FROM alpine\nCOPY <<EOF /etc/profile.d/lang.sh\nexport LANG=$LC_ALL\nEOF\n',
      errors: [{ line: 3, column: 13, endColumn: 20, message: /here-document \(quote its delimiter, `<<'EOF'`/ }],
    },
    { code: 'FROM alpine\nCOPY --chown=$APP_USER:$APP_USER app /app\n', errors: [{ line: 2, column: 14, endColumn: 23 }, { line: 2, column: 24, endColumn: 33 }] },
    // Even on an unknown base, a use before the declaration is certain.
    { code: 'FROM acme/base\nWORKDIR $APP_DIR\nENV APP_DIR=/app\n', errors: [{ line: 2, column: 9, message: /declared on line 3/ }] },
    { code: 'FROM scratch\nUSER ${APP_UID}\nVOLUME ["/data/$NAME"]\n', errors: [{ line: 2, column: 6 }, { line: 3, column: 16 }] },
  ],
});
