import { ruleTable } from './harness';

ruleTable('run-cd-instead-of-workdir', {
  valid: [
    'FROM alpine\nWORKDIR /opt\n',
    'FROM alpine\nRUN (cd /src && make) && echo done\n',
    'FROM alpine\nRUN echo "$(cd "$(dirname "$0")" && pwd)" `cd /x`\n',
    'FROM alpine\nRUN bash -c "cd /x && make"\n',
    'FROM alpine\nRUN echo cd /x\n',
    'FROM alpine\nRUN cat <<EOF > /f\n(unbalanced\nEOF\n',
    'FROM alpine\nRUN ["cd", "/x"]\n',
  ],
  invalid: [
    { code: 'RUN cd /opt\n', errors: [{ line: 1, column: 5, endLine: 1, endColumn: 7, message: /WORKDIR \/opt/ }] },
    { code: 'FROM alpine\nRUN (cd /x && make) && cd /y && ls\n', errors: [{ line: 2, column: 24, endLine: 2, endColumn: 26, message: /`cd \/y`/ }] },
    { code: 'FROM alpine\nRUN echo a && \\\n  # comment\n  cd /z && make\n', errors: [{ line: 4, column: 3, endLine: 4, endColumn: 5 }] },
    { code: 'FROM alpine\nRUN <<EOF\nset -e\ncd /src\nmake\nEOF\n', errors: [{ line: 4, column: 1, endLine: 4, endColumn: 3 }] },
    { code: 'FROM alpine\nRUN cat <<EOF > /f\n(unbalanced\nEOF\nRUN cd /a && cd /b\n', errors: [{ line: 5, column: 5 }] },
    { code: 'FROM alpine\nONBUILD RUN cd /app && make\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 15 }] },
  ],
});
