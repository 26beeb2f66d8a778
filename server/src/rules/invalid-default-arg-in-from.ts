import { declarations } from '../model/model';
import { VarScope } from '../model/variables';
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

/** Modifiers VarScope does not evaluate; BuildKit abandons the check on the error some of them raise. */
const UNSUPPORTED = new Set(['?', ':?', '#', '%', '/']);

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
    const scope = new VarScope();
    for (const [name, value] of Object.entries(PLATFORM_DEFAULTS)) scope.set(name, { kind: 'predefined', value });
    const withoutDefault = new Set<string>();
    for (const inst of ctx.model.globalArgs) {
      for (const [name, value] of declarations(inst)) {
        // An ARG without a default is not set at all (a platform ARG keeps its automatic value).
        if (value === undefined) {
          if (!Object.hasOwn(PLATFORM_DEFAULTS, name) && !scope.has(name)) withoutDefault.add(name);
          continue;
        }
        if (varRefs(value, ctx.model.escape).some((r) => UNSUPPORTED.has(r.modifier))) return;
        const text = scope.expand(value, ctx.model.escape).text;
        scope.set(name, { kind: 'arg', value: text });
        if (text === '') withoutDefault.add(name);
        else withoutDefault.delete(name);
      }
    }
    for (const stage of ctx.model.stages) {
      const base = stage.base;
      if (!stage.from || !base || !base.raw.includes('$')) continue;
      const refs = varRefs(base.raw, ctx.model.escape);
      if (!refs.length || refs.some((r) => UNSUPPORTED.has(r.modifier))) continue;
      // BuildKit's lexer drops double quotes (`alpine:"${TAG}"`); single quotes stop expansion, which is not worth guessing about.
      if (base.raw.includes("'")) continue;
      const image = scope.expand(base.raw, ctx.model.escape).text.replace(/"/g, '');
      if (isValidImageReference(image)) continue;
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
