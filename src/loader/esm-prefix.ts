/**
 * The statement that Node 20's hooks thread prefixes to each module it instruments (see
 * esm-channel.ts).
 */
import { TAKE_TABLES } from '../runtime/probe.js';
import { MODULE_KEY_DECL } from '../instrument/types.js';

const LINE_END = /[\n\r\u2028\u2029]/;
const STATEMENT = `${TAKE_TABLES}(__jsmt$m);`;

/**
 * Prefixes `__jsmtT(__jsmt$m);` (the module-key function, hoisted) on the first line (after a
 * hashbang line), adding no line break. `at`: where it went, in the code and in the original
 * alike (nothing is inserted into a hashbang line); -1 for code with nothing to register (no
 * probe, so no module-key function), which is left as it is.
 */
export function withTakeTables(code: string): { code: string; at: number } {
  if (!code.includes(MODULE_KEY_DECL)) return { code, at: -1 };
  let at = 0;
  if (code.startsWith('#!')) {
    const end = code.search(LINE_END);
    if (end < 0) return { code, at: -1 };
    at = code[end] === '\r' && code[end + 1] === '\n' ? end + 2 : end + 1;
  }
  return { code: code.slice(0, at) + STATEMENT + code.slice(at), at };
}

/** The insertions of the prefixed code (Function#toString cuts them out again), from the code's. */
export function withTakeTablesInserts(at: number, inserts: readonly number[]): number[] {
  if (at < 0) return [...inserts];
  return inserts.length > 0 && inserts[0] === at
    ? [at, STATEMENT.length + inserts[1]!, ...inserts.slice(2)]
    : [at, STATEMENT.length, ...inserts];
}
