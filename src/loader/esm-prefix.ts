/**
 * The statement that Node 20's hooks thread prefixes to each module it instruments (see
 * esm-channel.ts).
 */
import { TAKE_TABLES } from '../runtime/probe.js';

const LINE_END = /[\n\r\u2028\u2029]/;
const STATEMENT = `${TAKE_TABLES}();`;

/**
 * Prefixes `__jsmtT();` on the first line (after a hashbang line), adding no line break, and
 * records it among the insertions (Function#toString cuts them out again).
 */
export function withTakeTables(code: string, inserts: readonly number[]): { code: string; inserts: readonly number[] } {
  let at = 0;
  if (code.startsWith('#!')) {
    const end = code.search(LINE_END);
    // A file that is only a hashbang line has nothing to register.
    if (end < 0) return { code, inserts };
    at = code[end] === '\r' && code[end + 1] === '\n' ? end + 2 : end + 1;
  }
  // Nothing is inserted into a hashbang line, so `at` is also the offset in the original.
  const merged = inserts.length > 0 && inserts[0] === at
    ? [at, STATEMENT.length + inserts[1]!, ...inserts.slice(2)]
    : [at, STATEMENT.length, ...inserts];
  return { code: code.slice(0, at) + STATEMENT + code.slice(at), inserts: merged };
}
