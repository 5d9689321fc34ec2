/**
 * The main-thread end of Node 20's ES module hooks (esm-hooks.ts), which run in Node's hooks
 * thread. Each module they instrument starts with `__jsmtT("<module key>");` (esm-prefix.ts), which
 * registers it here before its body runs (the first registration starts `run`'s tracer). Its code,
 * sites and insertions are read when first needed, from the instrumentation cache entry that the
 * hooks thread read or wrote (`ModuleTransformer.esmRegistration`).
 * The hooks thread also lists the keys of the modules it instrumented in a SharedArrayBuffer, so
 * that a registry lookup that misses (a hoisted function that an import cycle calls before its
 * module's body ran, or its Function#toString) registers every module listed so far.
 *
 * (The tables used to travel on a MessagePort, but Node 20 kills a process whose preload passes a
 * port to `module.register`, and posting them cost every start ~0.25 ms a module.)
 */
import { registerTransformed } from './registration.js';
import type { ModuleTransformer } from './transform.js';
import type { Site } from '../instrument/types.js';
import { withTakeTables, withTakeTablesInserts } from './esm-prefix.js';
import { TAKE_TABLES } from '../runtime/probe.js';
import { setPendingTables } from '../runtime/registry.js';
import { listedSince } from './esm-list.js';
import { isTypeScript } from './scope.js';
import { typeScriptLoads } from './cjs-hook.js';

export function registerHooksThreadModules(transformer: ModuleTransformer, list: SharedArrayBuffer): void {
  const registered = new Set<string>();
  const take = (moduleKey: string): void => {
    if (registered.has(moduleKey)) return;
    registered.add(moduleKey);
    const file = transformer.esmFilename(moduleKey);
    // Its createRequire() may ask for './x.js' meaning x.ts.
    if (isTypeScript(file)) typeScriptLoads();
    // Nothing is read now: the tracer asks for the sites, Function#toString for the code and
    // insertions, each when first needed.
    let made: { code: string; sites: Site[]; inserts: readonly number[] } | undefined;
    const make = () => made ??= madeFor(transformer, moduleKey);
    registerTransformed({
      sites: { key: moduleKey, file, get sites() { return make().sites; } },
      get inserts() { return make().inserts; },
      get code() { return make().code; },
    });
  };
  let seen = 0;
  const takeListed = (): void => {
    const { keys, end } = listedSince(list, seen);
    seen = end;
    for (const key of keys) take(key);
  };
  (globalThis as Record<string, unknown>)[TAKE_TABLES] = take;
  setPendingTables(takeListed);
}

/** What runs is the hooks thread's output, prefixed; nothing when its file is gone. */
function madeFor(transformer: ModuleTransformer, moduleKey: string): { code: string; sites: Site[]; inserts: readonly number[] } {
  const out = transformer.esmRegistration(moduleKey);
  const r = out?.registration;
  if (r === undefined) return { code: '', sites: [], inserts: [] };
  const { code, at, length } = withTakeTables(out!.code, moduleKey);
  return { code, sites: r.sites.sites, inserts: withTakeTablesInserts(at, length, r.inserts) };
}
