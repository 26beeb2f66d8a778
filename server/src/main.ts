/**
 * The language server's entry point (server/out/server.js). It loads the server itself
 * (server/out/language-server.js, built from server.ts) with V8's code cache, so that a start does
 * not compile the 2.5 MB bundle again: on Node 20 that compile was a third of a start (60 ms of 150).
 *
 * Node 22.1 and later keep such a cache themselves (module.enableCompileCache). On Node 20 this
 * does it with vm.Script's cachedData. v8-compile-cache does the same, but compiles without an ES
 * module loader, and web-tree-sitter's `import('module')` then threw. vm's
 * USE_MAIN_CONTEXT_DEFAULT_LOADER (Node 20.12) gives compiled code the main loader, but code run from
 * the cache loses it again, so the build keeps import() out of the bundle (scripts/build.mjs).
 */
import { isAscii } from 'node:buffer';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** `$XDG_CACHE_HOME/layerwise/v8-code-cache` (default `~/.cache/...`), beside the build timings. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'layerwise', 'v8-code-cache');
}

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;

/** Runs `file` as a CommonJS module from V8's cached code when it is there; writes the cache otherwise. */
export function requireWithCodeCache(file: string, cacheDir = codeCacheDir()): unknown {
  const builtin = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  const mainLoader = (vm.constants as Record<string, unknown> | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (process.env.LAYERWISE_NO_CODE_CACHE || builtin || !mainLoader) {
    builtin?.(cacheDir);
    return require(file);
  }
  const bytes = fs.readFileSync(file);
  // Node 20 decodes UTF-8 at 100 MB/s here (25 ms for the bundle); the build keeps the bundle ASCII.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const stat = fs.statSync(file);
  // The cache belongs to one bundle at one path under one V8; V8 itself also rejects a cache whose source differs.
  const key = crypto.createHash('sha256').update(`${file}\0${stat.size}\0${stat.mtimeMs}\0${process.versions.v8}\0${process.arch}`).digest('hex').slice(0, 24);
  const cacheFile = path.join(cacheDir, `${path.basename(file, '.js')}-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData, importModuleDynamically: mainLoader as never });
  if (!cachedData || script.cachedDataRejected) {
    let written = false;
    // Written once the start-up and the first documents have compiled their functions, or at exit.
    const write = (): void => {
      if (written) return;
      written = true;
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const partial = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(partial, script.createCachedData());
        fs.renameSync(partial, cacheFile);
        // Caches of earlier builds (an extension update installs to a new folder) go a month after they were written.
        for (const name of fs.readdirSync(cacheDir)) {
          const other = path.join(cacheDir, name);
          if (other !== cacheFile && Date.now() - fs.statSync(other).mtimeMs > 30 * 86_400_000) fs.rmSync(other, { force: true });
        }
      } catch {
        // A read-only or full disk: the next start compiles again, as it did without a cache.
      }
    };
    setTimeout(write, 10_000).unref();
    process.once('exit', write);
  }
  const mod = new Module(file, require.main);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
}

export function main(): void {
  // V8 lets the old generation grow to up to four times what survived the last full collection;
  // each lint of a large file leaves tens of MB of garbage there, so the process held 340 MiB for
  // 40 MiB of live data. Growing by half keeps it near 210 MiB at the same speed (users-bench).
  // Set before the server is compiled: V8 rejects a code cache made under other flags.
  v8.setFlagsFromString('--heap-growing-percent=50');
  // tree-sitter-bash's wasm in baseline code only: optimizing its hot functions took about 50 MB at the
  // first document (compiler zones, kept by the allocator after) and made neither a parse nor a lint
  // measurably faster (users-bench, a 90 KB RUN script).
  v8.setFlagsFromString('--liftoff-only');
  const server = requireWithCodeCache(path.join(__dirname, 'language-server.js')) as { main(): void };
  server.main();
}

if (require.main === module) main();
