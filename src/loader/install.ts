/**
 * `node --import jsmemtrace/register app.js`: defines the probe globals, then hooks module loading
 * so that every in-scope module (default: files under the cwd outside node_modules) is
 * instrumented before it runs. `jsmemtrace run` uses it too, with its configuration in
 * $JSMEMTRACE_CONFIG, which also names the tracer to start. `run` loads it through NODE_OPTIONS,
 * so every Node process and worker thread of the program that inherits the environment loads it,
 * and once: a module imported twice (argv and NODE_OPTIONS) is evaluated once per thread.
 */
const { writeFileSync } = process.getBuiltinModule('node:fs');
import * as nodeModule from 'node:module';
import { join } from 'node:path';
// node:worker_threads is fetched where needed: loading it costs ~2.5 ms of every start on Node 24.
const workerThreads = () => process.getBuiltinModule('node:worker_threads');
import { installProbe } from '../runtime/probe.js';
import { installFunctionSource } from '../runtime/function-source.js';
import { CONFIG_ENV, RUN_LOGS, RUN_LOGS_FILE, RUN_TRACED_FILE, configFromEnv, noModuleInScope, type JsmtConfig, type RunInfo, type RunLogs } from './config.js';
import { ModuleTransformer, writeStderr } from './transform.js';
import { installSyncHooks, type RegisterHooks } from './sync-hooks.js';
import { patchCompile, patchResolveFilename } from './cjs-hook.js';
import { listen } from './esm-channel.js';
import { onFirstModule } from './registration.js';

/** Set on the global when a loader is installed: a second copy (another install of jsmemtrace) stays out. */
const INSTALLED = Symbol.for('jsmemtrace.loader');
const g = globalThis as { [INSTALLED]?: string };

if (g[INSTALLED] !== undefined) {
  if (g[INSTALLED] !== import.meta.url) writeStderr(`jsmemtrace: warning: ${import.meta.url} ignored, the loader of ${g[INSTALLED]} is already installed`);
} else {
  g[INSTALLED] = import.meta.url;
  const config = configFromEnv(process.env, process.cwd(), writeStderr);
  installProbe();
  installFunctionSource();
  installHooks(config);
  const run = config.run;
  // Logs that the program's own tracers open are listed too, and say who wrote them.
  if (run !== undefined) (globalThis as { [RUN_LOGS]?: RunLogs })[RUN_LOGS] = { list: join(run.dir, RUN_LOGS_FILE), from: run.parent ?? run.pid };
  if (config.tracer !== undefined) await startTracer(config);
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

/**
 * Node's own on-disk cache of compiled code (Node 22.1+), next to ours: a warm start then skips
 * V8's compilation of the probed modules too (~8 ms of a 95 ms start on Node 24). Node keys it
 * by file and content, so it never serves stale code; it also serves the program's modules that
 * are not instrumented. A cache the user set up (NODE_COMPILE_CACHE) or turned off
 * (NODE_DISABLE_COMPILE_CACHE) wins: Node then answers "already enabled" or "disabled".
 */
function enableCompileCache(transformer: ModuleTransformer): void {
  const enable = (nodeModule as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    enable(join(transformer.cacheDir(), 'v8'));
  } catch { /* an unusable directory: Node compiles as it always did */ }
}

function installHooks(config: JsmtConfig): void {
  const transformer = new ModuleTransformer(config);
  enableCompileCache(transformer);
  // Also with registerHooks: CommonJS imported from ESM gets a require() that skips resolve hooks.
  patchResolveFilename();
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
  patchCompile(transformer, false);
  const { port1, port2 } = new (workerThreads().MessageChannel)();
  listen(port1);
  nodeModule.register(new URL('./esm-hooks.js', import.meta.url), {
    data: { port: port2, config },
    transferList: [port2],
  });
}

async function startTracer(config: JsmtConfig): Promise<void> {
  const url = new URL('../tracers/from-config.js', import.meta.url);
  let tracers: { startFromConfig(config: JsmtConfig): unknown };
  try {
    tracers = await import(url.href) as typeof tracers;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('from-config');
    writeStderr(missing ? 'jsmemtrace: tracing not available in this build; running untraced'
      : `jsmemtrace: cannot load the tracers (${(e as Error).message}); running untraced`);
    return;
  }
  const fail = (e: unknown) => writeStderr(`jsmemtrace: cannot start the ${config.tracer} tracer: ${(e as Error).message}; running untraced`);
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
