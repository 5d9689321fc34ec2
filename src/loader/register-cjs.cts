/**
 * `node --require jsmemtrace/register app.js`, and what `jsmemtrace run` loads in every process
 * of the program (through NODE_OPTIONS): the loader as a CommonJS preload. With `--import` (any
 * module), Node runs a CommonJS entry point from its ES module loader, which changes what the
 * program sees: `process.nextTick` callbacks queued by its top level run after promise callbacks
 * instead of before, and an uncaught non-Error thrown there is reported from Node's internals. A
 * preload keeps Node's own start. It installs synchronously: the loader proper is an ES module
 * that `require()` loads (Node 20.19+), the same instance that `import` gives.
 *
 * Node 20 (no `module.registerHooks`) runs preloads in its hooks thread too, where the loader
 * stays out; in the main thread of a CommonJS entry point it starts the hooks thread only when
 * the program may load an ES module (lazy-esm.ts).
 */
import { pathToFileURL } from 'node:url';
import { prepare } from './start.js';

const nodeModule = process.getBuiltinModule('node:module') as { registerHooks?: unknown };
const withHooksThread = typeof nodeModule.registerHooks !== 'function';

if (!withHooksThread || !inHooksThread()) {
  const ready = prepare(pathToFileURL(__filename).href);
  if (ready !== undefined) {
    const { install } = require('./install.js') as typeof import('./install.js');
    delete require.cache[require.resolve('./install.js')];
    install(ready.config, ready.cacheDir, true);
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

/** Node's hooks thread (Node 20) is the one thread of a program without a parentPort. */
function inHooksThread(): boolean {
  const { isMainThread, parentPort } = process.getBuiltinModule('node:worker_threads');
  return !isMainThread && parentPort === null;
}
