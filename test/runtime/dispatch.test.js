// How probe calls become events: calls into code that is not instrumented (C_CALL/C_RETURN/
// C_EXCEPT), callbacks from builtins, async and generator suspension, exceptions and the frame
// stack's resynchronisation. Real programs, instrumented by the real loader, logged with
// Profile(0) / Trace(0), read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, readPTLog, MiB, ROOT } from '../tracers/helpers.js';

const DISPATCH = "import { frameDepth } from './node_modules/jsmemtrace/dist/runtime/dispatch.js';\n";

async function events(code, { file = 'prog.mjs', env } = {}) {
  const box = sandbox();
  try {
    box.write(file, code);
    const r = box.run(file, env);
    assert.equal(r.status, 0, r.stderr);
    const logs = await Promise.all(box.logs().map((n) => readPTLog(box.path(n))));
    return { stdout: r.stdout, logs, seq: logs.map((l) => l.logged.map((e) => `${e.what} ${e.fn}`)) };
  } finally {
    box.remove();
  }
}

test('a builtin that calls back: C_CALL before the callback, C_RETURN when the caller goes on', async () => {
  const { seq } = await events(`import { Profile } from 'jsmemtrace';
const p = new Profile(0);
[1, 2].forEach(function each(x) {
  return x;
});
p.stop();
`);
  assert.deepEqual(seq[0], ['C_CALL forEach', 'CALL each', 'RETURN each', 'CALL each', 'RETURN each', 'C_RETURN forEach']);
});

test('a builtin that throws through an instrumented function: C_EXCEPT, then the function returns', async () => {
  const { seq } = await events(`import { Profile } from 'jsmemtrace';
function parse(text) {
  return JSON.parse(text);
}
const p = new Profile(0);
try {
  parse('{');
} catch {
  Math.max(1, 2);
}
p.stop();
`);
  assert.deepEqual(seq[0], ['CALL parse', 'C_CALL parse', 'C_EXCEPT parse', 'RETURN parse', 'C_CALL max', 'C_RETURN max']);
});

test('await: RETURN at suspension, CALL at resumption; the stack is empty after', async () => {
  const { seq, stdout } = await events(`${DISPATCH}import { Trace } from 'jsmemtrace';
async function later(x) {
  await null;
  return x;
}
const t = new Trace(0);
await later(1);
console.log(frameDepth());
t.stop();
`);
  const calls = seq[0].filter((s) => s.endsWith(' later'));
  assert.deepEqual(calls, ['CALL later', 'LINE later', 'RETURN later', 'CALL later', 'LINE later', 'RETURN later']);
  assert.equal(stdout, '0\n');
});

test('generators: each yield returns, each next() resumes as a call', async () => {
  const { seq } = await events(`import { Profile } from 'jsmemtrace';
function* two() {
  yield 1;
  yield 2;
}
const p = new Profile(0);
const it = two();
it.next();
it.next();
it.next();
p.stop();
`);
  // Calling a generator function runs none of its body (no event: it is not a call into code
  // that is not instrumented); next() is a builtin that resumes it.
  assert.deepEqual(seq[0], [
    'C_CALL next', 'CALL two', 'RETURN two', 'C_RETURN next',
    'C_CALL next', 'CALL two', 'RETURN two', 'C_RETURN next',
    'C_CALL next', 'CALL two', 'RETURN two', 'C_RETURN next',
  ]);
});

