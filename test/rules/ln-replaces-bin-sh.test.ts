import { ruleTable } from './harness';

ruleTable('ln-replaces-bin-sh', {
  valid: [
    'RUN ln -sf /bin/true /sbin/initctl\n',
    'RUN ln -s foo bar && unrelated && something_with /bin/sh\n',
    'FROM debian\nRUN ln -s /bin/sh /usr/local/bin/sh\n',
    'FROM debian\nSHELL ["/bin/bash", "-c"]\n',
    'FROM debian\nRUN ln -sf -t /bin /opt/sh\n',
  ],
  invalid: [
    { code: 'RUN ln -sfv /bin/bash /bin/sh\n', errors: [{ line: 1, column: 23, endLine: 1, endColumn: 30, message: /SHELL/ }] },
    { code: 'FROM debian\nRUN apt-get install -y bash \\\n  # make bash the default\n  && ln -sf bash /usr/bin/sh\n', errors: [{ line: 4, column: 18, endLine: 4, endColumn: 29 }] },
    { code: 'FROM debian\nRUN <<EOF\nrm /bin/sh\nln -s /bin/bash "/bin/sh"\nEOF\n', errors: [{ line: 4, column: 17, endLine: 4, endColumn: 26 }] },
    { code: 'FROM debian\nONBUILD RUN sudo ln -sf /bin/bash /bin/sh\n', errors: [{ line: 2, column: 35 }] },
  ],
});
