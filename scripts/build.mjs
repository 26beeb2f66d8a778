// Bundles the client, the server and the command line with esbuild (one file each, no node_modules at run time).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';

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
  // server.js is a small entry that turns on V8's code cache, then loads language-server.js (server/src/main.ts).
  { ...common, entryPoints: ['server/src/main.ts'], outfile: 'server/out/server.js' },
  // No import() in the server: code run from V8's code cache (server/src/main.ts) has no ES module loader
  // on Node 20. esbuild turns import() into require(), and web-tree-sitter's CommonJS build is used
  // because its ES module build declares a `var require` that shadows the one esbuild would call.
  {
    ...common,
    entryPoints: ['server/src/server.ts'],
    outfile: 'server/out/language-server.js',
    plugins: [dockerodeApart, undiciApart],
    alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
    supported: { 'dynamic-import': false },
  },
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
  // One non-ASCII character (a comment esbuild keeps, a regex) makes the whole source a two-byte string:
  // twice the memory, and on Node 20 a 25 ms UTF-8 decode at every start (server/src/main.ts reads it as Latin-1).
  for (const out of ['server/out/language-server.js', 'server/out/cli.js']) {
    const at = readFileSync(out).findIndex((byte) => byte > 0x7f);
    if (at >= 0) throw new Error(`${out} has a non-ASCII byte at offset ${at}: write it as an escape in the source`);
  }
  if (/\bimport\(/.test(readFileSync('server/out/language-server.js', 'latin1'))) throw new Error('server/out/language-server.js calls import(): it fails when the server runs from the code cache');
}
