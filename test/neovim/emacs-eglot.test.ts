/**
 * A third real editor: Debian's Emacs 28 in batch mode with eglot (elpa-eglot) and dockerfile-mode
 * (elpa-dockerfile-mode), configured with the README's Emacs snippet verbatim and
 * `layerwise-language-server` found on PATH. The driver below does what a user's commands would
 * (eglot-ensure on opening the file, flymake, eldoc's hover request, a code action's edit) and
 * writes what it saw to a JSON file. Emacs shows no lenses (eglot has no CodeLens support).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { missingTool } from '../support/tools';

const BIN = path.resolve('server/bin/layerwise-language-server.js');
const README = fs.readFileSync(path.resolve('README.md'), 'utf8');
/** The README's Emacs configuration: the elisp block after its "Emacs" paragraph. */
const README_CONFIG = /^Emacs [^\n]*\n+```(?:elisp|emacs-lisp|lisp)\n([\s\S]*?)```/m.exec(README)?.[1];
/** A Debian elpa-* package is installed: its folder under site-lisp/elpa. */
const elpa = (name: string): boolean => fs.existsSync('/usr/share/emacs/site-lisp/elpa') && fs.readdirSync('/usr/share/emacs/site-lisp/elpa').some((d) => d.startsWith(`${name}-`));
const skip =
  missingTool('emacs', 'emacs-nox') ||
  (elpa('eglot') ? false : 'SKIPPED: eglot is not installed (Debian: apt-get install elpa-eglot)') ||
  (elpa('dockerfile-mode') ? false : 'SKIPPED: dockerfile-mode is not installed (Debian: apt-get install elpa-dockerfile-mode)') ||
  (fs.existsSync(path.resolve('server/out/server.js')) ? false : 'server/out/server.js is not built (npm run build)');

const CLIENT_ONLY = ['layerwise.showRuleDocumentation', 'layerwise.buildImage', 'layerwise.analyzeImage', 'layerwise.convertToMultiStage'];
const DOCKERFILE = 'FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install curl\nWORKDIR app\nCMD run\n';

const DRIVER = (config: string): string => `;;; -*- lexical-binding: t -*-
(require 'json)
(require 'cl-lib)
(defvar lw-result nil)
(defun lw-put (k v) (push (cons k v) lw-result))
(defun lw-wait (pred secs)
  ;; Batch Emacs runs no command loop: run what a command's end would run, and read the server.
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (run-hooks 'post-command-hook)
      (accept-process-output nil 0.1))
    (funcall pred)))
(condition-case err
    (progn
      (package-initialize)
      (require 'eglot)
      (require 'dockerfile-mode)
${config}
      (find-file (getenv "LW_FILE"))
      (lw-put 'mode (symbol-name major-mode))
      (lw-put 'connected (if (lw-wait (lambda () (eglot-current-server)) 30) t :json-false))
      (let ((server (eglot-current-server)))
        (lw-wait (lambda () (flymake-diagnostics)) 30)
        (lw-put 'diagnostics
                (vconcat (mapcar (lambda (d) \`((line . ,(line-number-at-pos (flymake-diagnostic-beg d))) (type . ,(symbol-name (flymake-diagnostic-type d))) (text . ,(flymake-diagnostic-text d))))
                                 (flymake-diagnostics))))
        (goto-char (point-min))
        (forward-char 1)
        (let ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
          (lw-put 'hover (let ((c (plist-get hover :contents))) (if (stringp c) c (or (plist-get c :value) (format "%S" c))))))
        (goto-char (point-min))
        (forward-line 2)
        (let* ((beg (point)) (end (line-end-position))
               (diags (cl-loop for d in (flymake-diagnostics beg end)
                               when (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))) collect it))
               (params (list :textDocument (eglot--TextDocumentIdentifier)
                             :range (list :start (eglot--pos-to-lsp-position beg) :end (eglot--pos-to-lsp-position end))
                             :context (list :diagnostics (vconcat diags))))
               (actions (jsonrpc-request server :textDocument/codeAction params))
               (fix nil))
          (lw-put 'actions (vconcat (mapcar (lambda (a)
                                              (let ((cmd (plist-get a :command)))
                                                (when (and (not fix) (plist-get a :edit) (string-match-p "-y" (plist-get a :title))) (setq fix a))
                                                \`((title . ,(plist-get a :title)) (command . ,(cond ((stringp cmd) cmd) (cmd (plist-get cmd :command)) (t ""))) (has_edit . ,(if (plist-get a :edit) t :json-false)))))
                                            actions)))
          (lw-put 'before (buffer-string))
          (when fix
            (lw-put 'fix_title (plist-get fix :title))
            (eglot--apply-workspace-edit (plist-get fix :edit)))
          (lw-put 'after (buffer-string)))
        (lw-put 'server_commands (let ((p (plist-get (eglot--capabilities server) :executeCommandProvider))) (or (plist-get p :commands) [])))))
  (error (lw-put 'error (format "%S" err))))
(with-temp-file (getenv "LW_OUT") (insert (json-encode lw-result)))
(kill-emacs 0)
`;

