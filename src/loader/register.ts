/**
 * `node --import jsmemtrace/register app.js`: defines the probe globals, then hooks module loading
 * so that every in-scope module (default: files under the cwd outside node_modules) is
 * instrumented before it runs. `jsmemtrace run` uses it too, with its configuration in
 * $JSMEMTRACE_CONFIG, which also names the tracer to start.
 */
import * as nodeModule from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { installProbe } from '../runtime/probe.js';
import { installFunctionSource } from '../runtime/function-source.js';
import { configFromEnv, type JsmtConfig } from './config.js';
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
  if (config.tracer !== undefined) await startTracer(config);
}

function installHooks(config: JsmtConfig): void {
  const transformer = new ModuleTransformer(config);
  // Also with registerHooks: CommonJS imported from ESM gets a require() that skips resolve hooks.
  patchResolveFilename();
  const registerHooks = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks === 'function') {
    installSyncHooks(registerHooks, transformer);
    return;
  }
  patchCompile(transformer);
  const { port1, port2 } = new MessageChannel();
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
  let started = false;
  process.once('exit', () => {
    if (!started) writeStderr(`jsmemtrace: no module in scope was loaded, so nothing was traced (scope: files under ${config.root} outside node_modules; see --instrument)`);
  });
  onFirstModule(() => {
    started = true;
    try {
      const result = tracers.startFromConfig(config);
      if (result instanceof Promise) result.catch(fail);
    } catch (e) {
      fail(e);
    }
  });
}
