// Function#toString of instrumented functions (runtime/function-source.ts): the original text,
// found without searching every registered module's code for each new function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { instrument } from '../../dist/instrument/index.js';
import { installProbe } from '../../dist/runtime/probe.js';
import { installFunctionSource, trackFunctionSource } from '../../dist/runtime/function-source.js';

installProbe();
installFunctionSource();

/** How many times the registered modules' code was asked for: each ask is one module searched. */
let reads = 0;
let modules = 0;

/**
 * Registers and runs one module made of `sources` (function texts), instrumented with `probes`;
 * returns its functions.
 */
function load(sources, probes) {
  const src = `${sources.map((s, k) => `const f${k} = ${s};`).join('\n')}\nreturn [${sources.map((_, k) => `f${k}`).join(', ')}];\n`;
  const r = instrument(src, { filename: `/virtual/function-source-${modules++}.cjs`, sourceType: 'commonjs', probes });
  trackFunctionSource({ get instrumented() { reads++; return r.code; }, original: { source: src, inserts: r.inserts } });
  return vm.runInThisContext(`(function () {${r.code}\n})`)();
}

/**
 * Functions whose texts no other module holds: each names the module between two of its probes
 * (a text is found by those segments; see the last test for texts that share them all).
 */
function distinct(tag, n) {
  return Array.from({ length: n }, (_, k) => k % 3 === 0
    ? `function ${tag}_${k}(x) {\n  const y = x + ${k};\n  return [y, '${tag}'];\n}`
    : k % 3 === 1 ? `(a, b) => { return a + b + ${k} + '${tag}'; }` : `class ${tag}_${k} { m(v) { return [v * ${k}, '${tag}']; } }`);
}

/** Reads of the modules' code for toString of each of `fns`, which must give `texts`. */
function readsFor(fns, texts) {
  const before = reads;
  fns.forEach((f, k) => assert.equal(f.toString(), texts[k]));
  return reads - before;
}

test('after a few texts, a function\'s first toString() reads as many modules with 10 or 400 registered (texts are indexed by the segments between probes)', () => {
  const K = 12;
  const oldest = distinct('oldest', 2 * K);
  const fns = load(oldest);
  const others = [];
  for (let i = 0; i < 9; i++) others.push(...load(distinct(`m${i}`, 6)).map((f, k) => [f, distinct(`m${i}`, 6)[k]]));
  // The first texts are searched for in every module; then the modules registered so far are
  // indexed (each one's code read once).
  for (const [f, text] of others.slice(0, 30)) assert.equal(String(f), text);
  assert.equal(String(fns[0]), oldest[0]);
  const withTen = readsFor(fns.slice(1, K), oldest.slice(1, K));
  for (let i = 9; i < 400; i++) load(distinct(`m${i}`, 6));
  assert.equal(String(fns[K]), oldest[K]);
  const withFourHundred = readsFor(fns.slice(K + 1), oldest.slice(K + 1));
  // The oldest module is the one a newest-first search reaches last: it read every other module.
  assert.equal(withTen, K - 1, 'one module read per function');
  assert.equal(withFourHundred, withTen);
});

test('a text that several modules hold: the newest one\'s, also for closures made anew', () => {
  const twice = 'function twice(x) {\n  return x * 2;\n}';
  const [b] = load([twice]);
  // Another realm's Function#toString is V8's own: the probed text.
  const probed = vm.runInNewContext('Function.prototype.toString').call(b);
  assert.notEqual(probed, twice);
  // A module whose own source is that probed text (no probes added): there it is original text.
  const none = { functions: false, lines: false, calls: false, allocations: false, literals: false };
  const [a] = load([probed], none);
  assert.equal(String(a), probed);
  assert.equal(String(b), probed, 'the newest module that holds the text decides');
  const [c] = load([twice]);
  assert.equal(String(c), twice);
  const make = load(['function make(n) {\n  return () => { return n * 2; };\n}'])[0];
  for (let n = 0; n < 50; n++) assert.equal(String(make(n)), '() => { return n * 2; }');
});

test('a text with fewer than two probes is searched for as before, once per text: a new closure of it searches only the modules added since', () => {
  // Calls only: the arrow's one probe is its call's.
  const calls = { functions: false, lines: false, calls: true, allocations: false, literals: false };
  const [make] = load(['function make() { return (x) => x.push(1); }'], calls);
  assert.equal(String(make()), '(x) => x.push(1)');
  const later = [];
  for (let i = 0; i < 20; i++) later.push(load(distinct(`later${i}`, 3)));
  assert.equal(String(later[0][0]), distinct('later0', 1)[0]);
  const before = reads;
  assert.equal(String(make()), '(x) => x.push(1)');
  assert.equal(reads - before, 20, 'the modules added since');
  const again = reads;
  assert.equal(String(make()), '(x) => x.push(1)');
  assert.equal(reads, again, 'a closure of a text already found reads no module');
  // Held by no module: the probed text itself.
  const stray = vm.runInThisContext('(function (y) { return (__jsmt$.b)(__jsmt$m,1,y); })');
  assert.equal(String(stray), 'function (y) { return (__jsmt$.b)(__jsmt$m,1,y); }');
});