interface EmacsResult {
  error?: string;
  mode: string;
  connected: boolean;
  server_commands: string[];
  diagnostics: { line: number; type: string; text: string }[];
  actions: { title: string; command: string; has_edit: boolean }[];
  fix_title?: string;
  before: string;
  after: string;
  hover?: string;
}

describe('Emacs 28 (batch) with eglot and the README configuration', { skip }, () => {
  let r: EmacsResult;

  before(() => {
    assert.ok(README_CONFIG, 'the README has an Emacs configuration block');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-emacs-'));
    // `layerwise-language-server` on PATH, as `npm install -g` of the package puts it.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'layerwise-language-server'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    fs.writeFileSync(path.join(dir, 'driver.el'), DRIVER(README_CONFIG));
    const out = path.join(dir, 'result.json');
    const run = spawnSync('emacs', ['--batch', '-l', path.join(dir, 'driver.el')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 90_000,
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: path.join(dir, 'home'), LW_FILE: path.join(dir, 'Dockerfile'), LW_OUT: out, DOCKER_HOST: `unix://${path.join(dir, 'no-daemon.sock')}` },
    });
    assert.ok(fs.existsSync(out), `emacs wrote no result (exit ${run.status}): ${run.stderr}\n${run.stdout}`);
    r = JSON.parse(fs.readFileSync(out, 'utf8')) as EmacsResult;
    assert.equal(r.error, undefined, `${r.error}\n${run.stderr}`);
  });

  it('starts the server for dockerfile-mode through the README snippet, and flymake shows its diagnostics', () => {
    assert.equal(r.mode, 'dockerfile-mode');
    assert.equal(r.connected, true);
    const texts = r.diagnostics.map((d) => d.text);
    for (const code of ['apt-update-separate', 'workdir-relative-path']) assert.ok(texts.some((t) => t.includes(`[${code}]`)), texts.join('\n'));
    assert.ok(r.diagnostics.some((d) => d.line === 4 && d.type === 'eglot-warning'), JSON.stringify(r.diagnostics));
  });

  it('applies a quick fix: the buffer changes', () => {
    assert.equal(r.fix_title, 'Add -y to apt-get install', JSON.stringify(r.actions));
    assert.notEqual(r.after, r.before);
    assert.match(r.after.split('\n')[2]!, /apt-get install -y curl/);
  });

  it('answers hover', () => {
    assert.match(r.hover ?? '', /FROM baseImage/);
  });

  it('offers no command Emacs cannot run: every action edits or runs a server command', () => {
    assert.ok(r.actions.length > 0);
    for (const a of r.actions) {
      assert.ok(!CLIENT_ONLY.includes(a.command), `${a.title}: ${a.command}`);
      assert.ok(a.has_edit || r.server_commands.includes(a.command), `${a.title}: ${a.command}`);
    }
  });
});
