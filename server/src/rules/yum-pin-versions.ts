import { rpmChecks, YUM } from './lib/os-packages';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'yum-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Packages in `yum install` should be pinned to a version (`pkg-1.2.3`).',
    docs: {
      why:
        'Docker caches a RUN layer by its text, not by what it downloaded: `yum install -y httpd` keeps the version of the day the layer ' +
        'was built while the cache lives, and installs another one when the cache is lost (a new CI runner, `--no-cache`, an earlier ' +
        'change). `httpd-2.4.6` makes builds repeatable, and a version bump changes the instruction, which rebuilds exactly that layer. ' +
        'Repositories drop old versions, so pins need maintenance; the rule is `info`. A version that comes from an ARG or ENV ' +
        '(`httpd-${HTTPD_VERSION}`) counts as pinned.',
      bad: 'FROM centos:7\nRUN yum install -y httpd && yum clean all',
      good: 'FROM centos:7\nRUN yum install -y httpd-2.4.6 && yum clean all',
    },
    aliases: { hadolint: ['DL3033'] },
    differences: [
      {
        case: 'DL3033-2-bad.Dockerfile',
        reason:
          '`git-core-${version}` pins through a variable that this stage does not declare; its value could still come from the base ' +
          "image's ENV, so Layerwise does not guess that the package is unpinned.",
      },
    ],
  },
  rpmChecks.pinVersions(YUM),
);
