import { ruleTable } from './harness';

ruleTable('apk-pin-versions', {
  valid: [
    'FROM alpine\nRUN apk add --no-cache flex=2.6.4-r1 curl~8.9 "openssl>3.1" ./local.apk\n',
    'FROM alpine\nRUN apk add \\\n  --virtual build-dependencies \\\n  python-dev=1.1.1 build-base=2.2.2 \\\n  && apk del build-dependencies\n',
    'FROM alpine\nRUN apk add --no-cache -t .deps -X https://dl-cdn.alpinelinux.org/alpine/edge/testing gcc=13.2.1-r0\n',
    'FROM alpine\nARG PKG\nRUN apk add --no-cache "$PKG" $(cat /deps) && apk del curl\n',
    'FROM alpine\nARG V=8.9.1-r0\nRUN apk add --no-cache curl=$V\n',
  ],
  invalid: [
    { code: 'FROM alpine\nRUN apk add flex\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 17, message: /`flex` is installed without a version.*`flex=<version>`/ }] },
    {
      code: 'FROM alpine\nRUN apk add --no-cache \\\n  # lexer\n  flex=2.6.4-r1 \\\n  libffi \\\n  python2=2.7.13-r1\n',
      errors: [{ line: 5, column: 3, endLine: 5, endColumn: 9, message: /`libffi`/ }],
    },
    { code: 'FROM alpine\nRUN ["apk", "add", "--no-cache", "curl"]\n', errors: [{ line: 2, column: 34, endLine: 2, endColumn: 40 }] },
    { code: 'FROM alpine\nONBUILD RUN apk --no-cache add git\n', errors: [{ line: 2, column: 32, endLine: 2, endColumn: 35 }] },
    { code: 'FROM alpine\nRUN <<EOF\nsudo apk add --no-cache --virtual=.deps gcc\nEOF\n', errors: [{ line: 3, column: 41, endLine: 3, endColumn: 44 }] },
    { code: 'FROM alpine\nENV DEPS="gcc make=4.4-r1"\nRUN apk add --no-cache $DEPS\n', errors: [{ line: 3, column: 24, endLine: 3, endColumn: 29, message: /^`\$DEPS` \(`gcc`\)/ }] },
  ],
});
