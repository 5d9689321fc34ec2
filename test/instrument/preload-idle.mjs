// Preload for instrumented corpus runs: defines the probe globals (idle: every flag false),
// registers the site tables the runner wrote and restores functions' original source text.
import { readFileSync } from 'node:fs';
import { installProbe } from '../../dist/runtime/probe.js';
import { registerModule } from '../../dist/runtime/registry.js';
import { installFunctionSource, trackFunctionSource } from '../../dist/runtime/function-source.js';

installProbe();
installFunctionSource();
export const modules = JSON.parse(readFileSync(process.env.JSMT_TEST_MANIFEST, 'utf8'));
for (const m of modules) {
  const record = registerModule(m.sites, { original: { source: '', inserts: m.inserts }, instrumented: readFileSync(m.out, 'utf8') });
  trackFunctionSource(record);
}
