import { rpmChecks, YUM } from './lib/os-packages';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'yum-missing-yes',
    severity: 'warning',
    category: 'package-manager',
    description: '`yum install` (and update, remove, ...) needs `-y`: `docker build` cannot answer its prompt.',
    docs: {
      why:
        'Before changing packages yum asks "Is this ok [y/N]". A RUN has no terminal and an empty standard input, so yum reads no ' +
        'answer, aborts the transaction ("Exiting on user command") and the build fails. `-y` (`--assumeyes`) answers yes.',
      bad: 'FROM centos:7\nRUN yum install httpd && yum clean all',
      good: 'FROM centos:7\nRUN yum install -y httpd && yum clean all',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3030'] },
  },
  rpmChecks.missingYes(YUM),
);
