// Probes fire in the right order with the right sites, and the site table says where they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { instrument, SiteKind } from '../../dist/instrument/index.js';
import { installProbe, probe, idle, publishProbe, setFlag } from '../../dist/runtime/probe.js';
import { removeInserts } from './corpus-lib.js';

const KIND = Object.fromEntries(Object.entries(SiteKind).map(([k, v]) => [v, k]));
installProbe();

/** Runs `source` instrumented (as a CommonJS body) with every probe recording; returns the events. */
function trace(source, probes, keep = false) {
  const r = instrument(source, { filename: '/virtual/sample.cjs', probes });
  const sites = r.sites.sites;
  const events = [];
  const show = (name, i) => {
    const s = sites[i];
    const who = s.kind === SiteKind.Call || s.kind === SiteKind.New || s.kind === SiteKind.Literal || s.kind === SiteKind.Closure || s.kind === SiteKind.Ctor ? s.name : s.fn;
    events.push(`${name} ${KIND[s.kind]} ${who} ${s.line}`);
  };
  for (const name of ['f', 't', 'l', 'c', 'q']) probe[name] = (m, i) => show(name, i);
  // An exit by exception: `r` with 0 (functions other than generators), recorded as EXCEPT then exit.
  probe.r = (m, i, d) => { if (d === 0) show('t', i); show('r', i); };
  for (const name of ['x', 'b', 'w', 's', 'u', 'n', 'k', 'o']) probe[name] = (m, i, v) => { show(name, i); return v; };
  publishProbe();
  for (const f of ['F', 'L', 'C', 'A']) setFlag(f, true);
  try {
    const fn = vm.runInThisContext(`(function (require) {${r.code}\n})`);
    const result = fn((id) => ({ id }));
    return { events, result, sites, code: r.code };
  } finally {
    if (!keep) detach();
  }
}

function detach() {
  Object.assign(probe, idle);
  publishProbe();
  for (const f of ['F', 'L', 'C', 'A']) setFlag(f, false);
}

test('calls, lines, returns and native callbacks in order', () => {
  const { events } = trace([
    'function add(a, b) {',
    '  return a + b;',
    '}',
    'const r = add(1, 2);',
    '[3].map(add);',
  ].join('\n'));
  assert.deepEqual(events, [
    'l Line <module> 1',
    'l Line <module> 4',
    'b Call add 4',
    'f Function add 1',
    'l Line add 2',
    'r Function add 1',
    'l Line <module> 5',
    // `[3]` is not wrapped: V8 quotes a callee's object in "is not a function" messages.
    'b Call map 5',
    'f Function add 1',
    'l Line add 2',
    'r Function add 1',
  ]);
});

test('exceptions pass through every function on the way out', () => {
  const { events } = trace([
    'function inner() { throw new Error("x"); }',
    'function outer() {',
    '  try { inner(); } finally { }',
    '}',
    'try { outer(); } catch (e) {}',
  ].join('\n'));
  assert.deepEqual(events, [
    'l Line <module> 1',
    'l Line <module> 2',
    'l Line <module> 5',
    'b Call outer 5',
    'f Function outer 2',
    'l Line outer 3',
    'b Call inner 3',
    'f Function inner 1',
    'w New Error 1',
    'n New Error 1',
    't Function inner 1',
    'r Function inner 1',
    't Function outer 2',
    'r Function outer 2',
  ]);
});

test('a return is an exit, not an exception, also from inside with, a finally or a concise arrow', () => {
  const { events, result } = trace([
    'function inWith(o) {',
    '  with (o) { return a; }',
    '}',
    'function viaFinally() {',
    '  try { return 1; } finally { inWith({ a: 2 }); }',
    '}',
    'const arrow = () => viaFinally() + 1;',
    'return arrow();',
  ].join('\n'), { lines: false, calls: false, allocations: false, literals: false });
  assert.equal(result, 2);
  assert.deepEqual(events, [
    'f Function arrow 7',
    'f Function viaFinally 4',
    'f Function inWith 1',
    'r Function inWith 1',
    'r Function viaFinally 4',
    'r Function arrow 7',
  ]);
});

test('classes: constructor allocation probes for base, derived and default constructors', () => {
  const { events } = trace([
    'class A { constructor() { this.a = 1; } }',
    'class B extends A {',
    '  constructor() { super(); }',
    '}',
    'class C {}',
    'new B(); new C;',
  ].join('\n'));
  assert.deepEqual(events.filter((e) => /^[knf] /.test(e)), [
    'f Function B.constructor 3',
    'k Ctor A 1',
    'f Function A.constructor 1',
    'k Ctor B 2',
    'n New B 6',
    'k Ctor C 5',
    'n New C 6',
  ]);
});

