import { ruleTable } from './harness';

ruleTable('zypper-pin-versions', {
  valid: [
    'FROM opensuse/leap\nRUN zypper install -y tomcat=9.0.39 && zypper clean\n',
    'FROM opensuse/leap\nRUN zypper install -y tomcat\\>=9.0 "curl<9" ./local.rpm && zypper clean\n',
    'FROM opensuse/leap\nRUN zypper -n install -t pattern devel_basis && zypper -n in pattern:devel_C_C++ && zypper -n rm vim\n',
    'FROM opensuse/leap\nRUN zypper -n install --from repo-oss -r repo-oss httpd=2.4.58\n',
  ],
  invalid: [
    { code: 'FROM opensuse/leap\nRUN zypper install -y tomcat && zypper clean\n', errors: [{ line: 2, column: 23, endLine: 2, endColumn: 29, message: /`tomcat` is installed without a version.*`tomcat=<version>`/ }] },
    { code: 'FROM opensuse/leap\nRUN zypper -n in \\\n  # web\n  apache2=2.4.58 \\\n  apache2-utils\n', errors: [{ line: 5, column: 3, endLine: 5, endColumn: 16 }] },
    { code: 'FROM opensuse/leap\nRUN ["zypper", "-n", "install", "httpd"]\n', errors: [{ line: 2, column: 33, endLine: 2, endColumn: 40 }] },
    { code: 'FROM opensuse/leap\nONBUILD RUN zypper -n install -t package httpd\n', errors: [{ line: 2, column: 42, endLine: 2, endColumn: 47 }] },
    { code: 'FROM opensuse/leap\nRUN <<EOF\nsudo zypper -n install jq\nEOF\n', errors: [{ line: 3, column: 24, endLine: 3, endColumn: 26 }] },
  ],
});
