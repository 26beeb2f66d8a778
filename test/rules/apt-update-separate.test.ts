import { ruleTable } from './harness';

ruleTable('apt-update-separate', {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y curl\n',
    'FROM debian\nRUN apt-get update \\\n  && DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n',
    'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n',
    'FROM debian\nRUN echo apt-get update\n',
    'FROM alpine\nRUN apk update && apk add curl\n',
    'FROM fedora\nRUN dnf update -y\n',
    // The same RUN reads the fresh index: it downloads, queries or fetches sources rather than installing.
    'FROM debian\nRUN apt-get update && apt-get download libssl3 && dpkg -x libssl3_*.deb /out\n',
    'FROM debian\nRUN apt-get update && apt-cache policy curl\n',
    'FROM debian\nRUN apt-get update && cd /src && apt-get source hello\n',
    'FROM fedora\nRUN dnf makecache && dnf download --resolve curl\n',
    // A script or install helper in the same RUN installs with the fresh index (vscode-dev-containers, gitpod).
    'FROM debian\nCOPY library-scripts/*.sh /tmp/library-scripts/\nRUN apt-get update && /bin/bash /tmp/library-scripts/common-debian.sh "true" \\\n    && apt-get clean -y && rm -rf /var/lib/apt/lists/*\n',
    'FROM gitpod/workspace-base\nRUN sudo apt update && install-packages clang-19\n',
    // jupyter/docker-stacks' man page recipe.
    "FROM ubuntu\nRUN apt-get update --yes && \\\n    dpkg -l | grep ^ii | cut -d' ' -f3 | xargs apt-get install --yes --no-install-recommends --reinstall man && \\\n    apt-get clean && rm -rf /var/lib/apt/lists/*\n",
    'FROM debian\nRUN apt-get update && ./setup.sh && sudo bash -c "apt-get upgrade -yq openssl"\n',
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19, message: /install is on line 3/ }],
      output: 'FROM debian\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      code: 'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt \\\n    # refresh\n    sudo apt update\nRUN apt install -y curl\n',
      errors: [{ line: 4, column: 5, endLine: 4, endColumn: 20, message: /different --mount/ }],
    },
    { code: 'FROM debian\nRUN apt-get update\n', errors: [{ line: 2, message: /own RUN:/ }] },
    { code: 'FROM debian\nRUN apt-get update && apt-get clean\n', errors: [{ line: 2, message: /own RUN:/ }] },
    // Commands that cannot install anything.
    { code: 'FROM debian\nRUN apt-get update && /bin/mkdir -p /app && chown 1000 /app && bash\n', errors: [{ line: 2, message: /own RUN:/ }] },
    { code: 'FROM debian\nRUN apt-get update && ls /src | xargs rm -f\n', errors: [{ line: 2, message: /own RUN:/ }] },
    {
      // Multi-line install: the file's leading-&& style and indentation, comments and env prefixes kept.
      code: [
        'FROM debian',
        'RUN apt-get update -qq',
        'COPY app.conf /etc/app.conf',
        'RUN DEBIAN_FRONTEND=noninteractive apt-get install -y \\',
        '      curl \\',
        '      # tools',
        '      git=1:2.39.5-0+deb12u1',
        'CMD ["bash"]',
        '',
      ].join('\n'),
      errors: [{ line: 2, column: 5, endColumn: 23 }],
      output: [
        'FROM debian',
        'COPY app.conf /etc/app.conf',
        'RUN apt-get update -qq \\',
        '      && DEBIAN_FRONTEND=noninteractive apt-get install --no-install-recommends -y \\',
        '      curl \\',
        '      # tools',
        '      git=1:2.39.5-0+deb12u1 \\',
        '      && rm -rf /var/lib/apt/lists/*',
        'CMD ["bash"]',
        '',
      ].join('\n'),
    },
    {
      // A cache mount holds the lists: no cleanup is added. The backtick escape is kept.
      code: '# escape=`\nFROM debian\nRUN --mount=type=cache,target=/var/lib/apt `\n    apt-get update\nRUN --mount=type=cache,target=/var/lib/apt `\n    apt-get install -y --no-install-recommends curl\n',
      errors: [{ line: 4 }],
      output: '# escape=`\nFROM debian\nRUN --mount=type=cache,target=/var/lib/apt `\n    apt-get update `\n    && apt-get install -y --no-install-recommends curl\n',
    },
    {
      // A later install relies on the lists: merged, but the lists stay.
      code: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\nRUN apt-get install -y --no-install-recommends git\n',
      errors: [{ line: 2 }],
      output: 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN apt-get install -y --no-install-recommends git\n',
    },
    { code: 'FROM debian\nRUN apt-get update\nUSER app\nRUN apt-get install -y curl\n', errors: [{ line: 2, message: /USER on line 3/ }] },
    { code: 'FROM debian\nRUN apt-get update\nENV http_proxy=http://proxy:3128\nRUN apt-get install -y curl\n', errors: [{ line: 2, message: /ENV on line 3/ }] },
    {
      code: 'FROM debian\nRUN apt-get update\nENV GREETING=hello\nWORKDIR /app\nRUN apt-get install -y curl\n',
      errors: [{ line: 2 }],
      output: 'FROM debian\nENV GREETING=hello\nWORKDIR /app\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\n',
    },
    { code: 'FROM debian\nRUN apt-get update && curl -o /x https://x\nRUN apt-get install -y curl\n', errors: [{ line: 2, message: /other commands/ }] },
    { code: 'FROM debian\nRUN apt-get update\nRUN apt-cache policy curl\nRUN apt-get install -y curl\n', errors: [{ line: 2, message: /line 3 uses the package index/ }] },
    { code: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl || true\n', errors: [{ line: 2, message: /chains commands/ }] },
    {
      code: 'FROM alpine:3.20\nRUN apk update\nRUN apk add curl\n',
      errors: [{ line: 2, column: 5, endColumn: 15 }],
      output: 'FROM alpine:3.20\nRUN apk add --no-cache curl\n',
    },
    {
      code: 'FROM fedora:40\nRUN dnf makecache\nRUN dnf install -y gcc\n',
      errors: [{ line: 2 }],
      output: 'FROM fedora:40\nRUN dnf install -y gcc && dnf clean all\n',
    },
  ],
});
