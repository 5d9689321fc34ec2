/**
 * The main-thread end of the hooks thread's hand-over (see esm-hooks.ts). Every module that the
 * hooks thread instruments starts with `import"jsmemtrace:N";` (esm-prefix.ts), which resolves to
 * a fresh instance of esm-sync.js; evaluating it drains this port synchronously (through a
 * global, `TAKE_TABLES`), so the module's site table is registered before the module's own body,
 * even inside an import cycle: a module's first import is evaluated before anything else of it,
 * and its functions can only be reached through an import of it.
 */
import type { MessagePort } from 'node:worker_threads';
import { registerTransformed } from './registration.js';
import type { Registration } from './transform.js';
import { unpackSites, type PackedSites } from '../instrument/packed-sites.js';
import { TAKE_TABLES } from './esm-prefix.js';

let port: MessagePort | undefined;

export function listen(p: MessagePort): void {
  port = p;
  // Only read synchronously: it must never keep the program alive.
  p.unref();
  Object.defineProperty(globalThis, Symbol.for(TAKE_TABLES), { value: drainTables, configurable: true });
}

export function drainTables(): void {
  if (port === undefined) return;
  // Only the Node 20 loader has a port: others never load node:worker_threads for it.
  const { receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const r = m.message as Omit<Registration, 'sites'> & { sites: PackedSites };
    registerTransformed({ ...r, sites: unpackSites(r.sites) });
  }
}
