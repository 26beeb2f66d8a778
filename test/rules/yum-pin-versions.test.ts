import { ruleTable } from './harness';

ruleTable('yum-pin-versions', {
  valid: [
    'FROM centos:7\nRUN yum install -y tomcat-9.2 openssl-1:1.1.1k rpm-sign-4.16.1.3 gcc-c++-1.1.1 && yum clean all\n',
    'FROM centos:7\nRUN yum module install -y tomcat:9 && yum install -y @development-tools "python3 >= 3.6" /tmp/local.rpm https://example.com/x.rpm\n',
    'FROM centos:7\nRUN yum install -y "git-core-${GIT_VER}" && yum install -y tomcat-$VERSION\n',
    'FROM centos:7\nARG version=2.51.0-2.fc42\nRUN yum -y install git-core-$version\n',
    'FROM centos:7\nRUN yum --enablerepo epel install -y jq-1.6 && yum remove -y vim && yum groupinstall -y "Development Tools"\n',
    'RUN bash -c `# not even a yum command`\n',
  ],
  invalid: [
    { code: 'FROM centos:7\nRUN yum install -y tomcat && yum clean all\n', errors: [{ line: 2, column: 20, endLine: 2, endColumn: 26, message: /`tomcat` is installed by `yum` without a version.*`tomcat-<version>`/ }] },
    { code: 'FROM centos:7\nRUN yum module install -y tomcat && yum clean all\n', errors: [{ line: 2, column: 27, endLine: 2, endColumn: 33, message: /`tomcat:<stream>`/ }] },
    {
      code: 'FROM centos:7\nRUN yum install -y \\\n  # web\n  httpd-2.4.6 \\\n  mod_ssl\n',
      errors: [{ line: 5, column: 3, endLine: 5, endColumn: 10 }],
    },
    { code: 'FROM centos:7\nENV PKGS="git-core wget-1.14"\nRUN yum install -y $PKGS\n', errors: [{ line: 3, column: 20, endLine: 3, endColumn: 25, message: /^`\$PKGS` \(`git-core`\)/ }] },
    { code: 'FROM centos:7\nRUN ["yum", "install", "-y", "httpd"]\n', errors: [{ line: 2, column: 30, endLine: 2, endColumn: 37 }] },
    { code: 'FROM centos:7\nONBUILD RUN yum install -y httpd\n', errors: [{ line: 2, column: 28, endLine: 2, endColumn: 33 }] },
    { code: 'FROM centos:7\nRUN <<EOF\nsudo yum --enablerepo epel install -y jq\nEOF\n', errors: [{ line: 3, column: 39, endLine: 3, endColumn: 41 }] },
  ],
});
