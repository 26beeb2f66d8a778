import { copyArgs, isArchiveName, isHeredocWord, isRemoteSource, target } from './lib/instruction-words';
import { defineRule } from './rule';

/** Flags only ADD has: with them, ADD is not a plain copy. */
const ADD_ONLY_FLAGS = ['checksum', 'keep-git-dir', 'unpack'];

export default defineRule(
  {
    id: 'add-instead-of-copy',
    severity: 'warning',
    category: 'maintainability',
    description: 'Use COPY for local files and folders; ADD is for URLs, Git repositories and tar archives to unpack.',
    docs: {
      why:
        'ADD does more than copy: it downloads URLs, clones Git repositories, and unpacks any local tar archive it is given, judged by the file\'s content. ' +
        'For a plain file or folder it does the same as COPY, but a reader cannot tell which behaviour is intended, and if the source ever becomes a tarball ' +
        '(a renamed build artifact, a vendored dependency) ADD silently unpacks it into the layer instead of copying it. COPY says "copy exactly this".',
      bad: 'FROM nginx:1.27\nADD site/ /usr/share/nginx/html/',
      good: 'FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/',
    },
    fix: 'safe',
    aliases: { hadolint: ['DL3020'], trivy: 'DS005' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const t = target(inst);
      if (t.keyword !== 'ADD') continue;
      const { sources, dest } = copyArgs(t);
      if (!dest || !sources.length || sources.some(isHeredocWord)) continue;
      const values: string[] = [];
      for (const s of sources) {
        const expanded = t.scope.expand(s.text, ctx.model.escape);
        if (!expanded.certain) break; // a variable might hold a URL: do not guess
        values.push(expanded.text);
      }
      if (values.length < sources.length) continue;
      const local = values.filter((v) => !isRemoteSource(v) && !isArchiveName(v));
      if (!local.length) continue;
      const keyword = ctx.model.text.slice(ctx.model.offsetAt(t.keywordRange.start), ctx.model.offsetAt(t.keywordRange.end));
      const plainCopy = local.length === values.length && !t.flags.some((f) => ADD_ONLY_FLAGS.includes(f.name.toLowerCase()));
      ctx.report({
        range: t.keywordRange,
        message: `ADD of local ${local.map((v) => `"${v}"`).join(', ')}: ADD also unpacks tar archives and fetches URLs, so a reader cannot tell what is meant and a source that becomes a tarball gets unpacked. Use COPY.`,
        fixes: plainCopy ? [{ title: 'Replace ADD with COPY', safe: true, edits: [{ range: t.keywordRange, newText: keyword === keyword.toLowerCase() ? 'copy' : 'COPY' }] }] : undefined,
      });
    }
  },
);
