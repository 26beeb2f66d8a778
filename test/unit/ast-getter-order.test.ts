import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModifiableInstruction } from 'dockerfile-ast';
import { parseDockerfile } from '../../server/src/engine/parse';

/** The getters are memoized (engine/parse.ts): their answers must not depend on which one is asked first. */
describe('memoized dockerfile-ast getters in any order', () => {
  const cases: { text: string; flags: string[]; args: string[] }[] = [
    { text: 'HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/', flags: ['interval', 'retries'], args: ['CMD', 'curl', '-f', 'http://x/'] },
    { text: 'COPY --from=build --chmod=755 /x /y', flags: ['from', 'chmod'], args: ['/x', '/y'] },
    { text: 'RUN --mount=type=cache,target=/root/.cache pip install a', flags: ['mount'], args: ['pip', 'install', 'a'] },
  ];
  for (const c of cases) {
    for (const first of ['getFlags', 'getArguments', 'getHeredocs'] as const) {
      it(`${c.text.split(' ')[0]}: ${first} first`, () => {
        // A text of its own per case and order: a shared parse would already have its answers.
        const inst = parseDockerfile(`FROM alpine\n${c.text}\n# ${first}\n`).getInstructions()[1] as unknown as ModifiableInstruction & { getHeredocs(): unknown[] };
        inst[first]();
        assert.deepEqual(inst.getFlags().map((f) => f.getName()), c.flags);
        assert.deepEqual(inst.getArguments().map((a) => a.getValue()), c.args);
      });
    }
  }
});
