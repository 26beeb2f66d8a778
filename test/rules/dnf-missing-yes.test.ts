import { ruleTable } from './harness';

ruleTable('dnf-missing-yes', {
  valid: [
    'FROM fedora\nRUN dnf install -y httpd-2.4.24 && dnf clean all\n',
    'FROM fedora\nRUN microdnf install -y httpd-2.4.24 && microdnf clean all\n',
    'FROM fedora\nRUN dnf -yq upgrade && dnf --assumeyes remove vim && dnf --setopt=assumeyes=True in git && yes | dnf5 install nano\n',
    'FROM fedora\nRUN dnf clean all && dnf makecache && dnf repoquery httpd && dnf config-manager --set-enabled crb\n',
    'FROM fedora\nRUN echo "assumeyes=True" >> /etc/dnf/dnf.conf\nRUN dnf install httpd\n',
    'FROM centos:7\nRUN yum install httpd\n',
  ],
  invalid: [
    {
      code: 'FROM fedora\nRUN dnf install httpd-2.4.24 && dnf clean all\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16, message: /^`dnf install` without `-y`/ }],
      output: 'FROM fedora\nRUN dnf install -y httpd-2.4.24 && dnf clean all\n',
    },
    {
      code: 'FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install httpd-2.4.24 \\\n  # done\n  && microdnf clean all\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 21, message: /^`microdnf install`/ }],
      output: 'FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y httpd-2.4.24 \\\n  # done\n  && microdnf clean all\n',
    },
    {
      code: 'FROM fedora\nRUN dnf --setopt=install_weak_deps=False --enablerepo crb install -q x\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 66 }],
      output: 'FROM fedora\nRUN dnf --setopt=install_weak_deps=False --enablerepo crb install -y -q x\n',
    },
    { code: 'FROM fedora\nRUN ["dnf", "install", "httpd"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 22 }], output: 'FROM fedora\nRUN ["dnf", "install", "-y", "httpd"]\n' },
    { code: 'FROM fedora\nONBUILD RUN sudo tdnf in jq\n', errors: [{ line: 2, column: 18, endLine: 2, endColumn: 25 }] },
    { code: 'FROM fedora\nRUN <<EOF\ndnf group install "Development Tools"\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 18, message: /`dnf group install`/ }] },
  ],
});
