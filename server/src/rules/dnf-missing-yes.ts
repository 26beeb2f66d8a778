import { DNF, rpmChecks } from './lib/os-packages';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'dnf-missing-yes',
    severity: 'warning',
    category: 'package-manager',
    description: '`dnf`/`microdnf install` (and upgrade, remove, ...) needs `-y`: `docker build` cannot answer its prompt.',
    docs: {
      why:
        'Before changing packages dnf asks "Is this ok [y/N]" (recent microdnf and tdnf do too). A RUN has no terminal and an empty ' +
        'standard input, so the prompt reads no answer, dnf prints "Operation aborted." and the build fails. `-y` (`--assumeyes`) answers yes.',
      bad: 'FROM fedora:40\nRUN dnf install httpd && dnf clean all',
      good: 'FROM fedora:40\nRUN dnf install -y httpd && dnf clean all',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3038'] },
  },
  rpmChecks.missingYes(DNF),
);
