import Module, { createRequire } from 'node:module';

type Handlers = Record<string, unknown>;
const extensions = (Module as unknown as { _extensions: Handlers })._extensions;
/**
 * Node's own file handlers, as they were when jsmemtrace loaded (before the program's preloads).
 * A program's require hook (esbuild-register, @babel/register: pirates) compiles what `require`
 * reads, and where jsmemtrace is not under a `node_modules` (a checkout, `npm link`) also its own
 * ES modules: esbuild-register's banner reads `require` in them, the instrumenter failed to load
 * ("require is not defined in ES module scope") and every module ran uninstrumented.
 */
const NODE_HANDLERS: Handlers = { ...extensions };

/**
 * Whether a require hook of the program's own handles files ending in `ext` (`Module._extensions`
 * holds another function than Node's as the loader found it: esbuild-register, ts-node, pirates).
 */
export function programHandles(ext: string): boolean {
  const handler = extensions[ext];
  return handler !== undefined && handler !== NODE_HANDLERS[ext];
}

let loading = 0;

/**
 * Whether a `requireOwn` is running: every module that loads meanwhile is jsmemtrace's own or a
 * dependency of it, which the program's scope may name too (`--instrument 'node_modules/**'`).
 * The loader's hooks see their loads (an ES module that Node 22/24's `registerHooks` loads for a
 * `require()` of an ES module); they run as they are: instrumenting one while the instrumenter
 * is loading would find it half made ("instrument is not a function", with Node's warning of a
 * circular dependency).
 */
export function loadingOwn(): boolean {
  return loading !== 0;
}

/**
 * `require()` of one of jsmemtrace's own modules or dependencies that leaves nothing in
 * `require.cache`: the program shares that cache, and one that walks it would find jsmemtrace's
 * modules there. The exports returned are all jsmemtrace needs of them. Node's own handlers read
 * them (`NODE_HANDLERS`), the program's are put back after.
 */
export function requireOwn<T>(require: NodeJS.Require, id: string): T {
  const cache = require.cache;
  const before = new Set(Object.keys(cache));
  const program: Handlers = {};
  for (const ext of Object.keys(NODE_HANDLERS)) {
    if (extensions[ext] === NODE_HANDLERS[ext]) continue;
    program[ext] = extensions[ext];
    extensions[ext] = NODE_HANDLERS[ext];
  }
  loading++;
  try {
    return require(id) as T;
  } finally {
    loading--;
    for (const key of Object.keys(cache)) if (!before.has(key)) delete cache[key];
    for (const ext of Object.keys(program)) if (extensions[ext] === NODE_HANDLERS[ext]) extensions[ext] = program[ext];
  }
}

/**
 * A `require` for the module at `url`, made when first asked for: the first `createRequire()` of
 * a start costs ~0.1 ms, which a warm start that loads nothing through it need not pay.
 */
export function lazyRequire(url: string): () => NodeJS.Require {
  let require: NodeJS.Require | undefined;
  return () => (require ??= createRequire(url));
}
