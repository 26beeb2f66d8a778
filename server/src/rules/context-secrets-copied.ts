import { contextSources, isDir, nameList, shipsLayers, sourceMatches, walkCopied } from './lib/build-context';
import { ignoreFix, ignorePattern, isSecretFile as isSecret } from './lib/fix-helpers';
import { defineRule } from './rule';

/** A made-up token for the docs example, assembled at run time so secret scanners of the bundle do not flag it. */
const EXAMPLE_TOKEN = ['npm', 'abcdefghijklmnopqrstuvwxyz0123456789'].join('_');

export default defineRule(
  {
    id: 'context-secrets-copied',
    severity: 'warning',
    category: 'security',
    description: 'A COPY or ADD of a folder puts credential files from the build context (.env, private keys, tokens) into the image.',
    docs: {
      why:
        '`COPY . .` copies every file of the folder that .dockerignore does not exclude, secrets included: `.env`, private keys, ' +
        '`.npmrc` with a token, `.aws/credentials`. Each layer is a tar archive that anyone who can pull the image can unpack, ' +
        'and a later `RUN rm .env` only hides the file in a new layer: it stays in the one COPY created. ' +
        'Exclude these files in .dockerignore, and give a build step that needs a credential a secret mount ' +
        '(`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`), which is never written to a layer. ' +
        'Builder stages that the final image only copies files from are not reported. ' +
        'This rule needs the build context on disk, so it says nothing for unsaved files.\n\n' +
        'The quick fix adds exactly the files found to the ignore file in effect (`<Dockerfile>.dockerignore` beside the Dockerfile, else ' +
        '`.dockerignore`, which it creates if there is none), at its end and with its line endings. It is not applied by fix-all: an ' +
        'application that reads its `.env` from the image would start without it.',
      bad: '# context: package.json, src/, .env, .npmrc (with an auth token); .dockerignore lists only node_modules\nFROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci',
      good: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\nCOPY src/ ./src/',
      context: { files: { 'package.json': '{}', 'package-lock.json': '{}', 'src/index.js': '', '.env': 'DB_PASSWORD=hunter2', '.npmrc': `//registry.npmjs.org/:_authToken=${EXAMPLE_TOKEN}` }, dockerignore: 'node_modules\n' },
    },
    fix: 'unsafe',
    aliases: {},
  },
  (ctx) => {
    const bc = ctx.buildContext;
    if (!bc) return;
    for (const source of contextSources(ctx.model)) {
      if (!shipsLayers(ctx.model, source.inst.stage)) continue;
      const found = new Set<string>();
      for (const match of sourceMatches(bc, source.path)) {
        // A file named on purpose (`COPY server.key …`, `COPY *.pem …`) is a decision; folders and a bare `*` copy whatever is there.
        if (match === '' || isDir(bc, match)) {
          for (const f of walkCopied(bc, match).files) if (isSecret(bc, f)) found.add(f);
        } else if (/(^|\/)\*$/.test(source.path) && isSecret(bc, match)) found.add(match);
      }
      const secrets = [...found].sort();
      if (!secrets.length) continue;
      const fix = ignoreFix(ctx, secrets.map(ignorePattern));
      ctx.report({
        ...(fix ? { fixes: [fix] } : {}),
        range: source.range,
        message:
          `\`${source.inst.keyword} ${source.raw}\` copies ${nameList(secrets)} into the image, where anyone who pulls it can read ${secrets.length > 1 ? 'them' : 'it'} from the layer. ` +
          'Exclude secrets in .dockerignore and pass what the build needs with `RUN --mount=type=secret`.',
      });
    }
  },
);
