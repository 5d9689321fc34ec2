/**
 * The loader proper, which register.ts (import) or register-cjs.cts (require) loads once Node's
 * compile cache is on (start.ts): defines the probe globals, then hooks module loading so that
 * every in-scope module (default: files under the cwd outside node_modules) is instrumented
 * before it runs, and starts the configured tracer.
 */
const { writeFileSync } = process.getBuiltinModule('node:fs');
const { join } = process.getBuiltinModule('node:path');
const nodeModule = process.getBuiltinModule('node:module');
const { createRequire } = nodeModule;
import { installProbe } from '../runtime/probe.js';
import { setDisplayRoot } from '../runtime/registry.js';
import { installFunctionSource } from '../runtime/function-source.js';
import { installStackColumns } from '../runtime/stack-columns.js';
import { CONFIG_ENV, RUN_LOGS, RUN_LOGS_FILE, RUN_TRACED_FILE, configFromEnv, noModuleInScope, type JsmtConfig, type RunInfo, type RunLogs } from './config.js';
import { ModuleTransformer } from './transform.js';
import { writeStderr } from './stderr.js';
import { installSyncHooks, type RegisterHooks } from './sync-hooks.js';
import { patchCompile } from './cjs-hook.js';
import { registerHooksThreadModules } from './esm-channel.js';
import { newModuleList } from './esm-list.js';
import { commonJSEntry, startWhenNeeded } from './lazy-esm.js';
import { onFirstModule } from './registration.js';

/**
 * Installs the loader for `config`, caching in `cacheDir`; once per thread (start.ts `prepare`
 * sees to it). `preloaded`: by register-cjs.cts, before the entry point (see `installHooks`).
 */
export function install(config: JsmtConfig, cacheDir: string, preloaded = false): void {
  installProbe();
  installFunctionSource();
  installStackColumns();
  installHooks(config, cacheDir, preloaded);
  const run = config.run;
  // Logs that the program's own tracers open are listed too, and say who wrote them.
  if (run !== undefined) {
    setDisplayRoot(config.root);
    const logs: RunLogs = { list: join(run.dir, RUN_LOGS_FILE), from: run.parent ?? run.pid };
    Object.defineProperty(globalThis, RUN_LOGS, { value: logs, writable: true, configurable: true }); // not enumerable, as INSTALLED
  }
  if (config.tracer !== undefined) startTracer(config);
  else if (run !== undefined) onFirstModule(() => traced(run));
}

/**
 * This process of a run instruments (and traces) its modules: the processes it starts from now on
 * inherit its pid as where they come from, so that the tree skips what came between (a shell,
 * npm) and wrote no log; and `run` learns that something was traced.
 */
function traced(run: RunInfo): void {
  try {
    writeFileSync(join(run.dir, RUN_TRACED_FILE), '', { flag: 'a' });
  } catch { /* run is gone: nobody to tell */ }
  // As the program left it: it may have changed its environment before its first module loaded.
  const config = configFromEnv(process.env, process.cwd(), () => {});
  // Already ours in a worker thread of this process, whose environment is a copy of the main
  // thread's (not asking node:worker_threads, whose loading costs 5-10 ms of a start on Node 24).
  if (config.run !== undefined && config.run.parent !== process.pid) {
    process.env[CONFIG_ENV] = JSON.stringify({ ...config, run: { ...config.run, parent: process.pid } });
  }
}

function installHooks(config: JsmtConfig, cacheDir: string, preloaded: boolean): void {
  const transformer = new ModuleTransformer(config, cacheDir);
  const registerHooks = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks === 'function') {
    // JavaScript CommonJS goes through the CommonJS loader untouched and is instrumented in
    // Module.prototype._compile. The source a load hook returns is also what Node reads an ES
    // module's named imports from (cjs-module-lexer): probes there hide `module.exports = {a, b}`,
    // `require()` re-exports and TypeScript's `__exportStar` (vite's `import { build } from
    // 'esbuild'` failed on Node 24). On Node 22, the ESM loader's CommonJS translator given that
    // source also fails require() of an ES module (ERR_VM_MODULE_LINK_FAILURE).
    installSyncHooks(registerHooks, transformer);
    patchCompile(transformer, true);
    return;
  }
  const registerEsmHooks = () => {
    // Node's hooks thread is a worker, which Node 20's permission model may deny (without
    // `--allow-worker`): module.register() would throw and kill the program. Its ES modules run
    // as they are then (said under a tracer, which traces none of them).
    const permission = (process as { permission?: { has(scope: string): boolean } }).permission;
    if (permission !== undefined && !permission.has('worker')) {
      if (config.tracer !== undefined) writeStderr('jsmemtrace: warning: worker threads are not allowed (--allow-worker): ES modules run uninstrumented');
      return;
    }
    const list = newModuleList();
    registerHooksThreadModules(transformer, list);
    nodeModule.register(new URL('./esm-hooks.js', import.meta.url), { data: { config, list } });
  };
  // Node 20's ES module hooks start when first needed where the program starts from a CommonJS
  // entry point (lazy-esm.ts); a worker thread's entry point is not known to a preload.
  const lazyEsm = preloaded && process.getBuiltinModule('node:worker_threads').isMainThread
    && commonJSEntry(process.argv[1], process.execArgv, process.env.NODE_OPTIONS);
  patchCompile(transformer, false, lazyEsm ? startWhenNeeded(registerEsmHooks) : undefined);
  if (!lazyEsm) registerEsmHooks();
}

function startTracer(config: JsmtConfig): void {
  let tracers: { startFromConfig(config: JsmtConfig): unknown };
  try {
    // require() of ES modules (Node 20.19+): synchronous, so that the CommonJS preload
    // (register-cjs.cts) has the tracer ready before the program's first module.
    const require = createRequire(import.meta.url);
    tracers = require('../tracers/from-config.js') as typeof tracers;
    // Out of the program's require.cache (the module itself stays loaded, an ES module).
    delete require.cache[require.resolve('../tracers/from-config.js')];
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const missing = (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String((e as Error).message).includes('from-config');
    writeStderr(missing ? 'jsmemtrace: tracing not available in this build; running untraced'
      : `jsmemtrace: cannot load the tracers (${(e as Error).message}); running untraced`);
    return;
  }
  const fail = (e: unknown) => writeStderr(`jsmemtrace: cannot start the ${config.tracer} tracer: ${withoutFullStop(String((e as Error).message))}; running untraced`);
  const run = config.run;
  let started = false;
  // Under `run`, the run says it once for the whole program, which may well start Node processes
  // (npm, a build tool) that load none of its modules.
  if (run === undefined) {
    process.once('exit', () => {
      if (!started) writeStderr(noModuleInScope(config.root));
    });
  }
  onFirstModule(() => {
    started = true;
    if (run !== undefined) traced(run);
    try {
      const result = tracers.startFromConfig(config);
      if (result instanceof Promise) result.catch(fail);
    } catch (e) {
      fail(e);
    }
  });
}

/** `text` without a full stop at its end (no regular expression: regexp-statics.ts). */
function withoutFullStop(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}
