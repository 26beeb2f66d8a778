import { runCommands } from './lib/commands';
import { hasWord, isDynamic, operandsOf, subcommandWord } from './lib/language-packages';
import { defineRule } from './rule';

/** `gem install` options that take a separate value. */
const GEM_VALUE = ['-v', '--version', '-i', '--install-dir', '-n', '--bindir', '-s', '--source', '-P', '--trust-policy', '--platform', '-g', '--file', '--build-root', '--document', '--target-rbconfig', '-p', '--http-proxy'];

export default defineRule(
  {
    id: 'gem-pin-versions',
    severity: 'info',
    category: 'package-manager',
    description: 'Pin the versions of gems installed with `gem install <gem>`.',
    docs: {
      why:
        '`gem install bundler` installs the newest release on the day the layer is built, and the layer is cached: your image ' +
        'keeps that version while a fresh CI build gets another, so the same Dockerfile produces images that behave differently ' +
        '(a new Bundler major has broken many builds). Pin with `gem install bundler:2.5.11` or `-v 2.5.11`; the gems of your ' +
        'app belong in a Gemfile.lock installed with `bundle install`.',
      bad: 'FROM ruby:3.3-slim\nRUN gem install bundler',
      good: 'FROM ruby:3.3-slim\nRUN gem install bundler:2.5.11',
    },
    aliases: { hadolint: ['DL3028'] },
  },
  (ctx) => {
    for (const { run, cmd } of runCommands(ctx.model)) {
      if (cmd.name !== 'gem') continue;
      const install = subcommandWord(cmd, ['install', 'i']);
      if (!install) continue;
      if (hasWord(install.rest, '-v', '--version') || install.rest.some((w) => /^-v\d/.test(w.text))) continue;
      // Words after `--` are build options of native extensions, not gems.
      for (const w of operandsOf(install.rest, GEM_VALUE)) {
        if (isDynamic(w) || w.text.includes(':') || /\.gem$/.test(w.text) || w.text.includes('/')) continue;
        ctx.report({
          range: ctx.model.wordRange(run, w),
          message: `Gem \`${w.text}\` is not pinned: each fresh build may install a different version than the cached layer. Use \`${w.text}:<version>\` or \`-v <version>\`.`,
        });
      }
    }
  },
);
