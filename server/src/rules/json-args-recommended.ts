import { defineRule } from './rule';

export default defineRule(
  {
    id: 'json-args-recommended',
    severity: 'warning',
    category: 'maintainability',
    description: 'CMD and ENTRYPOINT should use the exec (JSON) form so the process gets signals as PID 1.',
    docs: {
      why:
        'In shell form, Docker runs `/bin/sh -c "<command>"`: the shell is PID 1, and `docker stop` sends SIGTERM to the shell, ' +
        'which does not pass it on. The container is killed after the 10 s grace period instead of shutting down cleanly. ' +
        'The exec form runs the program itself as PID 1. When a SHELL instruction changes the shell on purpose, the shell form is left alone.',
      bad: 'FROM node:20\nCMD node server.js',
      good: 'FROM node:20\nCMD ["node", "server.js"]',
    },
    fix: 'unsafe',
    aliases: { hadolint: ['DL3025'], buildkit: 'JSONArgsRecommended' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword !== 'CMD' && target.keyword !== 'ENTRYPOINT') continue;
      if (target.json !== undefined || !target.argsText.text.trim()) continue;
      // A SHELL instruction in this stage means the author chose the shell on purpose (BuildKit agrees).
      if (target.stage.instructions.some((i) => i.keyword === 'SHELL' && i.index < target.index)) continue;
      const [s, e] = target.argsText.docSpan(0, target.argsText.text.length);
      ctx.report({
        range: ctx.model.range(s, e),
        message: `${target.keyword} in shell form runs under /bin/sh -c, so the program is not PID 1 and does not receive SIGTERM on \`docker stop\`. Use the exec form: ${target.keyword} ["executable", "arg"].`,
      });
    }
  },
);