test('a generator suspended at a `yield*` (no probe there) returns, and resumes as a call when the delegate is done', async () => {
  // TypeScript's flatMapIterator: the caller's next probe pops the generator (RETURN); its next
  // probe, after `yield*`, finds it off the stack: resumed unseen (CALL), after the caller's
  // last call (`push`) returned.
  const { seq } = await events(`import { Profile, Trace } from 'jsmemtrace';
function* flat(iter) {
  for (const x of iter) {
    const inner = x > 1 ? [x, x] : undefined;
    if (!inner) continue;
    yield* inner;
  }
}
function all(it) { const out = []; for (const v of it) out.push(v); return out; }
const p = new Profile(0);
const t = new Trace(0);
all(flat([1, 2, 3]));
t.stop();
p.stop();
`);
  for (const s of seq) {
    const own = s.filter((x) => x.endsWith(' flat') || x === 'C_CALL push' || x === 'C_RETURN push').filter((x) => !x.startsWith('LINE'));
    const expected = ['CALL flat', 'RETURN flat', 'CALL flat', 'RETURN flat', 'CALL flat', 'RETURN flat'];
    if (own.includes('C_CALL push')) {
      // Profile: each resumption follows the C_RETURN of the push that came before it.
      assert.deepEqual(own, [
        'CALL flat', 'RETURN flat', 'C_CALL push', 'C_RETURN push', 'C_CALL push', 'C_RETURN push',
        'CALL flat', 'RETURN flat', 'C_CALL push', 'C_RETURN push', 'C_CALL push', 'C_RETURN push',
        'CALL flat', 'RETURN flat',
      ]);
    } else {
      assert.deepEqual(own, expected);
    }
  }
});

test('recursion keeps calls and returns paired; Trace sees no C events', async () => {
  const { seq, stdout } = await events(`${DISPATCH}import { Profile, Trace } from 'jsmemtrace';
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
const p = new Profile(0);
const t = new Trace(0);
fib(10);
console.log(frameDepth());
t.stop();
p.stop();
`);
  for (const s of seq) {
    assert.equal(s.filter((x) => x === 'CALL fib').length, 177);
    assert.equal(s.filter((x) => x === 'RETURN fib').length, 177);
  }
  const traceSeq = seq.find((s) => s.some((x) => x.startsWith('LINE')));
  assert.ok(!traceSeq.some((x) => x.startsWith('C_')));
  assert.equal(stdout, '0\n');
});

test('an exit the runtime did not see (unwrappable body that threw) is resynchronised', async () => {
  // Sloppy-mode duplicate function declarations: the body cannot be wrapped in try/finally.
  const { stdout, seq } = await events(`const { Profile } = require('jsmemtrace');
const { frameDepth } = require('./node_modules/jsmemtrace/dist/runtime/dispatch.js');
function odd() {
  function g() { return 1; }
  function g() { return 2; }
  throw new Error('from ' + g());
}
function caller() {
  try {
    odd();
  } catch (e) {
    console.log(frameDepth());
  }
  return 0;
}
const p = new Profile(0);
caller();
console.log(frameDepth());
p.stop();
`, { file: 'prog.cjs' });
  assert.equal(stdout, '1\n0\n');
  // Its RETURN is written when the stack resynchronises: at the catching function's next probe.
  const odd = seq[0].indexOf('CALL odd');
  assert.ok(odd >= 0 && seq[0].indexOf('RETURN odd') > odd && seq[0].indexOf('RETURN odd') < seq[0].indexOf('RETURN caller'), seq[0].join(', '));
});

test('sampled RSS: re-read at most every interval; stale in between', async () => {
  const program = (micros) => `import { Profile } from 'jsmemtrace';
function grow() {
  return Buffer.alloc(8 * 1024 * 1024, 1);
}
const p = new Profile({ dRssTrigger: 0, rssSampleMicros: ${micros} });
const kept = [grow(), grow()];
p.stop();
`;
  const stale = await events(program(60e6));
  const grown = stale.logs[0].logged.filter((e) => e.dRss >= MiB);
  assert.equal(grown.length, 0, 'a minute-long interval never re-reads during the run');
  const fresh = await events(program(1));
  assert.equal(fresh.logs[0].logged.filter((e) => e.dRss >= 8 * MiB && e.fn === 'alloc').length, 2);
});

