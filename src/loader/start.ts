/**
 * What the loader does first, from either entry: `register.ts` (`--import`) and
 * `register-cjs.cts` (`--require`, what `jsmemtrace run` uses). It reads the configuration,
 * decides the cache directory and turns Node's compile cache on, before the loader proper
 * (install.ts, and the runtime) is loaded and compiled: Node serves from that cache only what it
 * compiles after it is on.
 */
const { join, dirname, basename } = process.getBuiltinModule('node:path');
const { openSync, fstatSync, readFileSync, closeSync, writeFileSync, renameSync, unlinkSync, readdirSync, statSync } = process.getBuiltinModule('node:fs');
const nodeModule = process.getBuiltinModule('node:module');
import { configFromEnv, type JsmtConfig } from './config.js';
import { UNUSED_ENTRY_MS, contentHash, defaultCacheDir, makeDirectory } from '../instrument/cache.js';
import { debugLoader, writeStderr } from './stderr.js';

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
 * it, with the runtime core that it requires (`loadBundle`). Never in the program's
 * `require.cache`, as Node's own modules are not.
 */
export function requireInstall(entry: string, cacheDir: string): typeof import('./install.js') {
  const require = nodeModule.createRequire(entry);
  const load = (file: string): unknown => {
    try {
      return loadBundle(file, require, cacheDir, load);
    } catch (e) {
      // Our code cache unusable (`vm` refused it, a file system that denies reads): as Node would.
      if (e instanceof OwnCodeError) return requireUncached(require, file);
      throw e;
    }
  };
  return load(require.resolve('./install.cjs')) as typeof import('./install.js');
}

/** What the loader's bundle requires the runtime core as (`globalThis[…] ?? require(…)`, see post-build.mjs `coreInstance`). */
const CORE_SPECIFIER = './../runtime/core.cjs';

class OwnCodeError extends Error {}

function requireUncached(require: NodeJS.Require, file: string): unknown {
  try {
    return require(file);
  } finally {
    delete require.cache[file];
  }
}

/**
 * One of jsmemtrace's CommonJS bundles (install.cjs, the runtime's core.cjs), compiled with a V8
 * code cache of our own, next to Node's (`<cache>/v8/jsmemtrace-<bundle>-<key>.code`). Node's
 * compile cache makes a module's entry when it compiles it, before any of its functions ran: the
 * functions that a start calls (the configuration, the hooks, the cache lookups, the registry)
 * were compiled again at every start, ~6 M instructions of a warm start on Node 22, and Node 20
 * has no compile cache at all. This cache is made once the program has run (`exit`), when there
 * was none or V8 refused it (another Node, other V8 flags), and holds every function compiled by
 * then. Keyed by the file (size, inode, change time: V8 itself checks only the source's length),
 * the Node version and the options Node started with.
 */
function loadBundle(file: string, require: NodeJS.Require, cacheDir: string, load: (file: string) => unknown): unknown {
  let source: string;
  let key: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const st = fstatSync(fd);
      source = readFileSync(fd, 'utf8');
      key = contentHash([String(st.size), String(st.ino), String(st.ctimeMs), process.version, process.arch,
        process.execArgv.join('\0'), process.env.NODE_OPTIONS ?? '']).slice(0, 16);
    } finally {
      closeSync(fd);
    }
  } catch {
    throw new OwnCodeError();
  }
  const codeFile = join(cacheDir, 'v8', `jsmemtrace-${basename(file)}-${key}.code`);
  let stored: Buffer | undefined;
  try {
    stored = readFileSync(codeFile);
  } catch { /* none yet */ }
  const cachedData = stored === undefined ? undefined : whole(stored);
  const vm = process.getBuiltinModule('node:vm');
  let script: import('node:vm').Script;
  try {
    // On one line with the code's first: the code's lines keep their numbers in stack traces.
    script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  } catch {
    throw new OwnCodeError();
  }
  const made = cachedData === undefined || script.cachedDataRejected === true;
  if (debugLoader) writeStderr(`jsmemtrace[loader]: load ${file} (code cache ${stored === undefined ? 'miss' : cachedData === undefined ? 'damaged' : made ? 'rejected' : 'hit'})`);
  if (made) process.once('exit', () => saveCode(script, codeFile));
  const module = { exports: {} as unknown };
  const dir = dirname(file);
  const requireHere = Object.assign((id: string) => id === CORE_SPECIFIER ? load(join(dir, id)) : require(id), { cache: require.cache, resolve: require.resolve });
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, requireHere, module, file, dir);
  return module.exports;
}

/**
 * The code cache that a file of `saveCode` holds, or undefined when it is damaged. V8 checks a code
 * cache's header (its version, flags, the source's length, the length of the data), not the data:
 * data damaged on disk would crash the process as V8 reads it. Node checks a checksum of its own
 * cache natively; the only native hash here is in node:zlib or node:crypto, whose loading costs
 * 3-20 ms of a start, and one in JavaScript ~2 ms for these ~90 kB in a start's cold code. So a
 * file holds the data twice, compared natively (~10 µs).
 */
function whole(bytes: Buffer): Buffer | undefined {
  const half = bytes.length / 2;
  if (half === 0 || !Number.isInteger(half)) return undefined;
  const data = bytes.subarray(0, half);
  return data.equals(bytes.subarray(half)) ? data : undefined;
}

/** Writes `script`'s code cache to `codeFile` (atomically, twice over: see `whole`), and removes ours that nobody used for a week. */
function saveCode(script: import('node:vm').Script, codeFile: string): void {
  const dir = dirname(codeFile);
  const temp = `${codeFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const data = script.createCachedData();
    makeDirectory(dir);
    writeFileSync(temp, Buffer.concat([data, data]));
    renameSync(temp, codeFile);
    const now = Date.now();
    for (const name of readdirSync(dir)) {
      if (!name.startsWith('jsmemtrace-')) continue;
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (st !== undefined && now - Math.max(st.atimeMs, st.mtimeMs) > UNUSED_ENTRY_MS) unlinkSync(path);
    }
  } catch {
    // Unwritable: the next start compiles the loader as this one did (the instrumentation cache
    // says once that the directory is unusable).
    try {
      unlinkSync(temp);
    } catch { /* never made */ }
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
