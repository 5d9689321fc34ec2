// Which objects are traced and where they are said to be made: the `new` expression for objects of
// instrumented classes, function constructors and classes that are not instrumented; the class's
// constructor for instances built by code that is not instrumented; builtins only on request, and
// a Proxy's traps never run. Real programs under the loader, logs read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, readOLog, where } from './helpers.js';

const PROGRAM = `import { ReferenceTracing } from 'jsmemtrace';
import { construct, Outside } from 'lib';
class Base { constructor(x) { this.x = x; this.inner = new Inner(); } }
class Inner {}
class Derived extends Base { constructor() { super(1); } }
function Fn() { this.v = 1; }
class Thrower { constructor() { throw new Error('no'); } }
const keep = [];
const t = new ReferenceTracing({ filepath: process.argv[2], gcOnExit: false, includeBuiltins: process.argv[3] === 'builtins' });
keep.push(new Base(1));
keep.push(new Derived());
keep.push(new Fn());
keep.push(construct(Derived));
keep.push(new Outside());
const Alias = Base; keep.push(new Alias(2));
try { new Thrower(); } catch {}
keep.push(new Base(3));
keep.push(new Map(), new Proxy({}, { get() { throw new Error('trap ran'); } }));
keep.push(Reflect.construct(Base, [4]));
t.stop();
console.log(keep.length);
`;

function setup() {
  const box = sandbox();
  const lib = join(box.dir, 'node_modules', 'lib');
  mkdirSync(lib);
  writeFileSync(join(lib, 'package.json'), '{"name":"lib","type":"module","main":"index.js"}');
  writeFileSync(join(lib, 'index.js'), 'export function construct(C, ...a) { return new C(...a); }\nexport class Outside {}\n');
  box.write('attr.mjs', PROGRAM);
  return box;
}

test('objects are attributed to their new expression, in allocation order; others to their constructor', async () => {
  const box = setup();
  try {
    const r = box.node(['--import', 'jsmemtrace/register', 'attr.mjs', 'attr.log']);
    assert.equal(r.status, 0, r.stderr);
    const log = await readOLog(box.path('attr.log'));
    assert.deepEqual(log.news.map(where), [
      'Base attr.mjs#10 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Derived attr.mjs#11 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Fn attr.mjs#12 <module>',
      // Built by a library that is not instrumented: the first instrumented constructor it ran.
      'Derived attr.mjs#3 Base.constructor', 'Inner attr.mjs#3 Base.constructor',
      // A class that is not instrumented, made by instrumented code: its new expression.
      'Outside attr.mjs#14 <module>',
      'Base attr.mjs#15 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Thrower attr.mjs#16 <module>',
      'Base attr.mjs#17 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Base attr.mjs#3 Base.constructor', 'Inner attr.mjs#3 Base.constructor',
    ]);
    assert.deepEqual(log.dels, [], 'gcOnExit: false and everything kept');
  } finally {
    box.remove();
  }
});

test('includeBuiltins adds literals, closures and new of builtins; a Proxy is never inspected', async () => {
  const box = setup();
  try {
    const r = box.node(['--import', 'jsmemtrace/register', 'attr.mjs', 'b.log', 'builtins']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '10');
    const log = await readOLog(box.path('b.log'));
    const seen = log.news.map(where);
    for (const w of ['Map attr.mjs#18 <module>', 'Proxy attr.mjs#18 <module>', 'Object attr.mjs#18 <module>', 'Array attr.mjs#19 <module>']) {
      assert.ok(seen.includes(w), `${w} in ${seen.join(', ')}`);
    }
    // The user's objects are the same as without builtins.
    assert.equal(seen.filter((w) => /^(Base|Inner|Derived|Fn|Outside|Thrower) /.test(w)).length, 15);
    // The error thrown by Thrower is a builtin made at line 7.
    assert.ok(seen.includes('Error attr.mjs#7 Thrower.constructor'), seen.join(', '));
  } finally {
    box.remove();
  }
});

