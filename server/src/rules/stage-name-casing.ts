import type { TextEdit } from 'vscode-languageserver-types';
import { subRange } from './lib/buildkit-checks';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'stage-name-casing',
    severity: 'info',
    category: 'style',
    description: 'Stage names should be lowercase.',
    docs: {
      why:
        'BuildKit lowercases stage names: `FROM alpine AS BuilderBase` defines `builderbase`, and `--target BuilderBase` or `COPY --from=BUILDERBASE` ' +
        'find it only because lookups ignore case. Writing the name the way it is stored keeps `--target`, `COPY --from` and CI scripts consistent, ' +
        'and BuildKit warns about uppercase names on every build.',
      bad: 'FROM alpine AS BuilderBase\nRUN echo hi > /hi\nFROM alpine\nCOPY --from=BuilderBase /hi /hi',
      good: 'FROM alpine AS builder-base\nRUN echo hi > /hi\nFROM alpine\nCOPY --from=builder-base /hi /hi',
    },
    fix: 'safe',
    aliases: { buildkit: 'StageNameCasing' },
  },
  (ctx) => {
    const model = ctx.model;
    for (const stage of model.stages) {
      if (!stage.name || !stage.nameRange || stage.name === stage.name.toLowerCase()) continue;
      const lower = stage.name.toLowerCase();
      // Rename the references too, so the file reads the same everywhere (lookups ignore case either way).
      const edits: TextEdit[] = [{ range: stage.nameRange, newText: lower }];
      for (const other of model.stages) {
        const base = other.base;
        if (base?.stage === stage && base.raw.toLowerCase() === lower && base.raw !== lower) edits.push({ range: base.range, newText: lower });
      }
      for (const inst of model.instructions) {
        for (const f of inst.flags) {
          if (!f.value || !f.valueRange) continue;
          if (inst.keyword === 'COPY' && f.name === 'from' && f.value.toLowerCase() === lower && f.value !== lower) edits.push({ range: f.valueRange, newText: lower });
          if (inst.keyword === 'RUN' && f.name === 'mount') {
            const m = /(^|,)from=([^,]*)/i.exec(f.value);
            if (m && m[2]!.toLowerCase() === lower && m[2] !== lower) {
              const start = m.index + m[1]!.length + 'from='.length;
              const range = subRange(model, f.valueRange, start, start + m[2]!.length);
              if (range !== f.valueRange) edits.push({ range, newText: lower });
            }
          }
        }
      }
      ctx.report({
        range: stage.nameRange,
        message: `Stage name \`${stage.name}\` should be lowercase: BuildKit stores it as \`${lower}\`, and \`--target\` and \`COPY --from\` only find it because lookups ignore case.`,
        fixes: [{ title: `Rename the stage to \`${lower}\``, safe: true, edits }],
      });
    }
  },
);
