import { ruleTable } from './harness';

ruleTable('maintainer-deprecated', {
  valid: ['LABEL org.opencontainers.image.authors="moby@example.com"\n', 'FROM debian\n', 'FROM debian\nRUN echo MAINTAINER\n'],
  invalid: [
    {
      code: 'FROM busybox\nMAINTAINER hudu@mail.com\n',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 11, message: /deprecated/ }],
      output: 'FROM busybox\nLABEL org.opencontainers.image.authors="hudu@mail.com"\n',
    },
    {
      code: 'FROM debian\nmaintainer Tecnativa <info@tecnativa.com>\n',
      errors: [{ line: 2 }],
      output: 'FROM debian\nLABEL org.opencontainers.image.authors="Tecnativa <info@tecnativa.com>"\n',
    },
    { code: 'FROM debian\nMAINTAINER "Lukas"\n', errors: [{ line: 2 }] },
  ],
});
