import type { Range } from 'vscode-languageserver-types';
import { declarations } from '../model/model';
import { PLATFORM_ARGS } from '../model/variables';
import { subRange, suggest, varRefs } from './lib/buildkit-checks';
import { defineRule } from './rule';

/** ARGs BuildKit defines for FROM without a declaration. */
const AUTOMATIC = [...PLATFORM_ARGS, 'BUILDOSVERSION', 'TARGETOSVERSION', 'TARGETSTAGE'];

export default defineRule(
  {
    id: 'undefined-arg-in-from',
    severity: 'warning',
    category: 'maintainability',
    description: 'Variables in FROM must be global ARGs declared before the first FROM (or the automatic platform ARGs).',
    docs: {
      why:
        'FROM only sees ARGs declared before the first FROM, plus the automatic platform ARGs (`BUILDPLATFORM`, `TARGETARCH`, ...). ' +
        'Any other variable expands to an empty string, and `--build-arg` cannot set it either, because build args only fill declared ARGs: ' +
        '`FROM node:22${VARIANT}` always pulls `node:22`. Declare it with `ARG VARIANT=...` at the top of the file.',
      bad: 'FROM node:22${VARIANT} AS jsbuilder',
      good: 'ARG VARIANT="-alpine3.20"\nFROM node:22${VARIANT} AS jsbuilder',
    },
    aliases: { buildkit: 'UndefinedArgInFrom' },
  },
  (ctx) => {
    const model = ctx.model;
    const declared = new Set<string>(AUTOMATIC);
    for (const inst of model.globalArgs) for (const [name] of declarations(inst)) declared.add(name);
    const check = (raw: string, range: Range, what: string): void => {
      const exact = model.text.slice(model.offsetAt(range.start), model.offsetAt(range.end)) === raw;
      for (const ref of varRefs(raw, model.escape)) {
        if (declared.has(ref.name)) continue;
        const hint = suggest(ref.name, declared);
        const effect = ref.modifier.includes('-') ? 'it always takes the default written here' : 'it expands to an empty string';
        ctx.report({
          range: exact ? subRange(model, range, ref.start, ref.end) : range,
          message:
            `\`${ref.name}\` in ${what} is not a global ARG${hint ? ` (did you mean \`${hint}\`?)` : ''}: ${effect}, and \`--build-arg ${ref.name}=...\` cannot change it. ` +
            `Declare \`ARG ${ref.name}\` before the first FROM.`,
        });
      }
    };
    for (const stage of model.stages) {
      if (!stage.from || !stage.base) continue;
      check(stage.base.raw, stage.base.range, 'the image name');
      const platform = stage.from.flags.find((f) => f.name === 'platform');
      if (platform?.value && platform.valueRange) check(platform.value, platform.valueRange, '`--platform`');
    }
  },
);
