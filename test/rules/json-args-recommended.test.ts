import { ruleTable } from './harness';

ruleTable('json-args-recommended', {
  valid: [
    'FROM alpine\nENTRYPOINT ["my-program", "start"]\n',
    'FROM alpine\nCMD [ "/bin/sh", "-c", \\\n      "echo foo && \\\n       echo bar" \\\n    ]\n',
    'FROM alpine\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT echo "hello world"\n',
    'FROM alpine\nRUN echo shell form is fine for RUN\n',
  ],
  invalid: [
    { code: 'FROM alpine\nENTRYPOINT my-program start\n', errors: [{ line: 2, column: 12, endLine: 2, endColumn: 28, message: /exec form/ }] },
    { code: 'FROM node\nCMD node \\\n  server.js\n', errors: [{ line: 2, column: 5, endLine: 3, endColumn: 12 }] },
    { code: 'FROM node\nONBUILD CMD node server.js\n', errors: [{ line: 2, column: 13 }] },
    { code: 'FROM node\nSHELL ["/bin/bash", "-c"]\nFROM node\nCMD node server.js\n', errors: [{ line: 4 }] },
  ],
});
