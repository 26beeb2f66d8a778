import { rpmChecks, YUM } from './lib/os-packages';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'yum-clean-missing',
    severity: 'warning',
    category: 'layers',
    description: 'Run `yum clean all` in the same RUN as `yum install`.',
    docs: {
      why:
        'yum keeps the repository metadata (and, depending on `keepcache`, the downloaded packages) in /var/cache/yum: tens to hundreds ' +
        'of megabytes that the running container never reads. Layers only add, so the cache must be removed in the RUN that created it; a ' +
        '`yum clean all` in a later RUN leaves the image as big as before. A `RUN --mount=type=cache,target=/var/cache/yum` keeps it ' +
        'out of the layer and reuses it between builds. Only stages that end up in an image are checked.',
      bad: 'FROM centos:7\nRUN yum install -y httpd-2.4.6',
      good: 'FROM centos:7\nRUN yum install -y httpd-2.4.6 && yum clean all',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3032'], trivy: 'DS015' },
  },
  rpmChecks.cleanMissing(YUM),
);
