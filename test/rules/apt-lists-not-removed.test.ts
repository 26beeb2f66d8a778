import { cacheMountCases, ruleTable } from './harness';

ruleTable('apt-lists-not-removed', {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n',
    'FROM debian\nRUN apt-get update \\\n  # no lists left\n  && apt-get install -y curl \\\n  && apt-get clean \\\n  && rm -r /var/lib/apt/lists\n',
    'FROM debian\nRUN set -eux; apt-get update; apt-get install -y curl; apt-get dist-clean\n',
    'FROM debian\nRUN apt-get update && apt-get install -y curl && find /var/lib/apt/lists -type f -delete\n',
    'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked --mount=type=cache,target=/var/cache/apt \\\n    apt-get update && apt-get install -y curl\n',
    'FROM debian\nRUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y curl\n',
    'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n',
    // The lists are removed inside `bash -c` (vscode-dev-containers' patch images).
    'FROM debian\nRUN sudo apt-get update && sudo bash -c "\\\n    apt-get upgrade -yq \\$PKG \\\n    && apt-get clean -y \\\n    && rm -rf /var/lib/apt/lists/*"\n',
    // A cleanup script copied from the build context removes the lists (photoprism's images).
    {
      code: 'FROM ubuntu:24.04\nCOPY --chmod=755 /scripts/dist/ /scripts/\nRUN apt-get update && apt-get -qq dist-upgrade && \\\n    /scripts/cleanup.sh\n',
      files: { 'scripts/dist/cleanup.sh': '#!/usr/bin/env bash\nset -o errexit\napt-get -y autoremove\napt-get -y autoclean\nrm -rf /var/lib/apt/lists/*\nrm -rf /tmp/*\n' },
    },
    {
      code: 'FROM debian AS base\nCOPY library-scripts/*.sh /tmp/library-scripts/\nFROM base\nRUN apt-get update && bash /tmp/library-scripts/clean.sh\n',
      files: { 'library-scripts/clean.sh': 'apt-get clean\nrm -rf /var/lib/apt/lists/*\n' },
    },
    // A builder stage that is only copied from does not ship its layers.
    'FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=build /usr/bin/gcc /gcc\n',
    'FROM debian\nARG LISTS=/var/lib/apt/lists\nRUN apt-get update && apt-get install -y curl && rm -rf "$LISTS"/*\n',
    'FROM debian\nRUN apt-get install -y curl\n',
  ],
  invalid: [
    { code: 'FROM debian\nRUN apt-get update && bash -c "apt-get install -y curl && echo rm -rf /var/lib/apt/lists/*"\n', errors: [{ line: 2, column: 5 }] },
    // The script does not remove the lists, is not where the RUN looks, or was replaced by a COPY --from.
    {
      code: 'FROM ubuntu:24.04\nCOPY scripts/ /scripts/\nRUN apt-get update && /scripts/cleanup.sh\n',
      files: { 'scripts/cleanup.sh': 'apt-get clean\nrm -rf "$LISTS"\n' },
      errors: [{ line: 3, column: 5 }],
    },
    {
      code: 'FROM ubuntu:24.04\nCOPY scripts/cleanup.sh /opt/\nRUN apt-get update && /scripts/cleanup.sh\n',
      files: { 'scripts/cleanup.sh': '#!/usr/bin/env bash\nset -o errexit\napt-get -y autoremove\napt-get -y autoclean\nrm -rf /var/lib/apt/lists/*\nrm -rf /tmp/*\n' },
      errors: [{ line: 3, column: 5 }],
    },
    {
      code: 'FROM ubuntu:24.04\nCOPY scripts/ /scripts/\nCOPY --from=tools /cleanup.sh /scripts/cleanup.sh\nRUN apt-get update && /scripts/cleanup.sh\n',
      files: { 'scripts/cleanup.sh': '#!/usr/bin/env bash\nset -o errexit\napt-get -y autoremove\napt-get -y autoclean\nrm -rf /var/lib/apt/lists/*\nrm -rf /tmp/*\n' },
      errors: [{ line: 4, column: 5 }],
    },
    {
      code: 'FROM debian\nRUN apt-get update && apt-get install -y curl\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19, message: /leaves the package index/ }],
      output: 'FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n',
    },
    {
      // `apt-get clean` empties /var/cache/apt/archives, not the lists.
      code: 'FROM debian\nRUN apt-get update \\\n  # comment\n  && apt-get install -y curl \\\n  && apt-get clean\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19 }],
      output: 'FROM debian\nRUN apt-get update \\\n  # comment\n  && apt-get install -y curl \\\n  && apt-get clean && rm -rf /var/lib/apt/lists/*\n',
    },
    // Removing the lists before the update, or in a later RUN, leaves them in this layer.
    { code: 'FROM debian\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl\n', errors: [{ line: 2, column: 36, endLine: 2, endColumn: 50 }] },
    { code: 'FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n', errors: [{ line: 2, column: 5 }] },
    { code: 'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt-get update\n', errors: [{ line: 2, column: 46, endLine: 2, endColumn: 60 }] },
    // The stage the final image builds on ships its layers.
    { code: 'FROM debian AS base\nRUN apt-get update && apt-get install -y gcc\nFROM base\nRUN echo hi\n', errors: [{ line: 2, column: 5 }] },
    { code: 'FROM debian\nONBUILD RUN apt-get update && apt-get install -y curl\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 27 }] },
    { code: 'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 15 }] },
    { code: 'FROM debian\nRUN ["apt-get", "update"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 25 }] },
    { code: 'FROM ubuntu\nRUN sudo apt -q update\n', errors: [{ line: 2, column: 10, endLine: 2, endColumn: 23, message: /^`apt update`/ }] },
  ],
});


cacheMountCases('apt-lists-not-removed', [
  {
    code: 'FROM debian\nRUN apt-get update && apt-get install -y curl\n',
    output: 'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt/lists,sharing=locked apt-get update && apt-get install -y curl\n',
  },
  // `apt-get clean` would only empty the mounted cache: it goes, with its `&&`.
  {
    code: 'FROM debian\nRUN apt-get update \\\n  # comment\n  && apt-get install -y curl \\\n  && apt-get clean\n',
    output: 'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n     --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\\n     apt-get update \\\n  # comment\n  && apt-get install -y curl\n',
  },
  {
    code: '# escape=`\nFROM ubuntu:24.04\nRUN apt-get update `\n && apt-get clean `\n && apt-get install -y curl\n',
    output: '# escape=`\nFROM ubuntu:24.04\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked `\n    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked `\n    apt-get update `\n && apt-get install -y curl\n',
  },
  // A mount of the package cache is already there: only the lists are added.
  {
    code: 'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt apt-get update\n',
    output: 'FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked --mount=type=cache,target=/var/cache/apt apt-get update\n',
  },
  { code: 'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n', output: 'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt/lists,sharing=locked <<EOF\napt-get update\napt-get install -y curl\nEOF\n' },
  // A later RUN installs without updating: it needs the lists in the layer.
  { code: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n' },
  { code: 'FROM debian\nONBUILD RUN apt-get update && apt-get install -y curl\n' },
]);
