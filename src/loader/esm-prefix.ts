/**
 * The import statement that the hooks thread prefixes to each module it instruments, and the
 * module it resolves to (see esm-channel.ts). Kept free of imports: the hooks thread loads it.
 */
export const SYNC_SPECIFIER = 'jsmemtrace:';
export const SYNC_URL = new URL('./esm-sync.js', import.meta.url).href;
/**
 * Where the main thread keeps the function that drains the port (esm-channel.ts): a global, so that
 * the module needs no import of its own (an import from each instance of it cost Node 20 one more
 * request to the hooks thread per instrumented module).
 */
export const TAKE_TABLES = 'jsmemtrace.take-tables';
/** esm-sync.js's own text, served from memory (saves a file read per module). */
export const syncModuleSource = `globalThis[Symbol.for(${JSON.stringify(TAKE_TABLES)})]?.();\n`;

const LINE_END = /[\n\r\u2028\u2029]/;

/**
 * Prefixes `import"jsmemtrace:N";` on the first line (after a hashbang line), adding no line
 * break, and records it among the insertions (Function#toString cuts them out again).
 */
export function withSyncImport(code: string, inserts: readonly number[], n: number): { code: string; inserts: readonly number[] } {
  const statement = `import"${SYNC_SPECIFIER}${n}";`;
  let at = 0;
  if (code.startsWith('#!')) {
    const end = code.search(LINE_END);
    // A file that is only a hashbang line has nothing to register.
    if (end < 0) return { code, inserts };
    at = code[end] === '\r' && code[end + 1] === '\n' ? end + 2 : end + 1;
  }
  // Nothing is inserted into a hashbang line, so `at` is also the offset in the original.
  const merged = inserts.length > 0 && inserts[0] === at
    ? [at, statement.length + inserts[1]!, ...inserts.slice(2)]
    : [at, statement.length, ...inserts];
  return { code: code.slice(0, at) + statement + code.slice(at), inserts: merged };
}
