/**
 * `jsmemtrace/vitest`: the Vitest plugin. Vitest runs test files and the modules they import
 * through vite-node, not through Node's module loader, so jsmemtrace's loader never sees them:
 * this plugin instruments them in Vite's pipeline instead (before any other transform, so sites
 * keep their original lines, TypeScript included), and starts the test workers with the loader
 * and the shared copy of jsmemtrace/test (`--import .../testing/bridge.js`).
 *
 *   // vitest.config.js
 *   import jsmemtrace from 'jsmemtrace/vitest';
 *   export default { plugins: [jsmemtrace()] };
 */
import { inRunnerScope, tryInstrumentForRunner } from './runner-transform.js';

const BRIDGE = new URL('./bridge.js', import.meta.url).href;
const HINT = "Vitest must run it in the 'forks' (default) or 'threads' pool with jsmemtrace's plugin (docs/testing.md)";

/** The part of Vite's plugin interface this plugin uses (Vite is the user's dependency, not ours). */
export interface JsmemtraceVitePlugin {
  name: string;
  enforce: 'pre';
  apply(): boolean;
  config(): { test: { poolOptions: Record<'forks' | 'threads', { execArgv: string[] }> } };
  configResolved(config: { root: string }): void;
  transform(code: string, id: string): { code: string; map: null } | null;
}

/** A Vite plugin that instruments the project's modules for jsmemtrace (files under the root, outside node_modules). */
export default function jsmemtrace(): JsmemtraceVitePlugin {
  let root = process.cwd();
  return {
    name: 'jsmemtrace',
    enforce: 'pre',
    // Only under Vitest (which sets VITEST before it creates its server): in a plain Vite dev
    // server or build, instrumented code would run where jsmemtrace's runtime is not.
    apply: () => process.env.VITEST !== undefined,
    config() {
      const execArgv = ['--import', BRIDGE];
      return { test: { poolOptions: { forks: { execArgv }, threads: { execArgv } } } };
    },
    configResolved(config) {
      root = config.root;
    },
    transform(code, id) {
      if (id.startsWith('\0')) return null;
      const file = id.split('?', 1)[0]!;
      if (!inRunnerScope(root, file)) return null;
      const instrumented = tryInstrumentForRunner(code, file, /\.c[jt]s$/i.test(file) ? 'commonjs' : 'module', HINT);
      return instrumented === null ? null : { code: instrumented, map: null };
    },
  };
}
