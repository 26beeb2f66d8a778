import { ruleTable } from './harness';

ruleTable('dnf-clean-missing', {
  valid: [
    'FROM fedora\nRUN dnf install -y mariadb-10.4 && dnf clean all\n',
    'FROM fedora\nRUN dnf in -y mariadb-10.4 && dnf clean all\n',
    'FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y httpd \\\n  # done\n  && microdnf clean all\n',
    'FROM fedora\nRUN dnf5 install -y httpd && rm -rf /var/cache/libdnf5/*\n',
    'FROM fedora\nRUN --mount=type=cache,target=/var/cache/dnf dnf install -y httpd\n',
    'FROM photon\nRUN tdnf install -y jq && tdnf clean all\n',
    'FROM fedora AS build\nRUN dnf install -y gcc\nFROM scratch\nCOPY --from=build /usr/bin/gcc /gcc\n',
    'FROM centos:7\nRUN yum install -y httpd\n',
  ],
  invalid: [
    {
      code: 'FROM fedora\nRUN dnf install -y mariadb-10.4\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16, message: /`dnf clean all`/ }],
      output: 'FROM fedora\nRUN dnf install -y mariadb-10.4 && dnf clean all\n',
    },
    {
      code: 'FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y mariadb-10.4\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 21, message: /`microdnf clean all`/ }],
      output: 'FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y mariadb-10.4 && microdnf clean all\n',
    },
    { code: 'FROM fedora\nRUN dnf -y upgrade \\\n  # all\n  && dnf clean metadata\n', errors: [{ line: 2, column: 5, endLine: 2, endColumn: 19 }] },
    { code: 'FROM fedora\nRUN ["dnf", "module", "install", "-y", "nodejs:18"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 32, message: /`dnf module install`/ }] },
    { code: 'FROM fedora\nONBUILD RUN dnf install -y httpd\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 24 }] },
    { code: 'FROM fedora\nRUN <<EOF\nsudo dnf install -y httpd\nEOF\n', errors: [{ line: 3, column: 6, endLine: 3, endColumn: 17 }] },
  ],
});
