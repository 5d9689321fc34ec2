/**
 * Node 20 has no `module.registerHooks`: ES modules are seen only by `module.register`'s hooks
 * thread, whose start costs ~35 ms. Where the entry point is CommonJS, the loader (a preload,
 * register-cjs.cts) instruments CommonJS in `Module.prototype._compile` and starts the hooks
 * thread only when the program may load an ES module: before it compiles a module whose text
 * holds `import(`, or an ES module that `require()` loads (Node 20.19+).
 */
const nodeModule = process.getBuiltinModule('node:module');
const { resolve } = process.getBuiltinModule('node:path');
// Node's own, as the loader found it: a program may fake timers (sinon) before it loads a module.
const { setImmediate } = process.getBuiltinModule('node:timers');
import { packageType } from './format.js';
import { isRegExpSpace, wordAt } from '../instrument/lines.js';
import { keepingRegExpStatics } from './regexp-statics.js';

/** Options with which Node 20 runs the entry point from its ES module loader whatever it is. */
const ESM_LOADER_OPTIONS = ['--import', '--loader', '--experimental-loader', '--experimental-default-type', '--experimental-detect-module'];

/** `o` is one of ESM_LOADER_OPTIONS, or one of them with `=` and a value. */
function esmLoaderOption(o: string): boolean {
  return ESM_LOADER_OPTIONS.some((name) => o.startsWith(name) && (o.length === name.length || o.charCodeAt(name.length) === 0x3d));
}

/**
 * Whether Node 20 runs `main` (as given on its command line) as CommonJS with these options:
 * its `shouldUseESMLoader`, for options the loader can see (`execArgv` and NODE_OPTIONS).
 */
export function commonJSEntry(main: string | undefined, execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  if (main === undefined) return false;
  // (String methods, no regular expression: this runs before the program, whose `RegExp.$1`… are
  // then empty, regexp-statics.ts.)
  const options = [...execArgv, ...spaceSeparated(nodeOptions ?? '')];
  if (options.some(esmLoaderOption)) return false;
  let path: string | false;
  try {
    path = (nodeModule as unknown as { _findPath(request: string, paths: null, isMain: boolean): string | false })._findPath(resolve(main), null, true);
  } catch {
    return false;
  }
  if (path === false || path.endsWith('.mjs')) return false;
  if (path.endsWith('.cjs')) return true;
  return packageType(path) !== 'module';
}

/**
 * Whether `content` holds `import(` as code or text (`/\bimport\s*\(/`): a string that holds it
 * costs an early start of the hooks thread, nothing worse. Asked of every CommonJS module until
 * then: without a regular expression, whose match would replace the program's `RegExp.$1`…
 */
export function hasDynamicImport(content: string): boolean {
  for (let k = wordAt(content, 'import'); k >= 0; k = wordAt(content, 'import', k + 1)) {
    let j = k + 6;
    while (isRegExpSpace(content.charCodeAt(j))) j++;
    if (content.charCodeAt(j) === 0x28) return true;
  }
  return false;
}

/**
 * For `patchCompile`: calls `start` once, before the first module that may load an ES module is
 * compiled, with the `process.nextTick` callbacks it queues run from an immediate instead (the
 * resumption of the hooks thread's stdio pipes; its `worker` event, which plainly has no thread to
 * tell of, is dropped). Queued in the middle of the program's code, they would make Node run its
 * pending promise callbacks from `processTicksAndRejections`, a frame more at the bottom of their
 * stacks than plainly, and a program's `process.on('worker')` would see the hooks thread.
 */
export function startWhenNeeded(start: () => void): (content: string, format: unknown) => void {
  let started = false;
  return (content, format) => {
    if (started || (format !== 'module' && !hasDynamicImport(content))) return;
    started = true;
    // (Node's start of the hooks thread may match regular expressions: regexp-statics.ts.)
    keepingRegExpStatics(() => withTicksDeferred(start));
  };
}

/** Runs `fn` with `process.nextTick` queueing its callbacks for one immediate, run in order. */
function withTicksDeferred(fn: () => void): void {
  const deferred: Array<() => void> = [];
  const nextTick = process.nextTick;
  process.nextTick = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    deferred.push(() => callback(...args));
  };
  try {
    fn();
  } finally {
    process.nextTick = nextTick;
    // Ticks the callbacks queue in turn run after them, before the next immediate: none of the
    // program's code is on the stack.
    if (deferred.length > 0) setImmediate(runDropping, deferred);
  }
}

/** Runs `callbacks` with the `worker` events they emit on `process` left out. */
function runDropping(callbacks: Array<() => void>): void {
  const emit = process.emit;
  process.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    return event === 'worker' ? false : Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof process.emit;
  try {
    for (const callback of callbacks) callback();
  } finally {
    process.emit = emit;
  }
}

/** The words of `text` separated by white space (`text.split(/\s+/)`, empty ones left out). */
function spaceSeparated(text: string): string[] {
  const words: string[] = [];
  let from = -1;
  for (let k = 0; k <= text.length; k++) {
    const space = k === text.length || isRegExpSpace(text.charCodeAt(k));
    if (space && from >= 0) {
      words.push(text.slice(from, k));
      from = -1;
    } else if (!space && from < 0) from = k;
  }
  return words;
}
