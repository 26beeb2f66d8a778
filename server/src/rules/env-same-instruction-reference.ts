import { allVariableReferences, keyValues } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'env-same-instruction-reference',
    severity: 'warning',
    category: 'maintainability',
    description: 'An ENV value refers to a variable defined in the same ENV instruction: it gets the old value.',
    docs: {
      why:
        'All values of one ENV instruction are expanded with the environment as it was before that instruction. In `ENV DIR=/opt/app BIN=$DIR/bin`, ' +
        '`$DIR` is not `/opt/app` but whatever DIR was before (usually empty), so BIN becomes `/bin` and the image config carries the wrong value. ' +
        'Define the variable in an earlier ENV. Referring to a variable in its own value (`PATH=/x:$PATH`) is fine and not reported.',
      bad: 'FROM debian:bookworm\nENV APP_HOME=/opt/app APP_BIN=$APP_HOME/bin',
      good: 'FROM debian:bookworm\nENV APP_HOME=/opt/app\nENV APP_BIN=$APP_HOME/bin',
    },
    aliases: { hadolint: ['DL3044'] },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      if (inst.keyword !== 'ENV') continue;
      const pairs = keyValues(inst, ctx.model.escape);
      if (pairs.length < 2) continue;
      // Each value is read once and each reference looked up by name: the work stays linear in the words of the instruction.
      const definedHere = new Map<string, number[]>();
      for (const [i, p] of pairs.entries()) {
        // Defined before this ENV (an ARG, an earlier ENV, a parent stage): the reference has a value, as hadolint allows.
        if (!p.key || inst.scope.has(p.key)) continue;
        definedHere.set(p.key, [...(definedHere.get(p.key) ?? []), i].slice(0, 2));
      }
      if (!definedHere.size) continue;
      for (const [j, q] of pairs.entries()) {
        if (q.value === undefined) continue;
        for (const ref of allVariableReferences(q.value, ctx.model.escape)) {
          const owner = definedHere.get(ref.name)?.find((i) => i !== j);
          if (owner === undefined) continue;
          const start = q.valueStart + ref.start;
          const [s, e] = inst.argsText.docSpan(start, q.valueStart + ref.end);
          ctx.report({
            range: ctx.model.range(s, e),
            message: `${q.value.slice(ref.start, ref.end)} is the value ${ref.name} had before this ENV (often unset), not the one this ENV sets: ${q.key} is computed from the old value. Set ${ref.name} in an earlier ENV.`,
          });
        }
      }
    }
  },
);
