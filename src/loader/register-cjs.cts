/**
 * `node --require jsmemtrace/register app.js`, and what `jsmemtrace run` loads in every process
 * of the program (through NODE_OPTIONS): the loader as a CommonJS preload. With `--import` (any
 * module), Node runs a CommonJS entry point from its ES module loader, which changes what the
 * program sees: `process.nextTick` callbacks queued by its top level run after promise callbacks
 * instead of before, and an uncaught non-Error thrown there is reported from Node's internals. A
 * preload keeps Node's own start. It installs synchronously: the loader proper is a CommonJS
 * bundle (start.ts `requireInstall`), and the runtime it uses is the one instance that the
 * program's `import 'jsmemtrace'` gives too (scripts/post-build.mjs).
 *
 * Node runs preloads in its hooks thread too (Node 20's, or one that a program's own
 * `module.register()` starts), where the loader stays out. On Node 20, in the main thread of a
 * CommonJS entry point, it starts the hooks thread only when the program may load an ES module
 * (lazy-esm.ts).
 */
import { pathToFileURL } from 'node:url';
import { prepare, requireInstall } from './start.js';

if (!inHooksThread()) {
  const entry = pathToFileURL(__filename).href;
  const ready = prepare(entry);
  if (ready !== undefined) {
    requireInstall(entry).install(ready.config, ready.cacheDir, true);
    const run = ready.config.run;
    if (run?.execArgv !== undefined && process.ppid === run.pid) unlist(run.execArgv);
  }
}
// Out of the program's require.cache, as Node's own modules are (also when named twice: argv
// and NODE_OPTIONS, under `run`).
delete require.cache[__filename];

/**
 * Takes what `run` put before the script out of `process.execArgv`, which the program (and
 * `fork()`, and cluster) then see as without jsmemtrace.
 */
function unlist(added: readonly string[]): void {
  const args = process.execArgv;
  if (added.every((a, k) => args[k] === a)) args.splice(0, added.length);
}

/**
 * Node's hooks thread (the loader's own on Node 20; a program's `module.register()` starts one
 * on every version) is the one thread of a program without a parentPort. Only a worker thread can
 * be it: asking node:worker_threads costs ~2 ms of a start on Node 24, so the main thread is
 * told apart first by its `process.chdir`, which worker threads replace.
 */
function inHooksThread(): boolean {
  if (process.chdir.name !== 'unavailableInWorker') return false;
  const { isMainThread, parentPort } = process.getBuiltinModule('node:worker_threads');
  return !isMainThread && parentPort === null;
}
