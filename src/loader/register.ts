/**
 * `node --import jsmemtrace/register app.js`: instruments every in-scope module (default: files
 * under the cwd outside node_modules) before it runs (install.ts), and starts the tracer that
 * $JSMEMTRACE_CONFIG names, if any. `node --require jsmemtrace/register` loads register-cjs.cts
 * instead, which `jsmemtrace run` uses.
 *
 * The loader proper is loaded after `prepare` turned Node's compile cache on (an ES module's
 * static imports are compiled before it runs, and so would miss the cache): the CommonJS bundle
 * of install.ts that the build makes (scripts/post-build.mjs), which the preload loads too.
 */
import { prepare, requireInstall } from './start.js';

const ready = prepare(import.meta.url);
if (ready !== undefined) requireInstall(import.meta.url).install(ready.config, ready.cacheDir);
