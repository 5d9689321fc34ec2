import { createRequire } from 'node:module';

/**
 * `require()` of one of jsmemtrace's own modules or dependencies that leaves nothing in
 * `require.cache`: the program shares that cache, and one that walks it would find jsmemtrace's
 * modules there. The exports returned are all jsmemtrace needs of them.
 */
export function requireOwn<T>(require: NodeJS.Require, id: string): T {
  const cache = require.cache;
  const before = new Set(Object.keys(cache));
  try {
    return require(id) as T;
  } finally {
    for (const key of Object.keys(cache)) if (!before.has(key)) delete cache[key];
  }
}

/**
 * A `require` for the module at `url`, made when first asked for: the first `createRequire()` of
 * a start costs ~0.1 ms, which a warm start that loads nothing through it need not pay.
 */
export function lazyRequire(url: string): () => NodeJS.Require {
  let require: NodeJS.Require | undefined;
  return () => (require ??= createRequire(url));
}
