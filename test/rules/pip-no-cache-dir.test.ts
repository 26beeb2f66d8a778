import { ruleTable } from './harness';

ruleTable('pip-no-cache-dir', {
  valid: [
    'FROM python:3.12\nRUN pip install --no-cache-dir flask\n',
    'FROM python:3.12\nRUN pip --no-cache-dir install flask\n',
    'FROM python:3.12\nRUN pip install flask --no-cache-dir\n',
    'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n',
    // pip reads any boolean there as "no cache", even `off`.
    'FROM python:3.12\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n',
    'FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six\n',
    'FROM python:3.12\nARG PIP_NO_CACHE_DIR\nRUN pip install flask\n',
    'FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n',
    'FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=true \\\n && pip install flask\n',
    'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n',
    'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache \\\n    python3 -m pip install -r requirements.txt\n',
    'FROM python:3.12\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install --user flask\n',
    'FROM python:3.12\nRUN --mount=type=cache,target=/pipcache pip install --cache-dir=/pipcache flask\n',
    'FROM python:3.12\nRUN pip install flask && rm -rf /root/.cache/pip\n',
    'FROM python:3.12\nRUN pip install flask \\\n && pip cache purge\n',
    'FROM python:3.12\nRUN pipx install black && pipenv install\n',
    'FROM python:3.12\nRUN uv pip install flask\n',
    'FROM python:3.12\nRUN pip download flask && python -m pip --version\n',
    'FROM python:3.12\nRUN echo pip install flask\n',
    // A builder whose cache never reaches the image: only /install is copied out.
    'FROM python:3.12 AS build\nRUN pip install --prefix=/install six\nFROM python:3.12-slim\nCOPY --from=build /install /usr/local\n',
    'FROM python:3.12\nSHELL ["pwsh", "-c"]\nRUN pip install flask\n',
  ],
  invalid: [
    {
      code: 'FROM python:3.12\nRUN pip install flask\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16, message: /leaves its download cache/ }],
      output: 'FROM python:3.12\nRUN pip install --no-cache-dir flask\n',
    },
    {
      code: 'FROM python:3.12\nRUN apt-get update \\\n # the app\n && python3 -m pip install \\\n    -r requirements.txt\n',
      errors: [{ line: 4, column: 5, endLine: 4, endColumn: 27, message: /^`python3 -m pip install`/ }],
      output: 'FROM python:3.12\nRUN apt-get update \\\n # the app\n && python3 -m pip install --no-cache-dir \\\n    -r requirements.txt\n',
    },
    {
      code: 'FROM python:3.12\nRUN ["pip", "install", "flask"]\n',
      errors: [{ line: 2, column: 6, endLine: 2, endColumn: 22 }],
      output: 'FROM python:3.12\nRUN ["pip", "install", "--no-cache-dir", "flask"]\n',
    },
    {
      code: 'FROM python:3.12\nRUN <<EOF\nset -e\npip3 install flask\nEOF\n',
      errors: [{ line: 4, column: 1, endLine: 4, endColumn: 13 }],
      output: 'FROM python:3.12\nRUN <<EOF\nset -e\npip3 install --no-cache-dir flask\nEOF\n',
    },
    {
      code: 'FROM python:3.12\nONBUILD RUN sudo -H pip install -r /app/requirements.txt\n',
      errors: [{ line: 2, column: 21, endLine: 2, endColumn: 32 }],
      output: 'FROM python:3.12\nONBUILD RUN sudo -H pip install --no-cache-dir -r /app/requirements.txt\n',
    },
    // ENV of another stage is not inherited.
    { code: 'FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM python:3.12\nRUN pip install six\n', errors: [{ line: 4, column: 5 }] },
    { code: 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=""\nRUN pip install six | tee log\n', errors: [{ line: 3, column: 5, endColumn: 16 }] },
    // The cache mount is elsewhere than the cache; no fix, because `--cache-dir` after it would win.
    { code: 'FROM python:3.12\nRUN --mount=type=cache,target=/tmp/pip pip install --cache-dir /tmp/other six\n', errors: [{ line: 2, column: 40, endColumn: 51 }] },
    { code: 'FROM python:3.12\nRUN pip --disable-pip-version-check install six\n', errors: [{ line: 2, column: 5, endColumn: 44 }], output: 'FROM python:3.12\nRUN pip --disable-pip-version-check install --no-cache-dir six\n' },
    { code: 'FROM python:3.12\nRUN pip install six && pip cache remove six\n', errors: [{ line: 2 }] },
    // Removing the cache in a later RUN does not shrink the earlier layer.
    { code: 'FROM python:3.12\nRUN pip install six\nRUN rm -rf /root/.cache/pip\n', errors: [{ line: 2 }] },
    { code: 'FROM python:3.12\nRUN pip install six && pip install flask\n', errors: [{ line: 2, column: 5 }, { line: 2, column: 24 }] },
  ],
});
