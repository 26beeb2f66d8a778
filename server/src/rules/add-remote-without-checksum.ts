import type { Inst } from '../model/model';
import type { ShellCommand } from '../model/shell';
import { hasOption, subcommand } from './lib/commands';
import { argWords } from './lib/build-context';
import { defineRule } from './rule';

/** Plain downloads; Git sources (`repo.git#ref`, `repo.git?ref=`) are pinned with a commit in the URL instead. */
const HTTP_URL = /^https?:\/\//i;
const GIT_URL = /\.git(?:[?#]|$)|#/i;

/** `sha256sum -c`, `gpg --verify`, `cosign verify-blob`, ...: the download is checked after the fact. */
function verifies(cmd: ShellCommand): boolean {
  if (/^(sha(1|224|256|384|512)sum|md5sum|b2sum|shasum)$/.test(cmd.name)) return hasOption(cmd, '-c', '--check');
  if (cmd.name === 'gpg' || cmd.name === 'gpg2') return hasOption(cmd, '--verify');
  if (cmd.name === 'gpgv' || cmd.name === 'minisign' || cmd.name === 'signify') return true;
  if (cmd.name === 'cosign') return subcommand(cmd)?.startsWith('verify') ?? false;
  return false;
}

function verifiedLater(inst: Inst): boolean {
  return inst.stage.instructions.some((i) => i.index > inst.index && (i.run?.commands.some(verifies) ?? false));
}

export default defineRule(
  {
    id: 'add-remote-without-checksum',
    severity: 'info',
    category: 'security',
    description: '`ADD https://…` should verify the download with `--checksum=sha256:…`.',
    docs: {
      why:
        '`ADD <url>` downloads the file at build time and writes whatever the server returns into the layer. If the file changes ' +
        '(a re-tagged release, a compromised mirror, an error page), the image changes silently and the build still succeeds. ' +
        '`ADD --checksum=sha256:<hash> <url>` (Dockerfile syntax 1.6 and later) makes BuildKit verify the download and fail the build ' +
        'on a mismatch, and the checksum also tells BuildKit the cache key up front. ' +
        'Git sources (`ADD https://github.com/o/r.git#<ref>`) are pinned with a commit in the URL instead and are not reported, ' +
        'and neither are downloads that a later RUN of the stage checks (`sha256sum -c`, `gpg --verify`, `cosign verify-blob`).',
      bad: 'FROM alpine:3.20\nADD https://example.com/releases/tool-1.4.2-linux-amd64 /usr/local/bin/tool',
      good:
        '# syntax=docker/dockerfile:1.7\nFROM alpine:3.20\n' +
        '# sha256sum of the published tool-1.4.2-linux-amd64\n' +
        'ADD --checksum=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 ' +
        'https://example.com/releases/tool-1.4.2-linux-amd64 /usr/local/bin/tool',
    },
    aliases: {},
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword !== 'ADD' || target.flags.some((f) => f.name === 'checksum')) continue;
      // A later RUN that checks a hash or signature already guards the download.
      if (!target.inOnbuild && verifiedLater(target)) continue;
      const words = argWords(target);
      for (const w of words.slice(0, -1)) {
        const url = w.text.replace(/^(["'])(.*)\1$/, '$2');
        if (!HTTP_URL.test(url) || GIT_URL.test(url)) continue;
        const [s, e] = target.argsText.docSpan(w.start, w.end);
        ctx.report({
          range: ctx.model.range(s, e),
          message: `ADD downloads \`${url}\` without \`--checksum\`: whatever the server returns goes into the layer unverified. Add \`--checksum=sha256:<hash>\` so the build fails if the file changes.`,
        });
      }
    }
  },
);
