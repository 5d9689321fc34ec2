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
 * Without `module.registerHooks` the loader hands site tables over from Node's hooks thread on a
 * MessagePort, and Node 20 kills a process whose preload passes a port to `module.register`
 * (the hooks thread fails to start, exit code 1, no message): there it stays out, and says so.
 */
import { pathToFileURL } from 'node:url';
import { prepare } from './start.js';
import { writeStderr } from './stderr.js';

if (typeof (process.getBuiltinModule('node:module') as { registerHooks?: unknown }).registerHooks !== 'function') {
  writeStderr(`jsmemtrace: warning: --require jsmemtrace/register needs Node 22.15 or later (module.registerHooks); running uninstrumented: use --import jsmemtrace/register on Node ${process.versions.node}`);
} else {
  const ready = prepare(pathToFileURL(__filename).href);
  if (ready !== undefined) {
    const { install } = require('./install.js') as typeof import('./install.js');
    delete require.cache[require.resolve('./install.js')];
    install(ready.config, ready.cacheDir);
  }
}
// Out of the program's require.cache, as Node's own modules are (also when named twice: argv
// and NODE_OPTIONS, under `run`).
delete require.cache[__filename];
