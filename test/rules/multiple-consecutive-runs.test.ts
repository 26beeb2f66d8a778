import { ruleTable } from './harness';

ruleTable('multiple-consecutive-runs', {
  valid: [
    'FROM debian:bookworm\n',
    'FROM debian:bookworm\nRUN /foo.sh\nWORKDIR /\nRUN /bar.sh\n',
    // Different flags cannot be merged.
    'FROM debian:bookworm\nRUN /foo.sh\nRUN --mount=type=cache,target=/root/.cache /bar.sh\n',
    'FROM debian:bookworm\nRUN --network=none /foo.sh\nRUN /bar.sh\n',
    // More than two commands: deliberately separate steps.
    'FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN /bar.sh\n',
    'FROM debian:bookworm\nRUN /foo.sh\nRUN <<EOF\nset -e\n/bar.sh\n/baz.sh\nEOF\n',
    // A new stage starts over.
    'FROM debian:bookworm AS a\nRUN /foo.sh\nFROM debian:bookworm\nRUN /bar.sh\n',
    'FROM debian:bookworm\nRUN /foo.sh\nONBUILD RUN /bar.sh\nRUN /baz.sh\n',
  ],
  invalid: [
    { code: 'FROM debian:bookworm\nRUN /foo.sh\nRUN /bar.sh\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 4, message: /one layer instead of two/ }] },
    { code: 'FROM debian:bookworm\nRUN /foo.sh\n# a comment\n# another comment\nRUN /bar.sh\n', errors: [{ line: 5, column: 1 }] },
    { code: 'RUN /foo.sh\nRUN /bar.sh\n', errors: [{ line: 2 }] },
    {
      code: 'FROM debian:bookworm\nRUN --mount=type=cache,target=/var/cache/apt apt-get update\nRUN --mount=type=cache,target=/var/cache/apt \\\n    # install\n    apt-get install -y curl\n',
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 4 }],
    },
    { code: 'FROM debian:bookworm\nRUN ["/foo.sh"]\nrun echo a && echo b\n', errors: [{ line: 3, column: 1, endColumn: 4 }] },
    // Each reported RUN is compared with the last one that was not reported, as hadolint does.
    { code: 'FROM debian:bookworm\nRUN mkdir /a\nRUN mkdir /b\nRUN mkdir /c\n', errors: [{ line: 3 }, { line: 4 }] },
  ],
});
