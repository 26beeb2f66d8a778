import { ruleTable } from './harness';

ruleTable('sudo-in-run', {
  valid: [
    'RUN apt-get install sudo\n',
    'FROM debian\nUSER root\nRUN apt-get update\n',
    'FROM debian\nRUN echo sudo\n',
    'FROM debian\nRUN gosu app make\n',
    // Written for whichever USER the base image has (vscode-dev-containers' patch images).
    'ARG ORIGINAL_IMAGE=mcr.microsoft.com/vscode/devcontainers/base\nFROM ${ORIGINAL_IMAGE}\nRUN if [ "$(id -u)" -ne 0 ]; then \\\n        sudo bash -c "${PATCH_SCRIPT}"; \\\n    else \\\n        bash -c "${PATCH_SCRIPT}"; \\\n    fi\n',
    'FROM debian\nRUN [ "$EUID" = 0 ] && apt-get update || sudo apt-get update\n',
  ],
  invalid: [
    // Asking who the user is somewhere else in the file does not change this RUN.
    { code: 'FROM debian\nRUN id -un > /whoami.txt\nRUN sudo apt-get update\n', errors: [{ line: 3, column: 5 }] },
    { code: 'RUN sudo apt-get update\n', errors: [{ line: 1, column: 5, endLine: 1, endColumn: 9, message: /USER root/ }] },
    { code: 'RUN apt-get update && sudo apt-get install\n', errors: [{ line: 1, column: 23, endLine: 1, endColumn: 27 }] },
    { code: 'FROM debian\nRUN make \\\n  # as app\n  && sudo -u app make install\n', errors: [{ line: 4, column: 6, endLine: 4, endColumn: 10, message: /`sudo -u app`.*USER app/ }] },
    { code: 'FROM debian\nRUN <<EOF\nsudo DEBIAN_FRONTEND=noninteractive apt-get upgrade\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 5 }] },
    { code: 'FROM debian\nRUN ["sudo", "ls"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 12 }] },
    { code: 'FROM debian\nONBUILD RUN sudo make\n', errors: [{ line: 2, column: 13 }] },
  ],
});
