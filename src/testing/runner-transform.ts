/**
 * Instrumentation for test runners that load modules themselves (Vitest's plugin, Jest's
 * transform). Their output may be cached or produced in another process than the one that runs
 * it, so each module carries its site table and registers it from its first statement, just
 * after the module-key function the instrumenter declares (so after any directive prologue).
 */
import { instrument } from '../instrument/index.js';
import { stringLiteral } from '../instrument/lines.js';
import { MODULE_KEY_DECL, type InstrumentResult } from '../instrument/types.js';
import { createScope, type ScopeTest } from '../loader/scope.js';
import { writeStderr } from '../loader/stderr.js';

const EXTENSIONS = /\.[cm]?[jt]s$/i;
const scopes = new Map<string, ScopeTest>();

/** The loader's default scope (loader/scope.ts) at `root`, for files with a JavaScript or TypeScript extension. */
export function inRunnerScope(root: string, filename: string): boolean {
  let scope = scopes.get(root);
  if (scope === undefined) scopes.set(root, scope = createScope(root, [], []));
  return EXTENSIONS.test(filename) && scope(filename);
}

/**
 * `source` instrumented (every probe kind), with the registration of its sites. When the module
 * runs where jsmemtrace's runtime is not installed, it throws an error that says what to set up.
 */
function instrumentForRunner(source: string, filename: string, sourceType: 'module' | 'commonjs', setupHint: string): string {
  const result: InstrumentResult = instrument(source, { filename, sourceType, moduleKey: filename });
  const decl = `${MODULE_KEY_DECL}${stringLiteral(result.sites.key)}}`;
  const at = result.code.indexOf(decl);
  if (at < 0) throw new Error(`jsmemtrace: cannot find the module-key function in the instrumented ${filename}`);
  const missing = stringLiteral(`jsmemtrace: ${filename} was instrumented but runs without jsmemtrace's runtime: ${setupHint}`);
  const register = `;(globalThis[Symbol.for("jsmemtrace.sites")]||function(){throw new Error(${missing})})(${JSON.stringify(result.sites)});`;
  const end = at + decl.length;
  return result.code.slice(0, end) + register + result.code.slice(end);
}

const warned = new Set<string>();

/**
 * `instrumentForRunner`, or null when `filename` cannot be instrumented (a syntax the parser
 * refuses): the module then runs as it is, with one warning per file.
 */
export function tryInstrumentForRunner(source: string, filename: string, sourceType: 'module' | 'commonjs', setupHint: string): string | null {
  try {
    return instrumentForRunner(source, filename, sourceType, setupHint);
  } catch (e) {
    if (!warned.has(filename)) {
      warned.add(filename);
      writeStderr(`jsmemtrace: warning: ${filename} runs uninstrumented: ${(e as Error).message.split('\n', 1)[0]}`);
    }
    return null;
  }
}
