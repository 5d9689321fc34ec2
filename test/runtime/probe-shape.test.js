import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// Instrumented code calls `__jsmt$.b(...)` and the like everywhere. With no tracer attached V8 folds
// each such call to the no-op it inlines, and checks nothing at run time, only while the probe
// object's hidden class is stable (no other class derives from it). On Node 22 and 24 a class
// that had a transition (the frozen `idle` once shared it) made optimised code check it at every
// probe call: call-heavy code ran ~9% slower. V8's debug print names the flag (`stable_map`).
const probeUrl = new URL('../../dist/runtime/probe.js', import.meta.url).href;

function hiddenClassOfProbe(after) {
  const source = `import { installProbe, probe, idle } from ${JSON.stringify(probeUrl)};
installProbe();
${after}
%DebugPrint(globalThis.__jsmt$);`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', source], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the probe object has a stable hidden class with no tracer attached', () => {
  assert.match(hiddenClassOfProbe(''), /^ - stable_map$/m);
});

test('the probe object keeps a stable hidden class once a tracer has swapped its methods in and out', () => {
  const swap = 'for (const k of Object.keys(idle)) { probe[k] = function other() {}; probe[k] = idle[k]; }';
  assert.match(hiddenClassOfProbe(swap), /^ - stable_map$/m);
});
