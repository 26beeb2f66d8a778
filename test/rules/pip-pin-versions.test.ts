import { ruleTable } from './harness';

ruleTable('pip-pin-versions', {
  valid: [
    'FROM python:3.12\nRUN pip install flask==3.0.3\n',
    'FROM python:3.12\nRUN pip install "flask>=3,<4" "requests~=2.31"\n',
    'FROM python:3.12\nRUN pip install -r requirements.txt\n',
    'FROM python:3.12\nRUN pip install --requirement=requirements.txt\n',
    'FROM python:3.12\nRUN pip install -c constraints.txt flask\n',
    'FROM python:3.12\nRUN pip install . && pip install -e ./plugins/foo\n',
    'FROM python:3.12\nRUN pip install /wheels/app-1.0-py3-none-any.whl dist/app-1.0.tar.gz\n',
    'FROM python:3.12\nRUN pip install git+https://github.com/org/repo.git@v1.2.0\n',
    'FROM python:3.12\nRUN pip install "app @ https://example.com/app-1.0.zip"\n',
    'FROM python:3.12\nRUN pip install --index-url https://pypi.example.com/simple --target /opt/lib flask==3.0.3\n',
    'FROM python:3.12\nRUN pip install -e git+https://github.com/org/repo.git#egg=repo\n',
    'FROM python:3.12\nARG PKG\nRUN pip install "$PKG"\n',
    'FROM python:3.12\nRUN pipx install black\n',
    'FROM python:3.12\nRUN pip uninstall -y flask && pip download flask\n',
    'FROM python:3.12\nRUN python3 script.py install flask\n',
  ],
  invalid: [
    { code: 'FROM python:3.12\nRUN pip install flask\n', errors: [{ line: 2, column: 17, endLine: 2, endColumn: 22, message: /`flask==<version>`/ }] },
    {
      code: 'FROM python:3.12\nRUN pip install --upgrade pip \\\n  # tools\n  setuptools==69.0.0 wheel\n',
      errors: [
        { line: 2, column: 27, endLine: 2, endColumn: 30 },
        { line: 4, column: 22, endLine: 4, endColumn: 27 },
      ],
    },
    { code: 'FROM python:3.12\nRUN ["python3", "-m", "pip", "install", "requests"]\n', errors: [{ line: 2, column: 41, endLine: 2, endColumn: 51 }] },
    // Named packages next to a requirements file are still unpinned.
    { code: 'FROM python:3.12\nRUN <<EOF\npip install -r requirements.txt uvicorn\nEOF\n', errors: [{ line: 3, column: 33, endLine: 3, endColumn: 40 }] },
    { code: "FROM python:3.12\nONBUILD RUN sudo pip3 install 'flask[async]'\n", errors: [{ line: 2, column: 31, endLine: 2, endColumn: 45 }] },
    { code: 'FROM python:3.12\nRUN uv pip install --system ruff\n', errors: [{ line: 2, column: 29, endLine: 2, endColumn: 33 }] },
    { code: 'FROM python:3.12\nRUN pip install git+https://github.com/org/repo.git\n', errors: [{ line: 2, column: 17, endColumn: 52, message: /Pin a tag or commit/ }] },
    // Unquoted, `>=2` is a shell redirection: pip gets a bare `flask`.
    { code: 'FROM python:3.12\nRUN pip install flask>=2\n', errors: [{ line: 2, column: 17, endColumn: 22 }] },
    { code: 'FROM python:3.12\nRUN pip2 install MySQL_python\n', errors: [{ line: 2, column: 18 }] },
  ],
});
