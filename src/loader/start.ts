/**
 * What the loader does first, from either entry: `register.ts` (`--import`) and
 * `register-cjs.cts` (`--require`, what `jsmemtrace run` uses). It reads the configuration,
 * decides the cache directory and turns Node's compile cache on, before the loader proper
 * (install.ts, and the runtime) is loaded and compiled: Node serves from that cache only what it
 * compiles after it is on.
 */
const { join } = process.getBuiltinModule('node:path');
const nodeModule = process.getBuiltinModule('node:module');
import { configFromEnv, type JsmtConfig } from './config.js';
import { defaultCacheDir, makeDirectory } from '../instrument/cache.js';
import { writeStderr } from './stderr.js';

/** Set on the global when a loader is installed: a second copy (another install of jsmemtrace) stays out. */
const INSTALLED = Symbol.for('jsmemtrace.loader');

/**
 * The configuration and the cache directory to install the loader with, or undefined when it
 * must stay out: installed already in this thread, or no current directory to scope it by.
 * `entry`: the URL of the entry module, which names this copy of jsmemtrace.
 */
export function prepare(entry: string): { config: JsmtConfig; cacheDir: string } | undefined {
  const g = globalThis as { [INSTALLED]?: string };
  const installed = g[INSTALLED];
  if (installed !== undefined) {
    // This copy's other entry (both `--require` and `--import` given) stays out without a word.
    if (folderOf(installed) !== folderOf(entry)) writeStderr(`jsmemtrace: warning: ${entry} ignored, the loader of ${installed} is already installed`);
    return undefined;
  }
  // Not enumerable: `console.log(globalThis)` shows what the program put there, as plainly.
  Object.defineProperty(g, INSTALLED, { value: entry, writable: true, configurable: true });
  // The loader proper, the tracers and the instrumenter are ES modules that it require()s, so
  // that they are in place before the program's first module: a program that runs fine without
  // require(esm) must not die of ERR_REQUIRE_ESM in jsmemtrace.
  if ((process.features as { require_module?: boolean }).require_module === false) {
    writeStderr('jsmemtrace: warning: require() of ES modules is turned off (--no-experimental-require-module), which the loader needs: running uninstrumented');
    return undefined;
  }
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    // Removed (ENOENT): Node itself runs a program given by absolute path. The default scope is
    // the files under it, and scope globs are relative to it.
    writeStderr('jsmemtrace: warning: the current directory no longer exists: running uninstrumented');
    return undefined;
  }
  const config = configFromEnv(process.env, cwd, writeStderr);
  const cacheDir = defaultCacheDir(config.root);
  enableCompileCache(cacheDir);
  return { config, cacheDir };
}

/**
 * The loader proper: the CommonJS bundle of install.ts that the build makes
 * (scripts/post-build.mjs), so that a CommonJS program's start sets up no ES module loader for
 * it. Out of the program's `require.cache` once loaded, as Node's own modules are.
 */
export function requireInstall(entry: string): typeof import('./install.js') {
  const require = nodeModule.createRequire(entry);
  const id = require.resolve('./install.cjs');
  try {
    return require(id) as typeof import('./install.js');
  } finally {
    delete require.cache[id];
  }
}

function folderOf(url: string): string {
  return url.slice(0, url.lastIndexOf('/'));
}

/**
 * Node's own on-disk cache of compiled code (Node 22.1+), next to ours: a warm start then skips
 * V8's compilation of the probed modules and of the loader itself (together ~10 ms of a 95 ms
 * start on Node 24). Node keys it by file and content, so it never serves stale code; it also
 * serves the program's modules that are not instrumented. A cache the user set up
 * (NODE_COMPILE_CACHE) or turned off (NODE_DISABLE_COMPILE_CACHE) wins: Node then answers
 * "already enabled" or "disabled".
 */
function enableCompileCache(cacheDir: string): void {
  const enable = (nodeModule as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    // Made here first: Node 22/24 loop forever making a directory where mkdir fails with ENOENT
    // though the parent exists (/proc does). Where it cannot be made, Node compiles as it always
    // did, and the instrumentation cache says once that it is unusable.
    const dir = join(cacheDir, 'v8');
    makeDirectory(dir);
    enable(dir);
  } catch { /* unusable: see above */ }
}
