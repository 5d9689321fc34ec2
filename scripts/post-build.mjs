// Writes the CommonJS entry point. The package is ESM; Node >= 20.19 can require() an ESM graph
// without top-level await, so the CJS entry re-exports the ESM build and both share one instance
// of the runtime (one probe, one tracer stack) even when a program mixes require and import.
// Also writes the instrumenter's build stamp (part of every cache key, instrument/cache.ts): a
// hash of package.json and the instrumenter's compiled code, so that a start need not compute it.
import { writeFileSync, chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
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
