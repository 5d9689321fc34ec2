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