test('await and yield report suspension and resumption', async () => {
  const { result, events } = trace([
    'async function a() {',
    '  const v = await 1;',
    '  return v;',
    '}',
    'function* g() { yield 2; }',
    'return [a(), [...g()]];',
  ].join('\n'), { lines: false, calls: false, allocations: false, literals: false }, true);
  await result[0];
  detach();
  assert.deepEqual(result[1], [2]);
  assert.deepEqual(events, [
    'f Function a 1', 's Await a 2',
    'f Function g 5', 's Yield g 5', 'u Yield g 5', 'r Function g 5',
    'u Await a 2', 'r Function a 1',
  ]);
});

test('for await: q before the loop and on every way out of its body, u at its start; an await whose value V8 prints gets s, and u for an object pattern', async () => {
  const { result, events } = trace([
    'async function f(it, p) {',
    '  for await (const x of it) {',
    '    if (x) break;',
    '  }',
    '  const { a } = await p;',
    '  const [b] = await p;',
    '  return [...(await p), a, b];',
    '}',
    'return f([0, 1, 2], Promise.resolve([1]));',
  ].join('\n'), { lines: false, calls: false, allocations: false, literals: false }, true);
  assert.deepEqual(await result, [1, undefined, 1]);
  detach();
  assert.deepEqual(events, [
    'f Function f 1', 'q Await f 2',
    'u Await f 2', 'q Await f 2', 'u Await f 2', 'q Await f 2',
    's Await f 5', 'u Await f 5', 's Await f 6', 's Await f 7',
    'r Function f 1',
  ]);
});

