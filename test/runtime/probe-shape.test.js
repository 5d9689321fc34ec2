import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Instrumented code calls `__jsmt$.b(...)` and tests `__jsmtF` everywhere. With no tracer attached
// V8 folds each such call to the no-op it inlines and each flag to `false`, checking nothing at run
// time, only while
// - the probe object's hidden class is stable (no other class derives from it): on Node 22 and 24
//   a class that had a transition (the frozen `idle` once shared it) made optimised code check it
//   at every probe call (call-heavy code ~9% slower). V8's debug print names it (`stable_map`);
// - each of its fields is constant to V8 (`const data field`), which a field stops being for good
//   once assigned another value: each tracer attachment publishes a new object (probe.ts);
// - each flag's global property never changed: optimised code then depends on its value and is
//   thrown away when it changes; once it has changed, V8 loads and tests it at every probe site
//   (the call-heavy benchmark after a tracer had attached and detached, Node 22: 1.41x plain
//   instead of 1.04x). A flag turned off is defined anew (probe.ts `setFlag`).
const dist = new URL('../../dist/', import.meta.url).href;

/**
 * Runs `body` as an ES module under the loader (so instrumented: the tracers need a module that
 * is), in a fresh process with natives syntax, which only `Function` bodies use (the instrumenter
 * does not parse it); returns its stdout.
 */
function inProcess(body) {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-probe-shape-'));
  try {
    writeFileSync(join(dir, 'main.mjs'), `import { Profile, Trace, ReferenceTracing } from ${JSON.stringify(dist + 'index.js')};
const dir = ${JSON.stringify(dir)};
const optimise = new Function('f', '%PrepareFunctionForOptimization(f); f(); f(); %OptimizeFunctionOnNextCall(f); f(); return %GetOptimizationStatus(f)');
const status = new Function('f', 'return %GetOptimizationStatus(f)');
${body}`);
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', dist + 'loader/register.js', 'main.mjs'],
      { cwd: dir, env: { ...process.env, JSMEMTRACE_CACHE_DIR: join(dir, 'cache') }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** V8's debug print of the probe object, in a process of its own (no loader) after `after`. */
function debugPrintOfProbe(after) {
  const source = `import { installProbe, probe, idle, publishProbe } from ${JSON.stringify(dist + 'runtime/probe.js')};
installProbe();
${after}
%DebugPrint(globalThis.__jsmt$);`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', source], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Asserts the probe object's class is stable and every one of its 16 methods a constant field. */
function assertFoldable(debugPrint) {
  assert.match(debugPrint, /^ - stable_map$/m);
  const fields = [...debugPrint.matchAll(/#([a-z]): .*\((const )?data field \d+/g)];
  assert.equal(fields.length, 16, debugPrint);
  assert.deepEqual(fields.filter((m) => m[2] === undefined).map((m) => m[1]), [], 'fields V8 no longer takes for constant');
}

test('with no tracer attached, the probe object has a stable hidden class of constant fields', () => {
  assertFoldable(debugPrintOfProbe(''));
});

test('once methods were swapped in and out, the probe object has a stable hidden class of constant fields', () => {
  assertFoldable(debugPrintOfProbe('for (const k of Object.keys(idle)) { probe[k] = function other() {}; publishProbe(); probe[k] = idle[k]; publishProbe(); }'));
});

// Optimises a function that reads each flag, and one that reads each probe method, then changes
// what it read (and puts it back): a read that V8 folded to a constant deoptimises the function.
const FOLDED = `
const folded = [];
const foldedMethods = [];
for (const flag of ['__jsmtF', '__jsmtL', '__jsmtC', '__jsmtA']) {
  const read = new Function('return ' + flag + ' ? 1 : 2');
  if (!(optimise(read) & 16)) throw new Error('not optimised');
  const was = globalThis[flag];
  globalThis[flag] = !was;
  const deoptimised = !(status(read) & 16);
  globalThis[flag] = was;
  if (deoptimised) folded.push(flag);
}
const methods = Object.keys(globalThis.__jsmt$);
for (const k of methods) {
  const read = new Function('return __jsmt$.' + k);
  if (!(optimise(read) & 16)) throw new Error('not optimised');
  // This module is instrumented: the stand-in does what the no-op does until the method is back.
  const was = globalThis.__jsmt$[k];
  globalThis.__jsmt$[k] = k === 'v' ? (x) => x : k === 'd' ? () => null : (m, i, v) => v;
  const deoptimised = !(status(read) & 16);
  globalThis.__jsmt$[k] = was;
  if (deoptimised) foldedMethods.push(k);
}
console.log('folded: ' + folded.join());
console.log('folded methods: ' + foldedMethods.length + ' of ' + methods.length);
`;

test('with no tracer attached, the flags and the probe methods fold', () => {
  const out = inProcess(FOLDED);
  assert.match(out, /^folded: __jsmtF,__jsmtL,__jsmtC,__jsmtA$/m);
  assert.match(out, /^folded methods: 16 of 16$/m);
});

test('after tracers attached and detached, the flags and the probe methods fold as before any was', () => {
  const out = inProcess(`
const p = new Profile({ outDir: dir }); p.stop();
const t = new Trace({ outDir: dir }); t.stop();
const r = new ReferenceTracing({ outDir: dir, includeBuiltins: true, gcOnExit: false }); r.stop();
const outer = new Profile({ outDir: dir }); const inner = new ReferenceTracing({ outDir: dir, gcOnExit: false }); inner.stop(); outer.stop();
${FOLDED}`);
  assert.match(out, /^folded: __jsmtF,__jsmtL,__jsmtC,__jsmtA$/m);
  assert.match(out, /^folded methods: 16 of 16$/m);
});

test('while tracers are attached, the methods they put in the probe fold too', () => {
  const out = inProcess(`
const p = new Profile({ outDir: dir });
const r = new ReferenceTracing({ outDir: dir, gcOnExit: false });
console.log('entry probe: ' + globalThis.__jsmt$.f.name);
${FOLDED}`);
  assert.match(out, /^entry probe: fOn$/m);
  assert.match(out, /^folded methods: 16 of 16$/m);
});

test('a frozen global object: tracers attach and detach, with the probe object changed in place', () => {
  const out = inProcess(`
const before = globalThis.__jsmt$;
Object.freeze(globalThis);
const p = new Profile({ outDir: dir });
console.log('attached', globalThis.__jsmt$ === before, globalThis.__jsmt$.f.name);
p.stop();
console.log('detached', globalThis.__jsmt$ === before, globalThis.__jsmt$.f.name);`);
  assert.match(out, /^attached true fOn$/m);
  assert.match(out, /^detached true nothing$/m);
});
