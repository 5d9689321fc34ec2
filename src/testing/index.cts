/**
 * `require('jsmemtrace/test')`. Natively (Node >= 20.19 can require an ES module graph without
 * top-level await) it is the ES module itself. In Jest's sandbox, whose `require` cannot load an
 * ES module, it is the copy that jsmemtrace/jest-environment published (shared.ts); without that
 * environment the assertions reject with an error that says how to set Jest up.
 */
const shared: unknown = (globalThis as Record<symbol, unknown>)[Symbol.for('jsmemtrace.test')];

const JEST_SETUP = 'jsmemtrace/test: under Jest, set testEnvironment: \'jsmemtrace/jest-environment\' and ' +
  'transform: { \'\\\\.[cm]?js$\': \'jsmemtrace/jest-transform\' } in jest.config (docs/testing.md)';

function load(): unknown {
  if (shared !== undefined) return shared;
  try {
    return require('./index.js');
  } catch (e) {
    // Jest's require refuses ES modules (its message, kept below, says so on every version).
    const error = (): Error => new Error(`${JEST_SETUP}\n(cannot load jsmemtrace/test here: ${(e as Error).message.split('\n', 1)[0]})`);
    const fail = (): Promise<never> => Promise.reject(error());
    return { assertNoLeaks: fail, assertMemoryBelow: fail, parseBytes: () => { throw error(); } };
  }
}

export = load();