// Finding an object's type must not run the program's code: reading \`.constructor\` would call a
// getter, and a Proxy's traps (of the object or of a proxied class used as \`new.target\`).
const TRAPS = `import { ReferenceTracing } from 'jsmemtrace';
const ran = [];
function Hidden() {}
Object.defineProperty(Hidden.prototype, 'constructor', { get() { ran.push('getter'); return Hidden; } });
const log = (what) => (t, k, r) => { ran.push(what + ' ' + String(k)); return Reflect.get(t, k, r); };
function Proxied() { return new Proxy({}, { get: log('get'), getPrototypeOf(t) { ran.push('getPrototypeOf'); return Reflect.getPrototypeOf(t); }, getOwnPropertyDescriptor(t, k) { ran.push('gopd ' + String(k)); return Reflect.getOwnPropertyDescriptor(t, k); } }); }
class Plain { constructor(x) { this.x = x; } }
const ProxiedClass = new Proxy(Plain, { get(t, k, r) { if (k !== 'prototype') ran.push('class get ' + String(k)); return Reflect.get(t, k, r); }, getOwnPropertyDescriptor(t, k) { ran.push('class gopd ' + String(k)); return Reflect.getOwnPropertyDescriptor(t, k); } });
function Own() { this.constructor = Plain; }
const t = new ReferenceTracing({ filepath: 'traps.log', includeBuiltins: true });
const kept = [new Hidden(), new Proxied(), new ProxiedClass(1), Reflect.construct(Plain, [2], ProxiedClass), new Own(), new Plain(3)];
t.stop();
console.log(ran.join() || 'none', kept.length);
`;

