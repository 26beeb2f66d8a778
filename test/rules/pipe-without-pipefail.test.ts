import { ruleTable } from './harness';

ruleTable('pipe-without-pipefail', {
  valid: [
    // A condition: its status picks a branch, never the RUN's (vscode-dev-containers' node images).
    'FROM debian\nRUN if ! cat /etc/group | grep -e "^npm:" > /dev/null 2>&1; then groupadd -r npm; fi \\\n    && usermod -a -G npm node\n',
    'FROM debian\nRUN while ls /tmp/locks | grep -q lock; do sleep 1; done\n',
    'FROM scratch as build\nRUN wget -O - https://some.site && wc -l file > /number\n',
    'FROM scratch as build\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nRUN wget -O - https://some.site | wc -l file > /number\n',
    'FROM debian AS base\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM base\nRUN curl x | tar -x\n',
    'FROM debian\nRUN set -euxo pipefail; curl -fsSL x | tar -xz\n',
    'FROM debian\nRUN <<EOF\nset -o pipefail\ncurl -fsSL x | tar -xz\nEOF\n',
    'FROM debian\nRUN echo "$SUM  /tmp/a.tgz" | sha256sum -c - && printf "%s\\n" a b | sort\n',
    'FROM debian\nRUN curl -fsSL x || echo failed\n',
    // Status pipefail cannot change: echo succeeds whatever the substitution did; a pipe inside a word of another command.
    'FROM debian\nRUN echo "$(curl -fsSL x)" | sh\n',
    'FROM debian\nRUN tar -xzf "$(ls /tmp/*.tgz | head -n 1)" -C /opt\n',
    'FROM debian\nRUN [ "$(uname -m | tr A-Z a-z)" = x86_64 ] && echo ok\n',
    'FROM debian\nRUN ln -s "/usr/lib/$(gcc -dumpmachine | cut -d- -f1)" /opt/lib\n',
    'FROM debian\nRUN export ARCH="$(dpkg --print-architecture | cut -d- -f1)" && echo "$ARCH"\n',
    'FROM debian\nRUN GOARCH=$(uname -m | sed s/x86_64/amd64/) go build ./...\n',
    // An assignment followed by `;` without errexit: its status is dropped, the RUN's is what follows (toolbox's Fedora images).
    'FROM debian\nRUN V="v$(curl -fsSL x | jq -r .tag)"; echo "$V"\n',
    'FROM fedora\nRUN broken="$(rpm -qa \\\n  | sort)"; \\\n  if [ "$broken" != "" ]; then echo "$broken" >&2; false; fi\n',
    'FROM debian\nRUN ["sh", "-c", "curl x | tar -x"]\n',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Get-ChildItem | Select-Object Name\n',
  ],
  invalid: [
    // Only the condition is exempt: a pipe in the branch, or one whose status feeds &&, still hides a failure.
    { code: 'FROM debian\nRUN if [ -f /x ]; then curl -f https://example.com/a.tgz | tar -xz; fi\n', errors: [{ line: 2 }] },
    { code: 'FROM debian\nRUN curl -f https://example.com/a.tgz | tar -xz && if true; then :; fi\n', errors: [{ line: 2 }] },
    { code: 'FROM scratch\nRUN wget -O - https://some.site | wc -l > /number\n', errors: [{ line: 2, column: 33, endLine: 2, endColumn: 34, message: /pipefail/ }] },
    {
      code: 'FROM scratch as build\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN wget -O - https://some.site | wc -l file > /number\nFROM scratch as build2\nRUN wget -O - https://some.site | wc -l file > /number\n',
      errors: [{ line: 5, column: 33 }],
    },
    { code: 'FROM debian\nRUN curl -fsSL x \\\n  # unpack\n  | tar -xz\n', errors: [{ line: 4, column: 3, endLine: 4, endColumn: 4 }] },
    { code: 'FROM debian\nRUN curl x | tar -x; set -o pipefail\n', errors: [{ line: 2, column: 12 }] },
    // A bare assignment takes the substitution's status: pipefail decides it.
    { code: 'FROM debian\nRUN V=$(curl -fsSL x | jq -r .tag) && echo "$V"\n', errors: [{ line: 2, column: 22 }] },
    { code: 'FROM debian\nRUN set -e; V="v$(curl -fsSL x | jq -r .tag)"; echo "$V"\n', errors: [{ line: 2, column: 32 }] },
    { code: 'FROM debian\nSHELL ["/bin/sh", "-ec"]\nRUN V="v$(curl -fsSL x | jq -r .tag)"; echo "$V"\n', errors: [{ line: 3, column: 24 }] },
    { code: 'FROM debian\nRUN echo start; V="$(curl -fsSL x | jq -r .tag)"\n', errors: [{ line: 2, column: 35 }] },
    { code: 'FROM debian\nRUN V="$(curl -fsSL x | jq -r .tag)" || exit 1; echo "$V"\n', errors: [{ line: 2, column: 23 }] },
    { code: 'FROM debian\nRUN tar -xf "$(ls /tmp/*.tgz | head -1)" && curl x | tar -x\n', errors: [{ line: 2, column: 52 }] },
    { code: 'FROM debian\nRUN { curl a; curl b; } | tar -x\n', errors: [{ line: 2, column: 25, endLine: 2, endColumn: 26 }] },
    { code: 'FROM debian\nRUN make 2>&1 |& tee build.log\n', errors: [{ line: 2, column: 15, endLine: 2, endColumn: 17 }] },
    { code: 'FROM debian\nRUN <<EOF\ncurl -fsSL x | tar -xz\nEOF\n', errors: [{ line: 3, column: 14 }] },
    { code: 'FROM debian\nONBUILD RUN curl x | sh\n', errors: [{ line: 2, column: 20 }] },
  ],
});
