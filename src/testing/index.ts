/**
 * `jsmemtrace/test`: memory assertions for test suites (docs/testing.md). Both return a promise:
 * `await` (or return) it in the test.
 *
 * Loaded natively (node --test, or a runner that leaves jsmemtrace to Node), this copy is the
 * one the probes call. Loaded by a runner's own module system, it is a second copy: it then
 * defers to the copy that jsmemtrace's runner integration published (shared.ts), and without one
 * its assertions fail with an error that says how to run the tests.
 */
import type { parseBytes as ParseBytes } from './bytes.js';
import type { assertNoLeaks as AssertNoLeaks, NoLeaksOptions } from './leaks.js';
import type { assertMemoryBelow as AssertMemoryBelow, MemoryBelowOptions } from './memory.js';
import { API, localApi, type TestApi } from './shared.js';

export type { NoLeaksOptions, MemoryBelowOptions };

function api(): TestApi {
  return (globalThis as { [API]?: TestApi })[API] ?? localApi;
}

/**
 * Runs `fn` (sync or async) once untraced, then 5 times under reference tracing, and rejects with
 * an AssertionError listing the leaked types, their counts and allocation sites when objects it
 * created survive every call. Options: `repeat`, `warmup`, `allow: { Type: n }` (objects each
 * call may keep), `types`, `excludeTypes`, `includeBuiltins`, `settle` (docs/testing.md).
 */
export const assertNoLeaks: typeof AssertNoLeaks = (fn, opts) => api().assertNoLeaks(fn, opts);
/**
 * Runs `fn` (sync or async) once under a Profile and rejects with an AssertionError when it grew
 * RSS (peak during the call; or `{ measure: 'heap' }`: V8 heap retained after a full GC) by more
 * than `limit`: bytes, or '10 MB' (powers of 1000) / '512 KiB' (powers of 1024).
 */
export const assertMemoryBelow: typeof AssertMemoryBelow = (fn, limit, opts) => api().assertMemoryBelow(fn, limit, opts);
/** Bytes from a number or a size such as '10 MB' (powers of 1000) or '512 KiB' (powers of 1024); a TypeError otherwise. */
export const parseBytes: typeof ParseBytes = (limit, what) => api().parseBytes(limit, what);