test('finding an object\'s type runs none of the program\'s code: no getter, no Proxy trap', async () => {
  const box = sandbox();
  try {
    box.write('traps.mjs', TRAPS);
    const r = box.run('traps.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'none 6');
    const log = await readOLog(box.path('traps.log'));
    const types = log.news.filter((n) => n.line === 11 && n.type !== 'Array').map((n) => n.type);
    // A constructor behind a getter is not called: the object is an Object; a Proxy (also as
    // new.target) is a Proxy.
    assert.deepEqual(types, ['Object', 'Proxy', 'Proxy', 'Plain', 'Plain']);
    assert.deepEqual(log.news.filter((n) => n.line === 7).map(where), ['Proxy traps.mjs#7 Plain.constructor']);
  } finally {
    box.remove();
  }
});

// Objects of a type that is not traced cost almost nothing: once a class (or a `new Name()` site's
// constructor) is known not to be traced, its probes skip it (runtime/alloc.ts, quiet tables).
// Skipping must never hide a traced object or misplace one made later.
const QUIET = `import { ReferenceTracing } from 'jsmemtrace';
class Quiet { constructor(n) { this.kid = n > 0 ? new Quiet(n - 1) : null; } }
class Loud { constructor() { this.v = 1; } }
class LoudKid extends Quiet { constructor() { super(0); } }
class QuietThrow { constructor() { throw new Error('no'); } }
function make(C, n) { return new C(n); }
class Holder { cache = new Map(); kid = new Quiet(0); constructor() { this.v = 1; } }
class HolderKid extends Holder { constructor() { super(); } }
function Widget() { this.a = new Quiet(1); this.b = new NS.Quiet(0); }
class QuietMaker { constructor() { this.made = Reflect.construct(Loud, []); } }
class QBase { constructor() { this.b = 1; } } class QD1 extends QBase {} class QD2 extends QBase {} function Outer() { this.x = []; for (let k = 0; k < 2; k++) this.x.push(new QD1(), new QD2()); } const NS = { Quiet, Widget, Outer };
const keep = [];
const t = new ReferenceTracing({ filepath: process.argv[2], gcOnExit: false, includeBuiltins: true, includeTypes: ['Loud', 'LoudKid', 'Map', 'Holder', 'HolderKid', 'Widget', 'Outer'] });
for (let i = 0; i < 3; i++) keep.push(new Quiet(2));
let C = Quiet;
for (let i = 0; i < 4; i++) { if (i === 2) C = Loud; keep.push(new C()); }
for (let i = 0; i < 3; i++) keep.push(make(i === 1 ? Loud : Quiet, 0));
const B = Loud.bind(null);
for (let i = 0; i < 2; i++) keep.push(new B());
for (let i = 0; i < 2; i++) keep.push(new LoudKid());
for (let i = 0; i < 3; i++) keep.push(new Set(), new Map());
for (let i = 0; i < 3; i++) try { new QuietThrow(); } catch {}
for (let i = 0; i < 2; i++) keep.push(new Holder(), new HolderKid());
for (let i = 0; i < 3; i++) keep.push(new NS.Quiet(1), new NS.Widget(), new QuietMaker()); for (let i = 0; i < 3; i++) keep.push(new NS.Outer());
keep.push(Reflect.construct(Loud, []));
t.stop();
const t2 = new ReferenceTracing({ filepath: process.argv[3], gcOnExit: false, includeTypes: ['Quiet', 'Set'], includeBuiltins: true });
for (let i = 0; i < 2; i++) keep.push(new Quiet(0), new Set());
t2.stop();
console.log(keep.length);
`;

test('skipping the types that are not traced hides no traced object and misplaces none', async () => {
  const box = sandbox();
  try {
    box.write('quiet.mjs', QUIET);
    const r = box.node(['--import', 'jsmemtrace/register', 'quiet.mjs', 'q1.log', 'q2.log']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '41');
    const first = await readOLog(box.path('q1.log'));
    const x2 = (w) => [w, w];
    assert.deepEqual(first.news.map(where), [
      // The name at this site is rebound from a quiet class to a traced one.
      ...x2('Loud quiet.mjs#16 <module>'),
      // A site that sees both.
      'Loud quiet.mjs#6 make',
      // A bound function: the class constructed is Loud.
      ...x2('Loud quiet.mjs#19 <module>'),
      // Derived from a quiet class.
      ...x2('LoudKid quiet.mjs#20 <module>'),
      'Map quiet.mjs#21 <module>', 'Map quiet.mjs#21 <module>', 'Map quiet.mjs#21 <module>',
      // Field initialisers run before the constructor's probe, which still finds its own new
      // expression after their quiet object (and their traced Map, recorded first).
      'Map quiet.mjs#7 Holder.cache', 'Holder quiet.mjs#23 <module>',
      'Map quiet.mjs#7 Holder.cache', 'HolderKid quiet.mjs#23 <module>',
      'Map quiet.mjs#7 Holder.cache', 'Holder quiet.mjs#23 <module>',
      'Map quiet.mjs#7 Holder.cache', 'HolderKid quiet.mjs#23 <module>',
      // A function constructor whose body makes quiet objects, by name and through a member; and
      // a quiet class whose constructor has code that is not instrumented make a traced object:
      // with no construction of its own in progress, that one is placed at its constructor.
      ...Array(3).fill(['Widget quiet.mjs#24 <module>', 'Loud quiet.mjs#3 Loud.constructor']).flat(),
      // Derived classes of one quiet base, by name, inside a traced construction: none claims it.
      ...Array(3).fill('Outer quiet.mjs#24 <module>'),
      // Built by code that is not instrumented, after quiet constructions that recursed and threw:
      // no entry of theirs is left to claim it, so it is placed at its own constructor.
      'Loud quiet.mjs#3 Loud.constructor',
    ]);
    // The next tracer decides afresh: what the first one skipped, it traces.
    const second = await readOLog(box.path('q2.log'));
    assert.deepEqual(second.news.map(where), [
      'Quiet quiet.mjs#28 <module>', 'Set quiet.mjs#28 <module>', 'Quiet quiet.mjs#28 <module>', 'Set quiet.mjs#28 <module>',
    ]);
  } finally {
    box.remove();
  }
});
