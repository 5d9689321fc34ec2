/**
 * The statement that Node 20's hooks thread prefixes to each module it instruments (see
 * esm-channel.ts): `__jsmtT("<module key>");`. The key as a string, not the module-key function:
 * a module with no probe (`let a = 1;` under `--reftrace`) has none, and must register too (its
 * registration starts `run`'s tracer, and tells `run` that something was traced).
 */
import { TAKE_TABLES } from '../runtime/probe.js';
import { isLineBreak, stringLiteral } from '../instrument/lines.js';

/**
 * The statement for `key`: a JavaScript string literal with no line terminator in it. (String
 * methods here: Node 20's main thread makes it too, as the program runs, regexp-statics.ts.)
 */
function statement(key: string): string {
  return `${TAKE_TABLES}(${stringLiteral(key)});`;
}

/** Where the first line of `code` ends (its first line terminator), or -1. */
function firstLineEnd(code: string): number {
  for (let k = 0; k < code.length; k++) if (isLineBreak(code.charCodeAt(k))) return k;
  return -1;
}

/**
 * Prefixes the statement on the first line (after a hashbang line), adding no line break. `at`:
 * where it went, in the code and in the original alike (nothing is inserted into a hashbang
 * line); -1 for a file that is only a hashbang line, which has nothing to register.
 */
export function withTakeTables(code: string, key: string): { code: string; at: number; length: number } {
  let at = 0;
  if (code.startsWith('#!')) {
    const end = firstLineEnd(code);
    if (end < 0) return { code, at: -1, length: 0 };
    at = code[end] === '\r' && code[end + 1] === '\n' ? end + 2 : end + 1;
  }
  const prefix = statement(key);
  return { code: code.slice(0, at) + prefix + code.slice(at), at, length: prefix.length };
}

/** The insertions of the prefixed code (Function#toString cuts them out again), from the code's. */
export function withTakeTablesInserts(at: number, length: number, inserts: readonly number[]): number[] {
  if (at < 0) return [...inserts];
  return inserts.length > 0 && inserts[0] === at
    ? [at, length + inserts[1]!, ...inserts.slice(2)]
    : [at, length, ...inserts];
}
