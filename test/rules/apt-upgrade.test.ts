import { ruleTable } from './harness';

ruleTable('apt-upgrade', {
  valid: [
    'FROM debian\nRUN apt-get update && apt-get install -y --only-upgrade openssl\n',
    'FROM debian\nRUN apt-get install -y unattended-upgrades && echo apt-get upgrade\n',
  ],
  invalid: [
    { code: 'FROM debian\nRUN apt-get update && apt-get upgrade -y\n', errors: [{ line: 2, column: 23, endLine: 2, endColumn: 38, message: /second copy of every upgraded package/ }] },
    { code: 'FROM debian\nRUN apt-get update \\\n  # everything\n  && sudo apt-get -y dist-upgrade\n', errors: [{ line: 4, column: 11, endLine: 4, endColumn: 34 }] },
    { code: 'FROM ubuntu\nRUN ["apt", "full-upgrade", "-y"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 27 }] },
    { code: 'FROM debian\nONBUILD RUN apt-get upgrade -y\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 28 }] },
    { code: 'FROM debian\nRUN <<EOF\napt-get update\napt-get -y upgrade\nEOF\n', errors: [{ line: 4, column: 1, endLine: 4, endColumn: 19 }] },
  ],
});
