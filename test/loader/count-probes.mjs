// Test preload: counts function entries per module key, proving that probes were inserted and
// that their module was registered. Writes the counts to $JSMT_TEST_COUNTS at exit.
// $JSMT_TEST_DIST names the build whose runtime the loader uses (tests may run a copy of it).
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const dist = pathToFileURL(process.env.JSMT_TEST_DIST + '/').href;
const { probe, publishProbe, setFlag, installProbe } = await import(`${dist}runtime/probe.js`);
const { moduleByKey } = await import(`${dist}runtime/registry.js`);

installProbe();
setFlag('F', true);
const calls = Object.create(null);
probe.f = (m) => {
  const key = m();
  // A probe whose module was not registered before it ran would be a loader bug.
  const name = moduleByKey(key) === undefined ? `UNREGISTERED ${key}` : key;
  calls[name] = (calls[name] ?? 0) + 1;
};
publishProbe();
// NODE_OPTIONS also preloads this into the `jsmemtrace run` process, which runs no probes: only
// the traced program's process writes.
process.on('exit', () => {
  if (Object.keys(calls).length > 0) writeFileSync(process.env.JSMT_TEST_COUNTS, JSON.stringify(calls));
});