test('deep recursion, directly and through builtins, grows the frame and pending-call stacks', async () => {
  const { seq, stdout } = await events(`${DISPATCH}import { Profile } from 'jsmemtrace';
function down(n) {
  return n === 0 ? 0 : 1 + down(n - 1);
}
function viaMap(n) {
  return n === 0 ? 0 : [n - 1].map(viaMap)[0] + 1;
}
const p = new Profile(0);
down(1000);
viaMap(300);
console.log(frameDepth());
p.stop();
`);
  assert.equal(stdout, '0\n');
  assert.equal(seq[0].filter((x) => x === 'CALL down').length, 1001);
  assert.equal(seq[0].filter((x) => x === 'RETURN down').length, 1001);
  assert.equal(seq[0].filter((x) => x === 'CALL viaMap').length, 301);
  assert.equal(seq[0].filter((x) => x === 'C_CALL map').length, 300);
  assert.equal(seq[0].filter((x) => x === 'C_RETURN map').length, 300);
  // Each map call returns after the call it made back into viaMap.
  const k = seq[0].indexOf('RETURN viaMap');
  assert.deepEqual(seq[0].slice(k, k + 600), Array(300).fill(['RETURN viaMap', 'C_RETURN map']).flat());
});

test('a sink that throws inside a probe: one message, tracing stops, the program goes on unchanged', () => {
  const box = sandbox();
  try {
    box.write('prog.mjs', `import { attachSink } from './node_modules/jsmemtrace/dist/runtime/dispatch.js';
let calls = 0;
attachSink('T', { ev() { calls++; throw new TypeError('sink broke'); }, evBefore() {} });
function twice(x) {
  const y = x * 2;
  return y;
}
function* gen() { yield 1; yield 2; }
let out = 0;
for (let i = 0; i < 3; i++) out += twice(i);
for (const v of gen()) out += v;
try { (() => { throw new Error('own'); })(); } catch (e) { out += e.message.length; }
console.log(out, calls);
`);
    const r = box.run('prog.mjs');
    assert.equal(r.status, 0, r.stderr);
    // 0+2+4, 1+2, 'own'.length; the sink was called once, then detached.
    assert.equal(r.stdout, '12 1\n');
    assert.equal(r.stderr, 'jsmemtrace: a tracer failed (sink broke); tracing stopped, the program goes on\n');
  } finally {
    box.remove();
  }
});

