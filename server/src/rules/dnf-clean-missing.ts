import { DNF, rpmChecks } from './lib/os-packages';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'dnf-clean-missing',
    severity: 'warning',
    category: 'layers',
    description: 'Run `dnf clean all` (or `microdnf clean all`) in the same RUN as `dnf install`.',
    docs: {
      why:
        'dnf keeps the repository metadata in /var/cache/dnf (microdnf in /var/cache/yum, dnf5 in /var/cache/libdnf5): tens to hundreds ' +
        'of megabytes that the running container never reads. Layers only add, so the cache must be removed in the RUN that created it; a ' +
        '`dnf clean all` in a later RUN leaves the image as big as before. A `RUN --mount=type=cache,target=/var/cache/dnf` keeps it out ' +
        'of the layer and reuses it between builds. Only stages that end up in an image are checked.',
      bad: 'FROM fedora:40\nRUN dnf install -y httpd-2.4.62',
      good: 'FROM fedora:40\nRUN dnf install -y httpd-2.4.62 && dnf clean all',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3040'], trivy: 'DS019' },
  },
  rpmChecks.cleanMissing(DNF),
);
