/**
 * Test runners load test code through module systems of their own (Vitest's vite-node, Jest's
 * sandbox), where an `import 'jsmemtrace/test'` can give a second copy of jsmemtrace, apart from
 * the runtime that the probes call. So the copy loaded natively publishes what the others need
 * on the global object, under registered symbols (one registry per process, shared by every realm):
 * the assertions, and the function that registers a module's sites from its own first line.
 */
import { parseBytes } from './bytes.js';
import { assertNoLeaks } from './leaks.js';
import { assertMemoryBelow } from './memory.js';
import { registerSites } from './runner-sites.js';

export const API = Symbol.for('jsmemtrace.test');
const SITES = Symbol.for('jsmemtrace.sites');

export interface TestApi {
  assertNoLeaks: typeof assertNoLeaks;
  assertMemoryBelow: typeof assertMemoryBelow;
  parseBytes: typeof parseBytes;
}

export const localApi: TestApi = { assertNoLeaks, assertMemoryBelow, parseBytes };

/** Makes this copy's assertions and site registration the ones that code in `target` (a global object) uses. */
export function publish(target: object): void {
  Object.defineProperty(target, API, { value: localApi, configurable: true });
  Object.defineProperty(target, SITES, { value: registerSites, configurable: true });
}
