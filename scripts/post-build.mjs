// Writes the CommonJS entry point. The package is ESM; Node >= 20.19 can require() an ESM graph
// without top-level await, so the CJS entry re-exports the ESM build and both share one instance
// of the runtime (one probe, one tracer stack) even when a program mixes require and import.
// Also writes the instrumenter's build stamp (part of every cache key, instrument/cache.ts): a
// hash of package.json and the instrumenter's compiled code, so that a start need not compute it.
// Then bundles the files that every start loads (see bundleInPlace).
import { writeFileSync, chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUILD_STAMP_FILE, contentHash } from '../dist/instrument/cache.js';

writeFileSync(new URL('../dist/index.cjs', import.meta.url),
  "'use strict';\nmodule.exports = require('./index.js');\n");
const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);

const instrument = new URL('../dist/instrument/', import.meta.url);
const parts = [readFileSync(new URL('../package.json', import.meta.url), 'utf8')];
for (const name of readdirSync(instrument).sort()) {
  if (name.endsWith('.js')) parts.push(name, readFileSync(new URL(name, instrument), 'utf8'));
}
writeFileSync(new URL(BUILD_STAMP_FILE, instrument), contentHash(parts) + '\n');

/**
 * Files of dist/ made one file in place, each with what it imports: every module of a start is
 * resolved, read and compiled, and the loader's ~17 small ones cost ~8 ms of every start on
 * Node 24 (an empty program: 49 -> 41 ms).
 * - `loader/register.js`, what `--import` loads in every process, and `loader/esm-hooks.js`, Node
 *   20's hooks thread;
 * - `cli/run.js`, the command that starts the program (its parent process: ~4 ms of every run).
 * What holds state shared with code outside a bundle stays a module of its own, loaded once
 * (`shared`): the runtime (the probe, the registry, Function#toString: the program's
 * `import 'jsmemtrace'` and the tracers use the same ones), the tracers, and the CLI's argument
 * errors (`cli/main.js` tells a `UsageError` from a crash). The instrumenter is require()d on a
 * cache miss only, and stays out (`requireOwn`).
 */
async function bundleInPlace() {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const shared = [join(dist, 'runtime') + sep, join(dist, 'tracers') + sep, join(dist, 'cli', 'args.js')];
  for (const entry of ['loader/register.js', 'loader/esm-hooks.js', 'cli/run.js']) {
    const file = join(dist, entry);
    const keepShared = {
      name: 'keep-shared-modules',
      setup(build) {
        build.onResolve({ filter: /^\.\.?\// }, (args) => {
          const target = join(args.resolveDir, args.path);
          if (!shared.some((s) => target.startsWith(s))) return undefined;
          // Relative to the bundle, which replaces `file`.
          return { path: './' + relative(dirname(file), target).split(sep).join('/'), external: true };
        });
      },
    };
    await build({
      entryPoints: [file], outfile: file, allowOverwrite: true, bundle: true, format: 'esm', platform: 'node',
      target: 'node20', packages: 'external', sourcemap: true, plugins: [keepShared], logLevel: 'warning',
    });
  }
}
await bundleInPlace();