test('a reference-tracing sink that throws: one message, it is detached, the program goes on unchanged', () => {
  const box = sandbox();
  try {
    box.write('prog.mjs', `import { attachAllocSink } from './node_modules/jsmemtrace/dist/runtime/alloc.js';
let adds = 0;
attachAllocSink({ row() { return 0; }, add() { adds++; throw new RangeError('full'); } }, false);
class Point { constructor(x) { this.x = x; } }
const made = [];
for (let i = 0; i < 3; i++) made.push(new Point(i));
console.log(made.map((p) => p.x).join(','), made[2] instanceof Point, adds);
`);
    const r = box.run('prog.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '0,1,2 true 1\n');
    assert.equal(r.stderr, 'jsmemtrace: a tracer failed (full); tracing stopped, the program goes on\n');
  } finally {
    box.remove();
  }
});

test('a leaf that throws (no try/finally in it): its EXCEPT and RETURN come before the catching code runs on', async () => {
  const { stdout, seq } = await events(`${DISPATCH}import { Profile, Trace } from 'jsmemtrace';
function get(o) {
  return o.x.y;
}
function caller() {
  try {
    get({});
  } catch {
    return frameDepth();
  }
}
const p = new Profile(0);
const t = new Trace(0);
const depth = caller();
t.stop();
p.stop();
console.log(depth, frameDepth());
`);
  assert.equal(stdout, '1 0\n');
  const [profile, trace] = seq[0].some((x) => x.startsWith('LINE')) ? [seq[1], seq[0]] : [seq[0], seq[1]];
  const t = trace.filter((x) => !x.startsWith('C_'));
  assert.deepEqual(t.slice(t.indexOf('CALL caller'), t.indexOf('CALL caller') + 9), [
    'CALL caller', 'LINE caller', 'LINE caller', 'CALL get', 'LINE get', 'EXCEPT get', 'RETURN get', 'LINE caller', 'RETURN caller',
  ]);
  assert.deepEqual(profile.filter((x) => !x.startsWith('C_')).slice(0, 4), ['CALL caller', 'CALL get', 'RETURN get', 'RETURN caller']);
});

test('a leaf whose exception code that is not instrumented catches ends at the next probe of its caller', async () => {
  const { seq } = await events(`import { Profile } from 'jsmemtrace';
function exec(resolve) {
  resolve.x.y;
}
function caller() {
  const p = new Promise(exec);
  p.catch(() => {});
  return 0;
}
const p = new Profile(0);
caller();
p.stop();
`);
  assert.deepEqual(seq[0].slice(0, 5), ['CALL caller', 'C_CALL Promise', 'CALL exec', 'RETURN exec', 'C_RETURN Promise']);
});

// The exits of leaves (no exception probe) against the same programs' exits in the build that
// wrapped every body in try/finally: the sequences below are what that build wrote.

/** Trace's and Profile's sequences of a program that starts both (Trace's is the one with LINE rows). */
function bothSeqs(seq) {
  const [profile, trace] = seq[0].some((x) => x.startsWith('LINE')) ? [seq[1], seq[0]] : [seq[0], seq[1]];
  return { profile, trace };
}

test('a leaf\'s exception caught by top-level code ends before the code that caught it runs on', async () => {
  const { seq } = await events(`import { Profile, Trace } from 'jsmemtrace';
function leaf(o) { return o.x.y; }
function other(a) { return a; }
const p = new Profile(0);
const t = new Trace(0);
let r = 0;
try {
  leaf({});
} catch {
  r = other(1);
}
try { leaf({}); } catch { r += other(2); }
t.stop();
p.stop();
`);
  const { profile, trace } = bothSeqs(seq);
  assert.deepEqual(trace.filter((x) => !x.startsWith('LINE')), [
    'CALL leaf', 'EXCEPT leaf', 'RETURN leaf', 'CALL other', 'RETURN other',
    'CALL leaf', 'EXCEPT leaf', 'RETURN leaf', 'CALL other', 'RETURN other',
  ]);
  assert.deepEqual(profile.filter((x) => !x.startsWith('C_')), [
    'CALL leaf', 'RETURN leaf', 'CALL other', 'RETURN other', 'CALL leaf', 'RETURN leaf', 'CALL other', 'RETURN other',
  ]);
});

test('a leaf\'s exception caught on its line (catch, finally, an empty catch before a call): its exit before the next entry', async () => {
  const { seq, stdout } = await events(`${DISPATCH}import { Trace } from 'jsmemtrace';
function leaf(o) { return o.x.y; }
function other(a) { return a; }
function caught(o) {
  let r; try { r = leaf(o); } catch { r = other(1); } return r;
}
function cleaned(o) {
  try { leaf(o); } finally { other(2); }
}
function ignored(o) {
  try { leaf(o); } catch {} return other(3);
}
function min(o){try{return leaf(o)}catch(e){return other(4)}}
const t = new Trace(0);
caught({});
try { cleaned({}); } catch {}
ignored({});
min({});
t.stop();
console.log(frameDepth());
`);
  assert.equal(stdout, '0\n');
  const calls = seq[0].filter((x) => !x.startsWith('LINE'));
  const leafExit = ['CALL leaf', 'EXCEPT leaf', 'RETURN leaf'];
  assert.deepEqual(calls, [
    'CALL caught', ...leafExit, 'CALL other', 'RETURN other', 'RETURN caught',
    'CALL cleaned', ...leafExit, 'CALL other', 'RETURN other', 'EXCEPT cleaned', 'RETURN cleaned',
    'CALL ignored', ...leafExit, 'CALL other', 'RETURN other', 'RETURN ignored',
    'CALL min', ...leafExit, 'CALL other', 'RETURN other', 'RETURN min',
  ]);
});

test('an uncaught leaf exception through a builtin: the leaf\'s EXCEPT and RETURN, then the builtin\'s C_EXCEPT', async () => {
  const box = sandbox();
  try {
    box.write('prog.cjs', `function leaf(o) {
  return o.x.y;
}
[{ x: { y: 1 } }, {}].map(leaf);
`);
    const seqs = {};
    for (const mode of ['--profile', '--trace']) {
      const out = box.path(mode.slice(2));
      const r = box.node([join(ROOT, 'dist/cli/main.js'), 'run', mode, '--d-rss-trigger', '0', '--out-dir', out, 'prog.cjs']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /TypeError: Cannot read properties of undefined/);
      const log = await readPTLog(join(out, readdirSync(out)[0]));
      seqs[mode] = log.logged.map((e) => `${e.what} ${e.fn}`).filter((x) => !x.startsWith('LINE'));
    }
    assert.deepEqual(seqs['--profile'], ['C_CALL map', 'CALL leaf', 'RETURN leaf', 'CALL leaf', 'RETURN leaf', 'C_EXCEPT map']);
    assert.deepEqual(seqs['--trace'], ['CALL leaf', 'RETURN leaf', 'CALL leaf', 'EXCEPT leaf', 'RETURN leaf']);
  } finally {
    box.remove();
  }
});

test('an ES module\'s uncaught leaf exception (a rejection): the leaf\'s EXCEPT and RETURN are written', () => {
  const box = sandbox();
  box.write('prog.mjs', `import { Trace } from 'jsmemtrace';
function leaf(o) {
  return o.x.y;
}
new Trace(0);
leaf(null);
`);
  const r = box.run('prog.mjs');
  assert.equal(r.status, 1);
  return readPTLog(box.path(box.logs()[0])).then((log) => {
    const seq = log.logged.map((e) => `${e.what} ${e.fn}`).filter((x) => !x.startsWith('LINE'));
    assert.deepEqual(seq, ['CALL leaf', 'EXCEPT leaf', 'RETURN leaf']);
  }).finally(() => box.remove());
});

test('a derived constructor with no exit probe at its end (it may end with `this` unbound) returns: RETURN, no EXCEPT', async () => {
  const { seq } = await events(`import { Trace } from 'jsmemtrace';
class Base { constructor(v) { this.v = v; } }
class D extends Base {
  constructor(x) {
    if (x) super(x)
    Math.max(
      1
    )
  }
}
function make() {
  const d = new D(true);
  return d.v;
}
const t = new Trace(0);
make();
t.stop();
`);
  assert.deepEqual(seq[0].filter((x) => !x.startsWith('LINE')), [
    'CALL make', 'CALL D.constructor', 'CALL Base.constructor', 'RETURN Base.constructor', 'RETURN D.constructor', 'RETURN make',
  ]);
});

test('a leaf whose exception a `Promise` executor caught, with no probe after it: its EXCEPT and RETURN at exit', async () => {
  const { seq } = await events(`import { Trace } from 'jsmemtrace';
function exec(resolve) {
  resolve.x.y;
}
new Trace(0);
new Promise(exec).catch(Boolean);
`);
  assert.deepEqual(seq[0].filter((x) => !x.startsWith('LINE')), ['CALL exec', 'EXCEPT exec', 'RETURN exec']);
});

test('a top-level await pops the frames that exited unseen before the module\'s RETURN, as its resumption does', async () => {
  // An async generator awaits its `return` value with no probe there: the caller's next probe
  // finds it still on the stack. The module's await ends it first (before its own RETURN), so
  // the log's order is the run's.
  const { seq } = await events(`import { Profile } from 'jsmemtrace';
async function* ag() {
  yield 1;
  return new Promise((r) => setTimeout(r, 5, 2));
}
async function other() { await null; }
const p = new Profile(0);
const it = ag();
await it.next();
const last = it.next();
await other();
await last;
p.stop();
`);
  const own = seq[0].filter((s) => / (ag|<module>|next)$/.test(s));
  assert.deepEqual(own, [
    'C_CALL next', 'CALL ag', 'RETURN ag', 'C_RETURN next', 'RETURN <module>',
    'CALL <module>', 'C_CALL next', 'CALL ag', 'RETURN ag', 'C_RETURN next', 'RETURN <module>',
    'CALL <module>', 'RETURN <module>',
    'CALL ag', 'RETURN ag', 'CALL <module>',
  ]);
});
