import { declarations } from '../model/model';
import { defineRule } from './rule';

const PRAGMA = /^(?:hadolint|layerwise)\b|^check\s*=|^(?:syntax|escape)\s*=/i;

export default defineRule(
  {
    id: 'invalid-definition-description',
    severity: 'off',
    category: 'style',
    description: 'A comment right above `FROM ... AS name` or `ARG name` should start with that name (it becomes its description).',
    docs: {
      why:
        '`docker build --call=outline` and `--call=targets` list build arguments and stages with a description, taken from the comment ' +
        'right above the ARG or FROM when it starts with the name (`# VERSION is the release to package`). ' +
        'Any other comment in that place is shown as nothing, which is usually not what the author meant: start it with the name, ' +
        'or put an empty line between the comment and the instruction. This mirrors an experimental BuildKit check, so it is off by default.',
      bad: '# a non-descriptive comment\nFROM scratch AS base\n\n# another non-descriptive comment\nARG VERSION=1',
      good: '# base is a stage for compiling source\nFROM scratch AS base\n# VERSION This is the version number.\nARG VERSION=1',
    },
    fix: 'safe',
    aliases: { buildkit: 'InvalidDefinitionDescription' },
  },
  (ctx) => {
    const lines = ctx.model.lines;
    // Parser directives at the top of the file are not comments for BuildKit.
    let directivesEnd = 0;
    while (directivesEnd < lines.length && /^#\s*(?:syntax|escape|check)\s*=/i.test(lines[directivesEnd]!)) directivesEnd++;
    for (const inst of ctx.model.instructions) {
      let keys: string[];
      let what: string;
      if (inst.keyword === 'FROM' && inst.stage.name) {
        keys = [inst.stage.name.toLowerCase()];
        what = `stage \`${keys[0]}\``;
      } else if (inst.keyword === 'ARG') {
        keys = declarations(inst).map(([name]) => name);
        what = keys.length > 1 ? 'these build arguments' : `build argument \`${keys[0]}\``;
      } else continue;
      if (!keys.length) continue;
      const above = inst.range.start.line - 1;
      if (above < directivesEnd) continue;
      const line = lines[above]!;
      const m = /^(\s*)#(.*)$/.exec(line);
      if (!m) continue;
      const comment = m[2]!.trim();
      if (!comment || PRAGMA.test(comment)) continue;
      if (keys.includes(comment.split(' ')[0]!)) continue;
      const example = keys.length > 1 ? '<name>' : keys[0]!;
      const start = ctx.model.offsetAt({ line: above, character: m[1]!.length });
      const end = ctx.model.offsetAt({ line: above, character: line.length });
      const eol = ctx.model.offsetAt({ line: inst.range.start.line, character: 0 });
      ctx.report({
        range: ctx.model.range(start, end),
        message: `This comment becomes the description of ${what} in \`docker build --call=outline\`, but it does not start with the name: write \`# ${example} <description>\`, or put an empty line between the comment and the ${inst.keyword}.`,
        fixes: [{ title: 'Separate the comment with an empty line', safe: true, edits: [{ range: ctx.model.range(eol, eol), newText: ctx.model.text.includes('\r\n') ? '\r\n' : '\n' }] }],
      });
    }
  },
);
