import { argRange, argWords, target } from './lib/instruction-words';
import { defineRule } from './rule';

export default defineRule(
  {
    id: 'expose-port-out-of-range',
    severity: 'error',
    category: 'syntax',
    description: 'EXPOSE ports must be between 0 and 65535.',
    docs: {
      why:
        'TCP and UDP port numbers are 16-bit: 65535 is the highest. EXPOSE records the port in the image config, and BuildKit parses it as a port number, ' +
        'so `EXPOSE 80000` makes `docker build` fail with "invalid containerPort". A port range must stay within the same limits.',
      bad: 'FROM nginx:1.27\nEXPOSE 80800',
      good: 'FROM nginx:1.27\nEXPOSE 8080',
    },
    aliases: { hadolint: ['DL3011'], trivy: 'DS008' },
  },
  (ctx) => {
    for (const inst of ctx.model.instructions) {
      const t = target(inst);
      if (t.keyword !== 'EXPOSE') continue;
      for (const w of argWords(t)) {
        const expanded = t.scope.expand(w.text, ctx.model.escape);
        if (!expanded.certain) continue;
        // `[ip:][hostPort:]containerPort[-end][/proto]`: the container port(s) are the last part.
        const m = /(?:^|:)(\d+)(?:-(\d+))?(?:\/\w+)?$/.exec(expanded.text);
        if (!m) continue;
        const high = [m[1]!, m[2]].filter((p): p is string => p !== undefined).find((p) => Number(p) > 65535);
        if (!high) continue;
        ctx.report({ range: argRange(ctx.model, t, w), message: `Port ${high} is out of range (0–65535): docker build fails with "invalid containerPort".` });
      }
    }
  },
);
