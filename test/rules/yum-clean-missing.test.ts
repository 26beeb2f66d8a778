import { ruleTable } from './harness';

ruleTable('yum-clean-missing', {
  valid: [
    'FROM centos:7\nRUN yum install -y mariadb-10.4 && yum clean all\n',
    'RUN bash -c `# not even a yum command`\n',
    'FROM centos:7\nRUN yum install -y httpd \\\n  # cache removed by hand\n  && rm -rf /var/cache/yum\n',
    // On RHEL 8+ yum is dnf: either clean works.
    'FROM rockylinux:9\nRUN yum install -y httpd && dnf clean all\n',
    'FROM centos:7\nRUN --mount=type=cache,target=/var/cache/yum yum install -y httpd\n',
    'FROM centos:7\nRUN <<EOF\nyum update -y\nyum install -y httpd\nyum clean all\nEOF\n',
    'FROM centos:7 AS build\nRUN yum install -y gcc\nFROM scratch\nCOPY --from=build /usr/bin/gcc /gcc\n',
    'FROM centos:7\nRUN yum remove -y vim && yum list installed\n',
  ],
  invalid: [
    {
      code: 'FROM centos:7\nRUN yum install -y mariadb-10.4\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16, message: /leaves the repository metadata.*`yum clean all`/ }],
      output: 'FROM centos:7\nRUN yum install -y mariadb-10.4 && yum clean all\n',
    },
    { code: 'FROM centos:7\nRUN yum clean all && yum install -y\n', errors: [{ line: 2, column: 22, endLine: 2, endColumn: 33 }], output: 'FROM centos:7\nRUN yum clean all && yum install -y && yum clean all\n' },
    {
      // `clean packages` leaves the metadata.
      code: 'FROM centos:7 AS base\nRUN yum install -y x \\\n  # cache\n  && yum clean packages\nFROM base\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16 }],
      output: 'FROM centos:7 AS base\nRUN yum install -y x \\\n  # cache\n  && yum clean packages && yum clean all\nFROM base\n',
    },
    { code: 'FROM centos:7\nRUN sudo yum makecache\n', errors: [{ line: 2, column: 10, endLine: 2, endColumn: 23 }] },
    { code: 'FROM centos:7\nRUN ["yum", "install", "-y", "httpd"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 22 }] },
    { code: 'FROM centos:7\nONBUILD RUN yum install -y httpd\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 24 }] },
    { code: 'FROM centos:7\nRUN <<EOF\nyum install -y httpd\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 12 }] },
    { code: 'FROM centos:7\nRUN yum install -y httpd\nRUN yum clean all\n', errors: [{ line: 2, column: 5 }] },
  ],
});
