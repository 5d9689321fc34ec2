// Writes the CommonJS entry point. The package is ESM; Node >= 20.19 can require() an ESM graph
// without top-level await, so the CJS entry re-exports the ESM build and both share one instance
// of the runtime (one probe, one tracer stack) even when a program mixes require and import.
import { writeFileSync, chmodSync, existsSync } from 'node:fs';

writeFileSync(new URL('../dist/index.cjs', import.meta.url),
  "'use strict';\nmodule.exports = require('./index.js');\n");
const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
