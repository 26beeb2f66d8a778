#!/usr/bin/env node
// `layerwise-language-server --stdio`: the Layerwise language server for any LSP client
// (Neovim, Helix, Zed, Emacs, ...). The bundle it runs is built by `npm run build` (npm pack does it).
'use strict';
const USAGE = `Usage: layerwise-language-server [--stdio | --node-ipc | --socket=PORT]

  Runs the Layerwise language server for Dockerfiles (diagnostics, quick fixes, hover, completion,
  layer sizes from the local Docker daemon as code lenses). Editors start it with --stdio (the
  default when no transport is given). Settings come from the client (workspace/configuration,
  section "layerwise"); see the README for Neovim, Helix, Zed and Emacs configurations.`;
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.includes('--version')) {
  process.stdout.write(`${require('../../package.json').version}\n`);
  process.exit(0);
}
if (!args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) process.argv.push('--stdio');
require('../out/server.js').main();
