import { ruleTable } from './harness';

ruleTable('apt-update-separate', {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y curl\n',
    'FROM debian\nRUN apt-get update \\\n  && DEBIAN_FRONTEND=noninteractive apt-get install -y curl\n',
    'FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n',
    'FROM debian\nRUN echo apt-get update\n',
  ],
  invalid: [
    {
      code: 'FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19, message: /install is on line 3/ }],
    },
    {
      code: 'FROM debian\nRUN --mount=type=cache,target=/var/cache/apt \\\n    # refresh\n    sudo apt update\nRUN apt install -y curl\n',
      errors: [{ line: 4, column: 5, endLine: 4, endColumn: 20 }],
    },
    { code: 'FROM debian\nRUN apt-get update\n', errors: [{ line: 2, message: /own RUN:/ }] },
  ],
});
