import { ruleTable } from './harness';

ruleTable('dnf-pin-versions', {
  valid: [
    'FROM fedora\nRUN dnf install -y tomcat-9.0.1 openssl-1:3.0.7 && dnf clean all\n',
    'FROM fedora\nRUN dnf module install -y nodejs:18/common && microdnf install -y @nodejs:20 ./x.rpm\n',
    'FROM fedora\nRUN dnf install -y "git-core-${GIT_VER}" && dnf in -y tomcat-$VERSION\n',
    'FROM fedora:fc42 AS build\nARG version=2.51.0-2.fc42\nFROM fedora:fc42\nRUN dnf -y install git-core-${version}\n',
    'FROM fedora\nRUN dnf remove -y vim && dnf upgrade -y && dnf group install -y "Development Tools"\n',
    'FROM centos:7\nRUN yum install -y httpd\n',
  ],
  invalid: [
    { code: 'FROM fedora\nRUN dnf install -y tomcat && dnf clean all\n', errors: [{ line: 2, column: 20, endLine: 2, endColumn: 26, message: /`tomcat` is installed by `dnf` without a version/ }] },
    { code: 'FROM fedora\nRUN microdnf install -y \\\n  # tools\n  tar gzip-1.12\n', errors: [{ line: 4, column: 3, endLine: 4, endColumn: 6, message: /by `microdnf`/ }] },
    { code: 'FROM fedora\nARG PKG=tomcat\nRUN dnf in -y --setopt=install_weak_deps=False "$PKG"\n', errors: [{ line: 3, column: 48, endLine: 3, endColumn: 54 }] },
    { code: 'FROM fedora\nRUN ["dnf", "install", "-y", "httpd"]\n', errors: [{ line: 2, column: 30, endLine: 2, endColumn: 37 }] },
    { code: 'FROM fedora\nONBUILD RUN tdnf install -y jq\n', errors: [{ line: 2, column: 29, endLine: 2, endColumn: 31 }] },
    { code: 'FROM fedora\nRUN <<EOF\ndnf module install -y nodejs\nEOF\n', errors: [{ line: 3, column: 23, endLine: 3, endColumn: 29, message: /`nodejs:<stream>`/ }] },
  ],
});
