import { ruleTable } from './harness';

ruleTable('yum-missing-yes', {
  valid: [
    'FROM centos:7\nRUN yum install -y httpd-2.4.24 && yum clean all\n',
    'RUN bash -c `# not even a yum command`\n',
    'FROM centos:7\nRUN yum -yq update && yum --assumeyes remove vim && yum --setopt=assumeyes=1 install git && yes | yum erase nano\n',
    'FROM centos:7\nRUN yum clean all && yum makecache && yum list installed && yum info httpd\n',
    'FROM centos:7\nRUN echo "assumeyes=1" >> /etc/yum.conf\nRUN yum install httpd\n',
    'FROM fedora\nRUN dnf install httpd\n',
  ],
  invalid: [
    {
      code: 'FROM centos:7\nRUN yum install httpd-2.4.24 && yum clean all\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 16, message: /^`yum install` without `-y`/ }],
      output: 'FROM centos:7\nRUN yum install -y httpd-2.4.24 && yum clean all\n',
    },
    {
      code: 'FROM centos:7\nRUN yum module install nodejs:18 \\\n  # tools\n  && sudo yum groupinstall "Development Tools"\n',
      errors: [{ line: 2, column: 5, endLine: 2, endColumn: 23, message: /`yum module install`/ }, { line: 4, column: 11, endLine: 4, endColumn: 27 }],
      output: 'FROM centos:7\nRUN yum module install -y nodejs:18 \\\n  # tools\n  && sudo yum groupinstall "Development Tools"\n',
    },
    { code: 'FROM centos:7\nRUN ["yum", "update"]\n', errors: [{ line: 2, column: 6, endLine: 2, endColumn: 21 }], output: 'FROM centos:7\nRUN ["yum", "update", "-y"]\n' },
    { code: 'FROM centos:7\nONBUILD RUN yum -q remove vim\n', errors: [{ line: 2, column: 13, endLine: 2, endColumn: 26 }] },
    { code: 'FROM centos:7\nRUN <<EOF\nyum --enablerepo epel install jq\nEOF\n', errors: [{ line: 3, column: 1, endLine: 3, endColumn: 30 }], output: 'FROM centos:7\nRUN <<EOF\nyum --enablerepo epel install -y jq\nEOF\n' },
  ],
});
