import { ruleTable } from './harness';

const OLD = 'sha256:2ec5a4a5c3e919570f57675471f081d6299668d909feabd8d4803c6c61af666c';
const NOW = 'sha256:00b67d4105ee0be729f45fe25a13c0704c9b01851a29cf7a7602a39fbe32860e';

ruleTable('base-image-digest-stale', {
  valid: [
    // No registry asked: nothing is known, nothing is said.
    `FROM python:3.12-slim@${OLD}\n`,
    { code: `FROM python:3.12-slim@${NOW}\n`, registryDigests: { 'python:3.12-slim': NOW } },
    // Pinned without a tag: there is no tag to compare with.
    { code: `FROM python@${OLD}\n`, registryDigests: { 'python:latest': NOW } },
    // Not pinned: base-image-digest's business.
    { code: 'FROM python:3.12-slim\n', registryDigests: { 'python:3.12-slim': NOW } },
    { code: `FROM python:3.12-slim@${OLD} AS b\nFROM b\n`, registryDigests: { 'python:3.12-slim': OLD } },
  ],
  invalid: [
    {
      code: `FROM python:3.12-slim@${OLD}\nCMD ["python"]\n`,
      registryDigests: { 'python:3.12-slim': NOW },
      errors: [{ line: 1, column: 6, message: /`python:3\.12-slim` now points to sha256:00b67d4105ee…, not to the pinned sha256:2ec5a4a5c3e9…/ }],
      output: `FROM python:3.12-slim@${NOW}\nCMD ["python"]\n`,
    },
    {
      code: `FROM --platform=linux/arm64 docker.io/library/alpine:3.20@${OLD} AS base\n`,
      registryDigests: { 'alpine:3.20': NOW },
      errors: [{ line: 1 }],
      output: `FROM --platform=linux/arm64 docker.io/library/alpine:3.20@${NOW} AS base\n`,
    },
    // Through an ARG: said, with no fix (the ARG's default would need the edit).
    { code: `ARG BASE=alpine:3.20@${OLD}\nFROM \${BASE}\n`, registryDigests: { 'alpine:3.20': NOW }, errors: [{ line: 2 }] },
  ],
});
