import { declaredKeys, mappedRange, withTriggers } from './lib/buildkit-checks';
import { defineRule } from './rule';

// BuildKit's heuristic: a secret-like word as a whole `_`-separated part of the name, unless an allowed word is too.
const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
// BuildKit allows public, file and version; GPG/PGP key ids are public fingerprints, and paths or URLs say where a secret is, not what it is.
const ALLOWED = /(?:_|^)(?:public|file|version|gpg|pgp|fingerprint|path|dir|url|uri|endpoint|host)(?:_|$)/i;
const SETTING = /^(?:true|false|yes|no|on|off|0|1)$/i;

function looksSecret(name: string): boolean {
  return SECRET.test(name) && !ALLOWED.test(name);
}

export default defineRule(
  {
    id: 'secrets-used-in-arg-or-env',
    severity: 'warning',
    category: 'security',
    description: 'Secrets must not be passed with ARG or ENV.',
    docs: {
      why:
        'An ENV value is stored in the image config: anyone who can pull the image reads it with `docker inspect`. ' +
        'An ARG value is recorded in the image history (`docker history`) of every RUN that sees it, and in the build cache. ' +
        'Pass secrets with a secret mount instead, which exists only while that RUN runs and never reaches a layer: ' +
        '`RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci`, built with `docker build --secret id=npm_token,env=NPM_TOKEN`. ' +
        'Names are matched like BuildKit does: a part such as `token`, `secret`, `password`, `key` or `auth` between underscores, unless a part is `public`, `file` or `version`. ' +
        'Unlike BuildKit, names with a `gpg`, `pgp`, `fingerprint`, `path`, `dir`, `url`, `uri`, `endpoint` or `host` part (public key ids, locations), ' +
        'boolean values (`USE_AUTH=true`) and an ENV with an empty value are not reported.',
      bad: 'FROM node:20\nARG NPM_TOKEN\nRUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci',
      good: 'FROM node:20\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\\n    echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc',
    },
    aliases: { hadolint: ['DL3064'], buildkit: 'SecretsUsedInArgOrEnv' },
  },
  (ctx) => {
    for (const inst of withTriggers(ctx.model)) {
      if (inst.keyword !== 'ARG' && inst.keyword !== 'ENV') continue;
      for (const key of declaredKeys(inst, ctx.model.escape)) {
        if (!looksSecret(key.name)) continue;
        // A boolean is a setting, and an empty ENV only documents a variable to pass at run time: neither stores a secret.
        const value = key.value?.replace(/^(["'])(.*)\1$/, '$2');
        if (value !== undefined && (SETTING.test(value) || (inst.keyword === 'ENV' && value === ''))) continue;
        const where = inst.keyword === 'ENV' ? 'its value is stored in the image config, readable with `docker inspect`' : 'its value is recorded in the image history of every RUN that uses it';
        ctx.report({
          range: mappedRange(ctx.model, inst.argsText, key.start, key.end),
          message: `${inst.keyword} \`${key.name}\` looks like a secret: ${where}. Use a secret mount (\`RUN --mount=type=secret,id=...,env=${key.name}\`) instead.`,
        });
      }
    }
  },
);
