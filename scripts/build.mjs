// Bundles the client, the server and the command line with esbuild (one file each, no node_modules at run time).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // web-tree-sitter reads import.meta.url to find its wasm; in a CommonJS bundle that is this file.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};
// dockerode (with gRPC, protobuf and ssh2: 2 MB) lives in its own bundle, server/out/dockerode.js,
// required on the first Docker call, so a server that never shows layer sizes never parses it.
const dockerodeApart = {
  name: 'dockerode-apart',
  setup(build) {
    // @grpc/grpc-js too: that bundle exposes it as `.grpc` (server/src/docker/dockerode-bundle.ts).
    build.onResolve({ filter: /^(dockerode|@grpc\/grpc-js)$/ }, () => ({ path: './dockerode.js', external: true }));
  },
};
// undici (its ProxyAgent, for registries behind HTTP(S)_PROXY) likewise: server/out/undici.js,
// required only when a registry request goes through a proxy (server/src/registry/client.ts).
const undiciApart = {
  name: 'undici-apart',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: './undici.js', external: true }));
  },
};
const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['server/src/server.ts'], outfile: 'server/out/server.js', plugins: [dockerodeApart, undiciApart] },
  { ...common, entryPoints: ['node_modules/undici/index.js'], outfile: 'server/out/undici.js', target: 'node20' },
  // ssh2 (dockerode's ssh transport) tries optional native addons in try/catch and falls back to JS.
  { ...common, entryPoints: ['server/src/docker/dockerode-bundle.ts'], outfile: 'server/out/dockerode.js', external: ['*.node'] },
  { ...common, entryPoints: ['server/src/cli.ts'], outfile: 'server/out/cli.js', plugins: [dockerodeApart, undiciApart], banner: { js: "#!/usr/bin/env node\nconst importMetaUrl = require('url').pathToFileURL(__filename).href;" } },
];
mkdirSync('server/out', { recursive: true });
for (const asset of ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'node_modules/tree-sitter-bash/tree-sitter-bash.wasm']) {
  cpSync(asset, `server/out/${asset.split('/').pop()}`);
}
// dockerode loads these at run time from <bundle dir>/proto: the BuildKit session and its progress.
mkdirSync('server/out/proto', { recursive: true });
for (const proto of ['auth.proto', 'buildkit_status.proto']) cpSync(`node_modules/dockerode/lib/proto/${proto}`, `server/out/proto/${proto}`);
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
