import { splitDeclarationWords, VarScope } from '../model/variables';
import { isValidImageReference, varRefs } from './lib/buildkit-checks';
import { defineRule } from './rule';

/** What BuildKit gives the platform ARGs when nothing is passed (any real platform will do for the check). */
const PLATFORM_DEFAULTS: Record<string, string> = {
  BUILDPLATFORM: 'linux/amd64',
  BUILDOS: 'linux',
  BUILDOSVERSION: '',
  BUILDARCH: 'amd64',
  BUILDVARIANT: '',
  TARGETPLATFORM: 'linux/amd64',
  TARGETOS: 'linux',
  TARGETOSVERSION: '',
  TARGETARCH: 'amd64',
  TARGETVARIANT: '',
};

export default defineRule(
  {
    id: 'invalid-default-arg-in-from',
    severity: 'warning',
    category: 'maintainability',
    description: 'The global ARGs used in FROM must have defaults that make a valid image name.',
    docs: {
      why:
        'A FROM that uses a global ARG is resolved before anything else. When the ARG has no default (or an empty one), ' +
        '`docker build .` without `--build-arg` turns `FROM busybox:${TAG}` into `busybox:`, which is not an image name, and the build fails ' +
        'before a single layer is built. A default makes the Dockerfile build as it is, and `--build-arg` can still override it.',
      bad: 'ARG TAG\nFROM busybox:${TAG}',
      good: 'ARG TAG=latest\nFROM busybox:${TAG}',
    },
    aliases: { buildkit: 'InvalidDefaultArgInFrom' },
  },
  (ctx) => {
    // As BuildKit's check: the global ARGs with their defaults only; any error of its lexer abandons the check.
    const scope = new VarScope();
    for (const [name, value] of Object.entries(PLATFORM_DEFAULTS)) scope.set(name, { kind: 'predefined', value });
    const withoutDefault = new Set<string>();
    for (const inst of ctx.model.globalArgs) {
      // The values as written, quotes included: the lexer takes them off (`${X:-"supported"}`).
      for (const word of splitDeclarationWords(inst.argsText.text, ctx.model.escape)) {
        const eq = word.indexOf('=');
        const name = eq < 0 ? word : word.slice(0, eq);
        const value = eq < 0 ? undefined : word.slice(eq + 1);
        // An ARG without a default is not set at all (a platform ARG keeps its automatic value).
        if (value === undefined) {
          if (!Object.hasOwn(PLATFORM_DEFAULTS, name) && !scope.has(name)) withoutDefault.add(name);
          continue;
        }
        const e = scope.expand(value, { escape: ctx.model.escape, quotes: 'remove', closed: true });
        if (e.error) return;
        scope.set(name, { kind: 'arg', value: e.text });
        if (e.text === '') withoutDefault.add(name);
        else withoutDefault.delete(name);
      }
    }
    for (const stage of ctx.model.stages) {
      const base = stage.base;
      if (!stage.from || !base || !base.raw.includes('$')) continue;
      // The lexer takes the quotes off (`alpine:"${TAG}"`) and leaves single-quoted text alone.
      const e = scope.expand(base.raw, { escape: ctx.model.escape, quotes: 'remove', closed: true });
      if (e.error) return;
      const image = e.text;
      if (isValidImageReference(image)) continue;
      const refs = varRefs(base.raw, ctx.model.escape);
      const culprits = [...new Set(refs.map((r) => r.name).filter((n) => withoutDefault.has(n)))];
      const cause = culprits.length ? ` because ${culprits.map((n) => `\`${n}\``).join(', ')} ${culprits.length > 1 ? 'have' : 'has'} no default` : '';
      const becomes = image ? `\`${image}\`, which is not a valid image name` : 'an empty image name';
      ctx.report({
        range: base.range,
        message: `Without --build-arg, \`${base.raw}\` becomes ${becomes}${cause}: \`docker build\` fails unless the value is passed. Give the ARG a default that names an image.`,
      });
    }
  },
);
