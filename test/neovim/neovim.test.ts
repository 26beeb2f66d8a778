/**
 * A second real editor: Debian's Neovim 0.7, headless, with its built-in LSP client
 * (`vim.lsp.start_client`) running `layerwise-language-server --stdio` (server/bin, on the
 * bundle). The script below drives it the way a user would and writes what it saw to a JSON file:
 * diagnostics appear, a quick fix changes the buffer, lenses resolve, hover answers, and nothing
 * offered is a command Neovim cannot run (it declares no Layerwise client command).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { missingTool } from '../support/tools';

const BIN = path.resolve('server/bin/layerwise-language-server.js');
const skip = missingTool('nvim', 'neovim') || (fs.existsSync(path.resolve('server/out/server.js')) ? false : 'server/out/server.js is not built (npm run build)');

/** The commands only the VS Code client runs: never to be offered to Neovim. */
const CLIENT_ONLY = ['layerwise.showRuleDocumentation', 'layerwise.buildImage', 'layerwise.analyzeImage', 'layerwise.convertToMultiStage'];

const DOCKERFILE = 'FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install curl\nWORKDIR app\nCMD run\n';

const INIT = (dir: string, out: string): string => `
vim.cmd('filetype on')
local out = ${JSON.stringify(out)}
local result = { log = {} }
local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end
local ok, err = pcall(function()
  vim.cmd('edit ' .. ${JSON.stringify(path.join(dir, 'Dockerfile'))})
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  local id = vim.lsp.start_client({
    name = 'layerwise',
    cmd = { ${JSON.stringify(process.execPath)}, ${JSON.stringify(BIN)}, '--stdio' },
    root_dir = ${JSON.stringify(dir)},
    cmd_env = { DOCKER_HOST = 'unix://' .. ${JSON.stringify(path.join(dir, 'no-daemon.sock'))} },
  })
  vim.lsp.buf_attach_client(buf, id)
  local client = vim.lsp.get_client_by_id(id)
  vim.wait(20000, function() return client.initialized and #vim.diagnostic.get(buf) > 0 end, 50)
  result.server_commands = client.server_capabilities.executeCommandProvider and client.server_capabilities.executeCommandProvider.commands or {}
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { line = d.lnum, code = d.code, message = d.message })
  end

  -- Code actions on line 3 (apt-get install without -y), as :lua vim.lsp.buf.code_action() asks.
  local diags = {}
  for _, d in ipairs(vim.lsp.diagnostic.get_line_diagnostics(buf, 2)) do table.insert(diags, d) end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, range = { start = { line = 2, character = 0 }, ['end'] = { line = 2, character = 0 } }, context = { diagnostics = diags } }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
  result.actions = {}
  local fix
  for _, r in pairs(responses) do
    for _, a in ipairs(r.result or {}) do
      local command = a.command and (type(a.command) == 'table' and a.command.command or a.command) or ''
      table.insert(result.actions, { title = a.title, command = command, has_edit = a.edit ~= nil })
      if not fix and a.edit and a.title:match('%-y') then fix = a end
    end
  end
  result.before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  if fix then
    result.fix_title = fix.title
    vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  end
  result.after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)

  -- Lenses (no daemon: the state lens), as :lua vim.lsp.codelens.refresh() shows them.
  vim.lsp.codelens.refresh()
  vim.wait(10000, function() return #vim.lsp.codelens.get(buf) > 0 end, 50)
  result.lenses = {}
  for _, l in ipairs(vim.lsp.codelens.get(buf)) do
    table.insert(result.lenses, { line = l.range.start.line, title = l.command and l.command.title, command = l.command and l.command.command or '' })
  end

  -- Hover on FROM.
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 0, character = 1 } }, 10000) or {}
  for _, r in pairs(hover) do
    if r.result and r.result.contents then result.hover = vim.lsp.util.convert_input_to_markdown_lines(r.result.contents) end
  end
end)
if not ok then result.error = tostring(err) end
finish()
`;

interface NvimResult {
  error?: string;
  filetype: string;
  server_commands: string[];
  diagnostics: { line: number; code: string; message: string }[];
  actions: { title: string; command: string; has_edit: boolean }[];
  fix_title?: string;
  before: string[];
  after: string[];
  lenses: { line: number; title: string; command: string }[];
  hover?: string[];
}

describe('Neovim 0.7 (headless) with layerwise-language-server --stdio', { skip }, () => {
  let r: NvimResult;

  before(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-nvim-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    const out = path.join(dir, 'result.json');
    fs.writeFileSync(path.join(dir, 'init.lua'), INIT(dir, out));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-nvim-home-'));
    const run = spawnSync('nvim', ['--headless', '-n', '-i', 'NONE', '-u', path.join(dir, 'init.lua')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 90_000,
      env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), XDG_STATE_HOME: path.join(home, 'state') },
    });
    assert.ok(fs.existsSync(out), `nvim wrote no result (exit ${run.status}): ${run.stderr}\n${run.stdout}`);
    r = JSON.parse(fs.readFileSync(out, 'utf8')) as NvimResult;
    assert.equal(r.error, undefined, r.error);
  });

  it('detects the Dockerfile and shows the server’s diagnostics', () => {
    assert.equal(r.filetype, 'dockerfile');
    const codes = r.diagnostics.map((d) => d.code);
    for (const code of ['apt-update-separate', 'workdir-relative-path']) assert.ok(codes.includes(code), codes.join(', '));
  });

  it('applies a quick fix: the buffer changes', () => {
    assert.ok(r.fix_title, JSON.stringify(r.actions));
    assert.notDeepEqual(r.after, r.before);
    assert.match(r.after[2]!, /apt-get install -y/);
  });

  it('resolves the lenses: the state lens without a daemon runs a server command', () => {
    assert.ok(r.lenses.length > 0);
    assert.match(r.lenses[0]!.title, /^Docker not reachable · Retry$/);
    for (const l of r.lenses) assert.ok(l.command === '' || r.server_commands.includes(l.command), `${l.title}: ${l.command}`);
  });

  it('answers hover', () => {
    assert.ok((r.hover ?? []).join('\n').length > 20, JSON.stringify(r.hover));
  });

  it('offers no command Neovim cannot run: every action edits or runs a server command', () => {
    for (const a of r.actions) {
      assert.ok(!CLIENT_ONLY.includes(a.command), `${a.title}: ${a.command}`);
      assert.ok(a.has_edit || a.command === '' || r.server_commands.includes(a.command), `${a.title}: ${a.command}`);
    }
    assert.ok(r.actions.some((a) => a.command === 'layerwise.server.showRuleDocumentation'), 'the docs action is the server’s');
  });
});
