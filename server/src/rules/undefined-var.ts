import type { Range } from 'vscode-languageserver-types';
import type { Inst } from '../model/model';
import { PLATFORM_ARGS } from '../model/variables';
import { declaredKeys, handlesUnset, inheritedVars, mappedRange, subRange, suggest, varRefs, type VarRef } from './lib/buildkit-checks';
import { defineRule } from './rule';

/** Instructions whose arguments BuildKit expands itself (RUN, CMD and ENTRYPOINT are left to the shell). */
const EXPANDED = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ARG']);
const EXPANDED_FLAGS = new Set(['chown', 'chmod', 'checksum']);

interface Use {
  ref: VarRef;
  range: Range;
  /** Names not to report: declared earlier in the same ARG, or by another key of the same ENV. */
  before?: (name: string) => boolean;
  heredoc?: string;
}

export default defineRule(
  {
    id: 'undefined-var',
    severity: 'warning',
    category: 'maintainability',
    description: 'Variables that BuildKit expands in an instruction must be declared (ARG or ENV) before it.',
    docs: {
      why:
        'In COPY, ADD, ENV, ARG, LABEL, WORKDIR, USER, VOLUME, EXPOSE and STOPSIGNAL the builder itself replaces `$name` with the value of an ARG or ENV ' +
        'declared earlier in the stage (or by the base image). An undeclared variable silently becomes an empty string: `COPY $foo .` copies the whole ' +
        'context, `ENV PATH=$PAHT:/app/bin` loses the system PATH. Global ARGs (before the first FROM) must be declared again inside the stage. ' +
        'Variables of the base image count as declared; since only a few official images (alpine, debian, ubuntu, busybox, python, node, golang) are known here, ' +
        'other bases are only checked for variables used before the line that declares them. RUN, CMD and ENTRYPOINT are expanded by the shell and not checked; ' +
        '`${name:-default}` and `${name:+alt}` handle the unset case on purpose and are not reported.',
      bad: 'FROM alpine AS base\nCOPY $foo .',
      good: 'FROM alpine AS base\nARG foo\nCOPY $foo .',
    },
    aliases: { buildkit: 'UndefinedVar' },
  },
  (ctx) => {
    const model = ctx.model;
    const globals = new Set<string>([...PLATFORM_ARGS, ...model.globalArgs.flatMap((i) => declaredKeys(i).map((k) => k.name))]);
    for (const stage of model.stages) {
      if (!stage.from) continue;
      const inherited = inheritedVars(stage);
      const declaredAt = new Map<string, number>();
      for (const inst of stage.instructions) {
        if (inst.keyword !== 'ARG' && inst.keyword !== 'ENV') continue;
        for (const k of declaredKeys(inst, model.escape)) if (!declaredAt.has(k.name)) declaredAt.set(k.name, inst.range.start.line);
      }
      for (const inst of stage.instructions) {
        if (!EXPANDED.has(inst.keyword)) continue;
        for (const use of uses(inst)) {
          const name = use.ref.name;
          // BuildKit always sets PATH, whatever the base image.
          if (name === 'PATH' || handlesUnset(use.ref) || inst.scope.has(name) || inherited?.has(name) || use.before?.(name)) continue;
          const later = declaredAt.get(name);
          const declaredLater = later !== undefined && later > inst.range.start.line;
          const self = later === inst.range.start.line;
          // The config of an unknown base image may set it: only a use before its own declaration is certain.
          if (!inherited && !declaredLater) continue;
          let reason: string;
          if (declaredLater) reason = `it is declared on line ${later + 1}, after this use`;
          else if (globals.has(name)) reason = `a global ARG must be declared again inside the stage (\`ARG ${name}\`) to be used here`;
          else if (self) reason = `this ${inst.keyword} declares it, but the value is read before the instruction runs`;
          else {
            const hint = suggest(name, ['PATH', ...inst.scope.names(), ...(inherited ?? [])]);
            reason = hint ? `did you mean \`$${hint}\`?` : 'declare it with ARG or ENV before this line';
          }
          const where = use.heredoc ? ` in the here-document (quote its delimiter, \`<<'${use.heredoc}'\`, to keep \`$\` literal)` : '';
          ctx.report({
            range: use.range,
            message: `\`$${name}\` is not defined here, so BuildKit replaces it with an empty string${where}: ${reason}.`,
          });
        }
      }
    }

    function uses(inst: Inst): Use[] {
      const out: Use[] = [];
      const escape = model.escape;
      const text = inst.argsText.text;
      if (inst.keyword === 'ARG' || inst.keyword === 'ENV') {
        const keys = declaredKeys(inst, escape);
        // Per name: where it is first declared in this instruction and how often (lookups, not a set per key: linear in the keys).
        const firstAt = new Map<string, number>();
        const count = new Map<string, number>();
        keys.forEach((k, i) => {
          if (!firstAt.has(k.name)) firstAt.set(k.name, i);
          count.set(k.name, (count.get(k.name) ?? 0) + 1);
        });
        keys.forEach((k, i) => {
          if (k.value === undefined) return;
          // ARG assigns one name after the other; ENV expands all values first. A reference to another key
          // of the same ENV is env-same-instruction-reference's finding (DL3044), not reported twice.
          const skip =
            inst.keyword === 'ARG'
              ? (name: string): boolean => (firstAt.get(name) ?? i) < i
              : (name: string): boolean => (count.get(name) ?? 0) - (name === k.name ? 1 : 0) > 0;
          for (const ref of varRefs(k.value, escape)) {
            out.push({ ref, range: mappedRange(model, inst.argsText, k.valueStart + ref.start, k.valueStart + ref.end), before: skip });
          }
        });
        return out;
      }
      for (const ref of varRefs(text, escape)) out.push({ ref, range: mappedRange(model, inst.argsText, ref.start, ref.end) });
      if (inst.keyword === 'COPY' || inst.keyword === 'ADD') {
        for (const f of inst.flags) {
          if (!EXPANDED_FLAGS.has(f.name) || !f.value || !f.valueRange) continue;
          for (const ref of varRefs(f.value, escape)) out.push({ ref, range: subRange(model, f.valueRange, ref.start, ref.end) });
        }
        for (const h of inst.heredocs) {
          if (h.quoted) continue;
          // Here-documents are expanded with `\` as the escape and without quote processing.
          for (const ref of varRefs(h.body.text, '\\', true)) out.push({ ref, range: mappedRange(model, h.body, ref.start, ref.end), heredoc: h.name });
        }
      }
      return out;
    }
  },
);