test('await using: a disposal probe after the last declaration of a scope (or one whose later ones are never nullish) when code follows it, first in a for-of body that runs code; none at the top level or in a body without a wrapper', () => {
  const src = [
    'async function f(a, b) {',
    '  await using x = a;',
    '  await using y = b',
    '  g();',
    '  {',
    '    await using z = new R(), w = {};',
    '    await using v = new R();',
    '  }',
    '  for (await using i of a) g();',
    '  for (await using j of a) {}',
    '  for await (await using k of a) { g(); }',
    '  for (using s of a) {}',
    '}',
    'await using top = null;',
    'async function e(c) { await using q = c; var h = 1; function h() {} }',
  ].join('\n');
  const r = instrument(src, { filename: '/v/using.mjs' });
  const lines = r.code.split('\n');
  const declared = (line) => [...lines[line - 1].matchAll(/using __jsmt\$D(\d+)=__jsmtF\?\(__jsmt\$\.d\)\(__jsmt\$m,(\d+)\):null;/g)]
    .map((m) => { assert.equal(m[1], m[2]); return r.sites.sites[Number(m[2])]; });
  const at = (line) => declared(line).map((s) => `${KIND[s.kind]} ${s.fn} ${s.line}:${s.column}`);
  assert.deepEqual(at(2), [], 'a later declaration may be nullish');
  assert.deepEqual(at(3), ['Await f 3:2']);
  assert.match(lines[2], /await using y = b;using __jsmt\$D/, 'a `;` first where the declaration ended without one');
  assert.deepEqual(at(6), ['Await f 6:4']);
  assert.deepEqual(at(7), [], 'nothing that runs code follows it: the disposal\'s position would be the probe\'s');
  assert.deepEqual(at(9), ['Await f 9:7']);
  assert.match(lines[8], /of a\) \{using __jsmt\$D\d+=[^;]*;[^}]*g\(\)\);?\}/, 'a body that is no block gets braces');
  assert.deepEqual(at(10), [], 'a body that runs no code');
  assert.deepEqual(at(11), ['Await f 11:13']);
  assert.match(lines[10], /\{using __jsmt\$D\d+=[^;]*;__jsmtF&&\(__jsmt\$\.u\)\(__jsmt\$m,\d+\);try\{\{ /);
  assert.deepEqual([12, 14, 15].flatMap(at), [], 'none for `using`, at the top level, or in a body not wrapped (a var and a function of one name)');
  assert.equal(removeInserts(r.code, r.inserts), src);
  // No tracer: `null`, no resource. The probe's idle method says so too.
  assert.equal(idle.d(() => '', 0), null);
});

test('bodies whose declarations would change inside try {} get the unwrapped form', () => {
  const { events, result, code } = trace([
    'function f(x) {',
    '  var g = 1;',
    '  function g() {}',
    '  if (x) return g;',
    '  x = 2;',
    '}',
    'return [f(1), f(0)];',
  ].join('\n'), { lines: false, calls: false, allocations: false, literals: false });
  assert.deepEqual(result, [1, undefined]);
  assert.match(code, /return\(__jsmt\$\.x\)\(__jsmt\$m,\d+, g\)/);
  assert.deepEqual(events, ['f Function f 1', 'x Function f 1', 'f Function f 1', 'r Function f 1']);
});

test('probe kinds are selectable', () => {
  const src = 'function f() { return [1]; }\nf();\nnew Map();\n';
  const only = (probes) => instrument(src, { filename: '/v.cjs', probes }).code;
  const none = only({ functions: false, lines: false, calls: false, allocations: false, literals: false });
  assert.equal(none, src);
  assert.match(only({ functions: false, lines: true, calls: false, allocations: false, literals: false }), /^function __jsmt\$m\(\)\{return "\/v.cjs"\}function __jsmt\$L\(i\)\{\(__jsmt\$\.l\)\(__jsmt\$m,i\)\}__jsmtL&&\(__jsmt\$L\)\(0\);function f/);
  const calls = only({ functions: false, lines: false, calls: true, allocations: false, literals: false });
  assert.match(calls, /\(__jsmt\$\.b\)\(/);
  assert.doesNotMatch(calls, /__jsmt\$\.[flnok]\b/);
});

test('site table: kinds, lines, columns, names', () => {
  const src = [
    'class Shape {',
    '  get area() { return 0; }',
    '  static make() { return new Shape(); }',
    '  #hidden() {}',
    '}',
    'const area = (s) => s.area;',
    'const obj = { method() { return [].concat(1); } };',
    'export default function () {}',
  ].join('\n');
  const { sites } = instrument(src, { filename: '/v/shapes.mjs' }).sites;
  const fns = sites.filter((s) => s.kind === SiteKind.Function).map((s) => [s.fn, s.name, s.line, s.column, s.endLine]);
  assert.deepEqual(fns, [
    ['get Shape.area', 'get area', 2, 2, 2],
    ['Shape.make', 'make', 3, 2, 3],
    ['Shape.#hidden', '#hidden', 4, 2, 4],
    ['area', 'area', 6, 13, 6],
    ['method', 'method', 7, 14, 7],
    ['default', 'default', 8, 15, 8],
  ]);
  const calls = sites.filter((s) => s.kind === SiteKind.Call || s.kind === SiteKind.New).map((s) => [s.kind, s.name, s.fn, s.line]);
  assert.deepEqual(calls, [[SiteKind.New, 'Shape', 'Shape.make', 3], [SiteKind.Call, 'concat', 'method', 7]]);
  const ctor = sites.find((s) => s.kind === SiteKind.Ctor);
  assert.deepEqual([ctor.name, ctor.line, ctor.fn], ['Shape', 1, '<module>']);
  const lines = sites.filter((s) => s.kind === SiteKind.Line).map((s) => s.line);
  assert.deepEqual(lines, [1, 2, 3, 6, 7, 8]);
});

test('generators: closed by return() at a yield is an exit, an error thrown in the body an exception', () => {
  const { result, events } = trace([
    'function* g() {',
    '  try { yield 1; yield 2; } finally { }',
    '}',
    'const a = g(); a.next(); a.return(5);',
    'const b = g(); [...b];',
    'function* h() { const x = yield 1; throw new Error(x); }',
    'const c = h(); c.next();',
    'try { c.next("boom"); } catch (e) { return e.message; }',
  ].join('\n'), { lines: false, calls: false, allocations: false, literals: false });
  assert.equal(result, 'boom');
  assert.deepEqual(events.filter((e) => /^[ftr] /.test(e)), [
    'f Function g 1', 'r Function g 1',
    'f Function g 1', 'r Function g 1',
    'f Function h 6', 't Function h 6', 'r Function h 6',
  ]);
});

test('while a literal waits for V8 to name it, probes take the tagged forms and fire as the plain ones', async () => {
  // `new Runs(() => …)` leaves the arrow waiting: V8 names it after the next declaration, so
  // the probes up to there must be calls that its name inference does not count.
  const source = [
    'class Runs { constructor(f) { this.v = f(); } }',
    'async function main() {',
    '  new Runs(() => 1);',
    '  await new Runs(() => 2);',
    '  const y = new Runs(() => 3).v;',
    '  if (y) return () => y;',
    '  const z = 4;',
    '}',
    'return main();',
  ].join('\n');
  const { result, events, code } = trace(source, { lines: true, calls: true, allocations: true, literals: false }, true);
  const f = await result;
  detach();
  assert.equal(f(), 3);
  assert.match(code, /\(__jsmt\$\.n\.call\)`\$\{__jsmt\$m\}\$\{\d+\}\$\{new Runs\(\(__jsmt\$\.w\.call\)`/);
  // The line probe of `const y` ends the line before it (its line keeps its columns).
  assert.match(code, /\(__jsmt\$\.l\.call\)`\$\{__jsmt\$m\}\$\{\d+\}`;\n {2}const y/);
  assert.match(code, /return\[ \(\) =>/);
  assert.deepEqual(events.filter((e) => !e.includes(' Ctor ') && !e.includes('Function Runs')), [
    'l Line <module> 1', 'l Line <module> 2', 'l Line <module> 9', 'b Call main 9', 'f Function main 2',
    'l Line main 3', 'w New Runs 3', 'b Call f 1', 'f Function <anonymous> 3', 'r Function <anonymous> 3', 'n New Runs 3',
    'l Line main 4', 'w New Runs 4', 'b Call f 1', 'f Function <anonymous> 4', 'r Function <anonymous> 4', 'n New Runs 4',
    's Await main 4', 'u Await main 4',
    'l Line main 5', 'w New Runs 5', 'b Call f 1', 'f Function <anonymous> 5', 'r Function <anonymous> 5', 'n New Runs 5',
    'l Line main 6', 'r Function main 2',
  ]);
});

// A probe's callee is in parentheses (V8's name inference would read `__jsmt$` and the probe's
// name), so a probe that opens an expression statement starts with `(`: after a statement ended
// by a line break it would call that statement's value. Without line probes nothing ends it first.
test('a probe opening a statement after one ended at a line break is preceded by `;`', () => {
  const source = [
    'let a = 1',
    'new Map()',
    'const b = a',
    'new Map().set(1, 2)',
    'function* g() { let x = 0',
    '  yield',
    '  x',
    '  yield x',
    '}',
    'class B { constructor() { this.k = 1 } }',
    'class D extends B { constructor() { let q = 1',
    '  super()',
    '} }',
    'const d = new D()',
    'const r = a',
    'async () => 1',
    'return [a, b, [...g()], d.k, r]',
  ].join('\n');
  const { result, events, code } = trace(source, { functions: true, lines: false, calls: true, allocations: true, literals: true });
  assert.deepEqual(result, [1, 1, [undefined, 0], 1, 1]);
  for (const p of ['n', 'u', 'k', 'o']) assert.match(code, new RegExp(`\\n\\s*;\\(__jsmt\\$\\.${p}(\\)\\(|\\.call\\)\`)`), p);
  assert.ok(events.includes('k Ctor D 11') && events.includes('u Yield g 6'), events.join('\n'));
});

test('an assigned argument-less `new`, call or tagged template while a literal waits is held in a call', () => {
  // V8 forgets the latest waiting literal after such an assignment; after `const m = (probe, VALUE)`
  // it would name them all `m`.
  const source = 'const tag = (s) => s[0];\nconst c = [() => 1, () => 2, () => 3, () => 4, () => { const m = new Map(); const t = tag`x`; const s = String(); return [m, s, t]; }];\nreturn c[4]();';
  const withN = trace(source, { functions: false, lines: false, calls: true, allocations: true, literals: false });
  assert.match(withN.code, /const m = \(__jsmt\$\.n\.call\)`[^`]*`*\$\{\(\(__jsmtC\|\|__jsmtA\)&&\(__jsmt\$\.w\.call\)`/);
  const callsOnly = trace(source, { functions: false, lines: false, calls: true, allocations: false, literals: false });
  const held = (v) => new RegExp(String.raw`\(__jsmt\$\.v\.call\)\x60\$\{\((\(__jsmtC\|\|__jsmtA\)|__jsmtC)&&\(__jsmt\$\.[wb]\.call\)\x60\$\{__jsmt\$m\}\$\{\d+\}\x60,${v}\)\}\x60`);
  assert.match(callsOnly.code, held(String.raw`new Map\(\)`));
  assert.match(callsOnly.code, held(String.raw`String\(\)`));
  assert.match(callsOnly.code, held('tag\x60x\x60'));
  for (const r of [withN, callsOnly]) {
    assert.ok(r.result[0] instanceof Map && r.result[1] === '' && r.result[2] === 'x');
    assert.ok(r.events.includes('w New Map 2') && r.events.includes('b Call String 2') && r.events.includes('b Call tag 2'), r.events.join('\n'));
  }
});

test('a leaf body (no call, throw, try, using, nested function) gets no try/finally: returns fire the exit, an exception none', () => {
  const leaves = {
    add: 'function add(a, b) { if (a < 0) return; return a + b; }',
    arrow: 'const arrow = (o) => o.x;',
    Point: 'class Point { constructor(x) { this.x = x; } get twice() { return this.x * 2; } }',
    loop: 'function loop(xs) { let s = 0; for (const x of xs) s += x; return s, s; }',
  };
  const notLeaves = {
    calls: 'function calls(f) { return f(); }',
    news: 'function news() { return new Map(); }',
    tagged: 'function tagged(t) { return t`x`; }',
    throws: 'function throws(e) { throw e; }',
    tries: 'function tries(o) { try { return o.x; } catch { return 0; } }',
    nests: 'function nests() { return () => 1; }',
    classes: 'function classes() { class A {} return A; }',
    imports: 'function imports(m) { return import(m); }',
    asyncs: 'async function asyncs(o) { return o.x; }',
    gens: 'function* gens() { yield 1; }',
    calledArrow: 'const calledArrow = (f) => f();',
  };
  for (const [name, src] of Object.entries(leaves)) {
    const { code } = instrument(src, { filename: `/virtual/${name}.cjs` });
    assert.doesNotMatch(code, /finally/, `${name} is a leaf`);
  }
  for (const [name, src] of Object.entries(notLeaves)) {
    const { code } = instrument(src, { filename: `/virtual/${name}.cjs` });
    assert.match(code, /finally/, `${name} is not a leaf`);
  }
  const { events, result } = trace([
    leaves.add, leaves.arrow, leaves.Point, leaves.loop,
    'let caught = 0;',
    'try { arrow(undefined); } catch { caught++; }',
    'return [add(-1, 0), add(1, 2), arrow({ x: 3 }), new Point(4).twice, loop([1, 2]), caught];',
  ].join('\n'), { lines: false, calls: false, allocations: false, literals: false });
  assert.deepEqual(result, [undefined, 3, 3, 8, 3, 1]);
  assert.deepEqual(events, [
    'f Function arrow 2', // threw: no exit probe
    'f Function add 1', 'r Function add 1',
    'f Function add 1', 'r Function add 1',
    'f Function arrow 2', 'r Function arrow 2',
    'f Function Point.constructor 3', 'r Function Point.constructor 3',
    'f Function get Point.twice 3', 'r Function get Point.twice 3',
    'f Function loop 4', 'r Function loop 4',
  ]);
});

test('a catch or finally clause on the line of its try resynchronises the stack (`c`) before anything it runs; on a line of its own, its line probe does', () => {
  const { events, result, code } = trace([
    'function leaf(o) { return o.x; }',
    'function other(a) { return a; }',
    'let r = 0, u = { n: 0 };',
    'try { leaf(null); } catch { r += other(1); }',
    'try { leaf(null); } catch {} r += other(2);',
    'try { r += leaf({ x: 3 }); } finally { function f() {} r += other(4); }',
    'try { leaf(null); } catch { { r += other(5); } }',
    'try {',
    '  leaf(null);',
    '} catch {',
    '  r += other(6);',
    '}',
    // None before a class (its static initializer has no position of its own), nor in an empty
    // catch before a statement without one (a switch with lexical declarations).
    'try { leaf(null); } catch { class C { static s = other(7); } r += C.s; }',
    'try { leaf(null); } catch {} switch (u.n++) { default: let z = 1; r += z; }',
    'return r;',
  ].join('\n'), { calls: false, allocations: false, literals: false });
  assert.equal(result, 1 + 2 + 3 + 4 + 5 + 6 + 7 + 1);
  assert.deepEqual(code.split('\n').map((line) => (line.match(/\(__jsmt\$\.c\)/g) ?? []).length), [0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const from = (line) => events.filter((e) => !e.startsWith('l ')).slice(events.filter((e) => !e.startsWith('l ')).findIndex((e) => e.endsWith(` ${line}`) && e.startsWith('c ')));
  // Each `c` right after the leaf's entry (it threw), before the clause's call.
  for (const line of [4, 5, 7]) assert.deepEqual(from(line).slice(0, 2), [`c Line <module> ${line}`, 'f Function other 2'], `line ${line}`);
  assert.ok(events.indexOf('c Line <module> 6') > events.indexOf('r Function leaf 1'));
  assert.ok(events.includes('l Line <module> 11'));
});
