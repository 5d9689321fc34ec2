/**
 * The test process must run instrumented code: objects are only seen through the probes that the
 * loader (or a test runner's transform) inserts. A clear error that says how, per runner.
 */
import { configFromEnv } from '../loader/config.js';
import { isPublishedProbe } from '../runtime/probe.js';
import { registeredModuleCount } from '../runtime/registry.js';
import { runnerModuleCount } from './runner-sites.js';

const HOW_TO_RUN = [
  '  node --test:  jsmemtrace run -- node --test   (or: node --import jsmemtrace/register --test)',
  "  Vitest:       plugins: [jsmemtrace()] in vitest.config, with `import jsmemtrace from 'jsmemtrace/vitest'`",
  "  Jest:         testEnvironment: 'jsmemtrace/jest-environment' and transform: { '\\\\.[cm]?js$': 'jsmemtrace/jest-transform' } in jest.config",
  '  (see docs/testing.md)',
].join('\n');

/** Throws when no instrumented code runs in this thread, or this copy of jsmemtrace is not the one the probes call. */
export function checkInstrumented(caller: string): void {
  const installed = (globalThis as { __jsmt$?: unknown }).__jsmt$;
  if (installed === undefined) {
    throw new Error(`${caller}: this test process does not run under jsmemtrace's loader, so no allocation can be seen. ` +
      `Run the tests instrumented:\n${HOW_TO_RUN}`);
  }
  if (!isPublishedProbe(installed)) {
    throw new Error(`${caller}: jsmemtrace/test was loaded through the test runner's own module system, apart from ` +
      `the jsmemtrace runtime that the probes call. Use jsmemtrace's integration for your runner:\n${HOW_TO_RUN}`);
  }
  if (registeredModuleCount() === 0) {
    throw new Error(`${caller}: jsmemtrace's runtime is loaded but no module was instrumented. Files under the current ` +
      'directory outside node_modules are instrumented by the loader (node --test), the Vitest plugin or the Jest transform:\n' +
      HOW_TO_RUN);
  }
}

/**
 * `jsmemtrace run --profile` / `--trace` have the loader insert no allocation probes: every object
 * would go unseen and assertNoLeaks would pass whatever `fn` kept.
 */
export function checkAllocationProbes(caller: string): void {
  const probes = configFromEnv(process.env, process.cwd(), () => {}).probes;
  if (probes?.allocations === false && runnerModuleCount() === 0) {
    throw new Error(`${caller}: the tests run under \`jsmemtrace run --profile\` or \`--trace\`, whose instrumentation has no ` +
      'allocation probes, so no object can be seen. Run them with `jsmemtrace run -- COMMAND` (no tracer) or ' +
      '`jsmemtrace run --reftrace --include-builtins -- COMMAND`.');
  }
}
