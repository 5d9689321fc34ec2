/**
 * `node --import jsmemtrace/register app.js`: instruments every in-scope module (default: files
 * under the cwd outside node_modules) before it runs (install.ts). `jsmemtrace run` uses it too,
 * with its configuration in $JSMEMTRACE_CONFIG, which also names the tracer to start. `run` loads
 * it through NODE_OPTIONS, so every Node process and worker thread of the program that inherits
 * the environment loads it, and once: a module imported twice (argv and NODE_OPTIONS) is
 * evaluated once per thread.
 *
 * This module only turns Node's compile cache on before it loads the rest: modules compiled
 * before that are not served from the cache, and an ES module's static imports are compiled
 * before it runs. So the loader proper (install.ts, and the runtime) is imported dynamically.
 */
const { join } = process.getBuiltinModule('node:path');
const nodeModule = process.getBuiltinModule('node:module');
import { configFromEnv } from './config.js';
import { defaultCacheDir, makeDirectory } from '../instrument/cache.js';
import { writeStderr } from './stderr.js';

/** Set on the global when a loader is installed: a second copy (another install of jsmemtrace) stays out. */
const INSTALLED = Symbol.for('jsmemtrace.loader');
const g = globalThis as { [INSTALLED]?: string };

if (g[INSTALLED] !== undefined) {
  if (g[INSTALLED] !== import.meta.url) writeStderr(`jsmemtrace: warning: ${import.meta.url} ignored, the loader of ${g[INSTALLED]} is already installed`);
} else {
  g[INSTALLED] = import.meta.url;
  const cwd = currentDirectory();
  if (cwd === undefined) {
    // The default scope is the files under it, and scope globs are relative to it.
    writeStderr('jsmemtrace: warning: the current directory no longer exists: running uninstrumented');
  } else {
    const config = configFromEnv(process.env, cwd, writeStderr);
    const cacheDir = defaultCacheDir(config.root);
    enableCompileCache(cacheDir);
    const { install } = await import('./install.js');
    await install(config, cacheDir);
  }
}

function currentDirectory(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined; // removed (ENOENT): Node itself runs a program given by absolute path
  }
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
