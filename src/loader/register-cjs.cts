/**
 * `node --require jsmemtrace/register app.js`, and what `jsmemtrace run` loads in every process
 * of the program (through NODE_OPTIONS) where Node has `module.registerHooks` (22.15+, 24): the
 * loader as a CommonJS preload. With `--import` (any module), Node runs a CommonJS entry point
 * from its ES module loader, which changes what the program sees: `process.nextTick` callbacks
 * queued by its top level run after promise callbacks instead of before, and an uncaught
 * non-Error thrown there is reported from Node's internals. A preload keeps Node's own start. It
 * installs synchronously: the loader proper is an ES module that `require()` loads (Node
 * 20.19+), the same instance that `import` gives.
 *
 * Node 20 (no `module.registerHooks`) runs it for a program whose entry point is CommonJS, and
 * starts its ES module hooks when first needed (lazy-esm.ts): a preload cannot start them. Under
 * `run` that process hands `--import` on to the processes it starts, whose entry points it cannot
 * know (`RunInfo.importUrl`). For an ES module entry point it stays out, and says so.
 */
import { pathToFileURL } from 'node:url';
import { prepare } from './start.js';
import { writeStderr } from './stderr.js';
import { commonJSEntry } from './lazy-esm.js';
import { withRegister } from './config.js';

const nodeModule = process.getBuiltinModule('node:module') as { registerHooks?: unknown };
const lazyEsm = typeof nodeModule.registerHooks !== 'function';

if (!lazyEsm || stayIn()) {
  const ready = prepare(pathToFileURL(__filename).href);
  if (ready !== undefined) {
    const { install } = require('./install.js') as typeof import('./install.js');
    delete require.cache[require.resolve('./install.js')];
    install(ready.config, ready.cacheDir, lazyEsm);
    const url = ready.config.run?.importUrl;
    if (lazyEsm && url !== undefined) handOn(url);
  }
}
// Out of the program's require.cache, as Node's own modules are (also when named twice: argv
// and NODE_OPTIONS, under `run`).
delete require.cache[__filename];

/**
 * Node 20: in the main thread of a CommonJS entry point, and in the program's worker threads
 * (whose entry points a preload cannot see: one that is an ES module runs uninstrumented); not in
 * Node's hooks thread, which runs preloads too (and has no parentPort).
 */
function stayIn(): boolean {
  const { isMainThread, parentPort } = process.getBuiltinModule('node:worker_threads');
  if (!isMainThread) return parentPort !== null;
  if (commonJSEntry(process.argv[1], process.execArgv, process.env.NODE_OPTIONS)) return true;
  writeStderr(`jsmemtrace: warning: on Node ${process.versions.node}, --require jsmemtrace/register instruments only programs whose entry point is CommonJS (ES modules need module.registerHooks, Node 22.15); running uninstrumented: use --import jsmemtrace/register`);
  return false;
}

/** The descendants of `run`'s process load the loader with `--import url`, as the process would have. */
function handOn(url: string): void {
  process.env.NODE_OPTIONS = withRegister(process.env.NODE_OPTIONS, `--import=${url}`);
  const args = process.execArgv;
  for (let k = 0; k < args.length; k++) {
    if (args[k] === '--require' && args[k + 1] === __filename) args.splice(k, 2, '--import', url);
    else if (args[k] === `--require=${__filename}`) args[k] = `--import=${url}`;
  }
}
