/**
 * The main-thread end of Node 20's hand-over (see esm-hooks.ts and docs/ARCHITECTURE.md). The
 * hooks thread posts each instrumented module's table on this port before it returns the module's
 * source, so the table is on the port before any of the module's code can run. It is taken off
 * the port synchronously, and registered:
 * - by the registry, when a lookup misses (a probe's tracer, Function#toString), so a hoisted
 *   function that an import cycle calls before its module's body ran still finds its module;
 * - by the statement `__jsmtT();` that starts each such module's body: the first registration
 *   starts `run`'s tracer, before the first instrumented module's body runs.
 * (A first import of a module of our own did both, but it cost Node 20 two more requests to the
 * hooks thread and one more module per instrumented module.)
 */
import type { MessagePort } from 'node:worker_threads';
import { registerTransformed } from './registration.js';
import type { CachedModule, ModuleTransformer, Registration } from './transform.js';
import { withTakeTablesInserts } from './esm-prefix.js';
import { unpackSites, type PackedSites } from '../instrument/packed-sites.js';
import { TAKE_TABLES } from '../runtime/probe.js';
import { setPendingTables } from '../runtime/registry.js';

/** What esm-hooks.ts posts: a whole registration, or a cache hit's (see `emit` there). */
type Posted = (Omit<Registration, 'sites'> & { sites: PackedSites }) | { cached: CachedModule; code: string; at: number };

let port: MessagePort | undefined;
let transformer: ModuleTransformer | undefined;

/** `t`: reads the entries of cache hits again, when their sites are first needed. */
export function listen(p: MessagePort, t: ModuleTransformer): void {
  port = p;
  transformer = t;
  // Only read synchronously: it must never keep the program alive.
  p.unref();
  (globalThis as Record<string, unknown>)[TAKE_TABLES] = drainTables;
  setPendingTables(drainTables);
}

export function drainTables(): void {
  if (port === undefined) return;
  // Only the Node 20 loader has a port: others never load node:worker_threads for it.
  const { receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const r = m.message as Posted;
    if ('cached' in r) registerTransformed(transformer!.cachedRegistration(r.cached, r.code, (inserts) => withTakeTablesInserts(r.at, inserts)));
    else registerTransformed({ ...r, sites: unpackSites(r.sites) });
  }
}
