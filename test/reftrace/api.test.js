// The ReferenceTracing / ReferenceTracingSimple API: exports, options, misuse errors,
// suspend/resume, counts, the module-level functions, and stop() with and without a synchronous
// drain of finalizers. Programs run under the loader in a sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as api from '../../dist/index.js';
import { sandbox, readOLog, where } from './helpers.js';

test('the package exports the reference tracing API', () => {
  for (const name of ['ReferenceTracing', 'ReferenceTracingSimple', 'referenceTracingWrapperDepth', 'referenceTracingLogPath',
    'referenceTracingWriteMessageToLog', 'referenceTraced', 'referenceTracing']) {
    assert.ok(name in api, name);
  }
  assert.equal(api.referenceTracingWrapperDepth(), 0);
  assert.equal(api.referenceTracingLogPath(), undefined);
  assert.throws(() => api.referenceTracingWriteMessageToLog('x'), /no ReferenceTracing is running/);
});

test('invalid options are TypeErrors naming the option; uninstrumented processes are told how to run', () => {
  const cases = [
    [{ includeBuiltins: 'yes' }, /option includeBuiltins must be true or false/],
    [{ includeTypes: 'Foo' }, /option includeTypes must be a list of type names/],
    [{ excludeTypes: [1] }, /option excludeTypes must be a list of type names/],
    [{ gcOnExit: 2 }, /option gcOnExit must be 'full', 'minor' or false/],
    [{ gcOnExit: true }, /option gcOnExit must be 'full', 'minor' or false/],
    [{ filepath: '' }, /option filepath must be a non-empty string/],
    [{ include_builtins: true }, /unknown option "include_builtins"/],
    ['x', /options must be an object/],
  ];
  for (const [opts, re] of cases) {
    assert.throws(() => new api.ReferenceTracing(opts), (e) => e instanceof TypeError && re.test(e.message), JSON.stringify(opts));
  }
  assert.throws(() => new api.ReferenceTracingSimple({ message: 'm' }), /ReferenceTracingSimple: unknown option "message"/);
  assert.throws(() => api.referenceTraced(() => 1, { gcOnExit: 'major' }), /referenceTraced\(\): option gcOnExit/);
  assert.throws(() => api.referenceTracing({ nope: 1 }), /@referenceTracing: unknown option "nope"/);
  assert.throws(() => api.referenceTraced(3), /referenceTraced\(\): the first argument must be a function/);
  assert.throws(() => new api.ReferenceTracing(), /node --import jsmemtrace\/register app\.js.*jsmemtrace run --reftrace/);
  assert.throws(() => new api.ReferenceTracingSimple(), /no instrumented code is loaded/);
});

// V8 can run finalizers on demand (FinalizationRegistry#cleanupSome) up to V8 12 (Node 20, 22);
// V8 13 (Node 24) removed it, so only the asynchronous path exists there.
const CAN_DRAIN = Number(process.versions.v8.split('.')[0]) <= 12;
const MISUSE = `import { ReferenceTracing, ReferenceTracingSimple, referenceTracingWrapperDepth, referenceTracingLogPath, referenceTracingWriteMessageToLog } from 'jsmemtrace';
class Thing { constructor(n) { this.n = n; } }
const keep = [];
function attempt(label, fn) {
  try { const v = fn(); console.log(label + ': ' + (v === undefined ? 'ok' : JSON.stringify(v))); } catch (e) { console.log(label + ': ' + e.constructor.name + ': ' + e.message); }
}
attempt('bad filepath', () => new ReferenceTracing({ filepath: '/nonexistent-dir/x.log' }));
const a = new ReferenceTracing({ filepath: 'a.log', message: 'A' });
attempt('start once', () => a.start() === a);
attempt('start twice', () => a.start());
attempt('resume running', () => a.resume());
keep.push(new Thing(1));
attempt('suspend', () => a.suspend());
attempt('suspend twice', () => a.suspend());
keep.push(new Thing(2));
attempt('resume', () => a.resume());
keep.push(new Thing(3), new Thing(4));
attempt('live', () => a.liveObjectCounts());
const b = new ReferenceTracing({ filepath: 'b.log' });
attempt('depth', () => [referenceTracingWrapperDepth(), referenceTracingLogPath() === b.logFilePath]);
attempt('out of order', () => a.stop());
attempt('suspend outer', () => a.suspend());
attempt('message to suspended outer', () => a.writeMessageToLog('to a\\nsecond line'));
const s = new ReferenceTracingSimple();
attempt('stop b under simple', () => b.stop());
keep.push(new Thing(5));
s.stop();
attempt('simple counts', () => [s.countNew(), s.countDel()]);
referenceTracingWriteMessageToLog('module-level to b');
b.stop();
attempt('stop twice', () => b.stop());
attempt('message closed', () => b.writeMessageToLog('x'));
attempt('suspend closed', () => b.suspend());
attempt('depth after b', () => [referenceTracingWrapperDepth(), referenceTracingLogPath() === a.logFilePath]);
a.stop();
attempt('counts', () => [a.countNew(), a.countDel(), a.liveObjectCounts()]);
`;

test('misuse: start twice, stop out of order or twice, suspend/resume out of order, closed tracers', async () => {
  const box = sandbox();
  try {
    box.write('misuse.mjs', MISUSE);
    const r = box.run('misuse.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'bad filepath: Error: ReferenceTracing: cannot create filepath "/nonexistent-dir/x.log": ENOENT: no such file or directory, open \'/nonexistent-dir/x.log\'',
      'start once: true',
      'start twice: Error: ReferenceTracing.start(): this ReferenceTracing was already started (a tracer starts when it is constructed)',
      'resume running: Error: ReferenceTracing.resume(): this ReferenceTracing is not suspended; call suspend() first',
      'suspend: ok',
      'suspend twice: Error: ReferenceTracing.suspend(): this ReferenceTracing is already suspended; resume() it first',
      'resume: ok',
      'live: {"Thing":3}',
      'depth: [2,true]',
      'out of order: Error: ReferenceTracing.stop(): this ReferenceTracing is not the innermost running reference tracer; stop the inner ReferenceTracing first',
      'suspend outer: Error: ReferenceTracing.suspend(): an inner reference tracer is running (this one is suspended until it stops)',
      'message to suspended outer: ok',
      'stop b under simple: Error: ReferenceTracing.stop(): this ReferenceTracing is not the innermost running reference tracer; stop the inner ReferenceTracingSimple first',
      'simple counts: [1,0]',
      'stop twice: Error: ReferenceTracing.stop(): this ReferenceTracing is already stopped',
      'message closed: Error: ReferenceTracing.writeMessageToLog(): this ReferenceTracing is stopped and its log ' + box.path('b.log') + ' is closed',
      'suspend closed: Error: ReferenceTracing.suspend(): this ReferenceTracing is stopped',
      'depth after b: [1,true]',
      'counts: [3,0,{"Thing":3}]',
    ]);
    const a = await readOLog(box.path('a.log'));
    assert.deepEqual(a.intro, ['A']);
    // Thing(2) was made while suspended, Thing(5) while b (then the simple) ran: not in a's log.
    assert.deepEqual(a.news.map((n) => `${n.type} ${n.liveCount}`), ['Thing 1', 'Thing 2', 'Thing 3']);
    assert.deepEqual(a.messages.map((m) => m.text), [
      'Suspending this Reference Tracing file wrapper.',
      'Resuming this Reference Tracing file wrapper.',
      `Detaching this Reference Tracing file wrapper. New file: ${box.path('b.log')}`,
      'to a\nsecond line',
      'Re-attaching this Reference Tracing file wrapper.',
    ]);
    const b = await readOLog(box.path('b.log'));
    assert.deepEqual(b.news, []);
    assert.deepEqual(b.messages.map((m) => m.text), [
      'Detaching this Reference Tracing file wrapper. New tracer: ReferenceTracingSimple (no file).',
      'Re-attaching this Reference Tracing file wrapper.',
      'module-level to b',
    ]);
    // The tracers themselves, made at traced new expressions, are not the program's objects.
    assert.ok(!a.news.some((n) => n.type.startsWith('Reference')));
  } finally {
    box.remove();
  }
});

const ASYNC = `import { ReferenceTracing } from 'jsmemtrace';
import { readFileSync } from 'node:fs';
class Item { constructor(i) { this.i = i; } }
function make(n) { for (let i = 0; i < n; i++) new Item(i); }
const sync = new ReferenceTracing({ filepath: 'sync.log' });
make(3);
sync.stop();
console.log('after stop: ' + (readFileSync('sync.log', 'utf8').trimEnd().endsWith('EOF') ? 'closed' : 'open'));
setTimeout(() => console.log('later: ' + (readFileSync('sync.log', 'utf8').trimEnd().endsWith('EOF') ? 'closed' : 'open')), 300);
const awaited = new ReferenceTracing({ filepath: 'async.log' });
make(4);
await awaited.stopAsync();
console.log('after stopAsync: ' + (readFileSync('async.log', 'utf8').trimEnd().endsWith('EOF') ? 'closed' : 'open') + ' DEL ' + awaited.countDel());
const minor = new ReferenceTracing({ filepath: 'minor.log', gcOnExit: 'minor' });
make(2);
await minor.stopAsync();
console.log('minor closed');
`;

test('stop() without a synchronous drain closes the log once the finalizers ran; stopAsync() waits for it; minor GC', async () => {
  const box = sandbox();
  try {
    box.write('async.mjs', ASYNC);
    for (const drainable of CAN_DRAIN ? [true, false] : [false]) {
      const r = box.run('async.mjs', drainable ? {} : { JSMEMTRACE_NO_CLEANUP_SOME: '1' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [
        `after stop: ${drainable ? 'closed' : 'open'}`, 'after stopAsync: closed DEL 4', 'minor closed', 'later: closed',
      ]);
      const sync = await readOLog(box.path('sync.log'));
      assert.deepEqual([sync.news.length, sync.alive.length], [3, 0]);
      const minor = await readOLog(box.path('minor.log'));
      assert.equal(minor.news.length, 2);
      for (const n of minor.news) assert.equal(where(n), 'Item async.mjs#4 make');
    }
    assert.ok(readFileSync(box.path('async.log'), 'utf8').includes('DEL:'));
  } finally {
    box.remove();
  }
});

// Tracing an object must not keep it: V8 keeps a FinalizationRegistry's targets through minor
// collections, so registering the object itself promoted it (and what it references) to the old
// generation, where only a full collection frees it.
const YOUNG = `import { ReferenceTracing } from 'jsmemtrace';
import { getHeapSpaceStatistics } from 'node:v8';
class Holder { constructor(n) { this.data = new Array(n).fill(1.5); } }
const oldSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
function churn() { for (let i = 0; i < 2000; i++) new Holder(500); }
const t = new ReferenceTracing({ filepath: 'young.log' });
gc({ type: 'minor' }); gc({ type: 'minor' });
const before = oldSpace();
churn();
gc({ type: 'minor' }); gc({ type: 'minor' });
const grown = oldSpace() - before;
await t.stopAsync();
console.log(grown < 2 * 1024 * 1024 ? 'freed young' : \`promoted \${grown} bytes\`, t.countNew(), t.countDel());
`;

test('a traced object that dies young is freed by a minor collection, as untraced; its DEL row still comes', async () => {
  const box = sandbox();
  try {
    box.write('young.mjs', YOUNG);
    const r = box.node(['--expose-gc', '--import', 'jsmemtrace/register', 'young.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'freed young 2000 2000');
    const log = await readOLog(box.path('young.log'));
    assert.deepEqual([log.news.length, log.alive.length], [2000, 0]);
  } finally {
    box.remove();
  }
});

// Node 20/22 aborted at exit ("illegal access", status 134) in about half the runs of such a
// program: the final collection at \`exit\` left V8 a cleanup task for the tracer's registry, which
// then ran while Node freed the environment (fetch's sockets still closing), and that registry
// belonged to another V8 context.
const FETCH = `import http from 'node:http';
import { ReferenceTracing } from 'jsmemtrace';
class Item { constructor(i) { this.i = i; } }
new ReferenceTracing({ filepath: process.argv[2] });
const srv = http.createServer((req, res) => { for (let i = 0; i < 2000; i++) new Item(i); res.end('ok'); });
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
for (let i = 0; i < 3; i++) await (await fetch(\`http://127.0.0.1:\${srv.address().port}/\`)).text();
srv.close();
console.log('end');
`;

test('a server that fetched from itself exits cleanly, its log complete, with the final collection at exit', async () => {
  const box = sandbox();
  try {
    box.write('fetch.mjs', FETCH);
    for (let k = 0; k < 6; k++) {
      const r = box.node(['--import', 'jsmemtrace/register', 'fetch.mjs', `f${k}.log`]);
      assert.deepEqual([r.status, r.signal, r.stdout], [0, null, 'end\n'], r.stderr);
      const log = await readOLog(box.path(`f${k}.log`));
      assert.equal(log.news.length, 6000);
    }
  } finally {
    box.remove();
  }
});

const BOTH = `import { Profile, ReferenceTracing } from 'jsmemtrace';
import { Worker, isMainThread } from 'node:worker_threads';
class Item { constructor(i) { this.i = i; this.m = new Map(); } }
function make(n) { const out = []; for (let i = 0; i < n; i++) out.push(new Item(i)); return out; }
const p = new Profile({ dRssTrigger: 0, filepath: isMainThread ? 'p.log' : 'pw.log' });
const r = new ReferenceTracing(isMainThread ? { filepath: 'r.log' } : {});
const kept = make(3);
make(2);
await r.stopAsync();
p.stop();
console.log(isMainThread ? 'main' : 'worker', r.countNew(), r.countDel(), kept.length);
if (isMainThread) new Worker(new URL(import.meta.url));
`;

test('a Profile and a ReferenceTracing at once, in the main thread and in a worker (its own _w log)', async () => {
  const box = sandbox();
  try {
    box.write('both.mjs', BOTH);
    const r = box.run('both.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['main 5 2 3', 'worker 5 2 3']);
    const { readPTLog } = await import('../tracers/helpers.js');
    const profile = await readPTLog(box.path('p.log'));
    // The Profile still sees each constructor entered from its new expression (no C_CALL for it).
    assert.equal(profile.logged.filter((e) => e.what === 'CALL' && e.fn === 'Item.constructor').length, 5);
    assert.equal(profile.logged.filter((e) => e.what === 'C_CALL' && e.fn === 'Item').length, 0);
    const main = await readOLog(box.path('r.log'));
    const workerLog = box.logs().find((n) => /_O_0_NODE[\d.]+_w\d+\.log$/.test(n));
    assert.ok(workerLog, box.logs().join(' '));
    for (const log of [main, await readOLog(box.path(workerLog))]) {
      assert.deepEqual([log.news.length, log.dels.length, log.alive.length], [5, 2, 3]);
      for (const n of log.news) assert.equal(where(n), 'Item both.mjs#4 make');
    }
  } finally {
    box.remove();
  }
});

test('stop() then an immediate process.exit(): complete with a synchronous drain, else an ERR row says what is missing', async () => {
  const box = sandbox();
  try {
    box.write('stop-exit.mjs', `import { ReferenceTracing } from 'jsmemtrace';
class Item { constructor(i) { this.i = i; } }
function make(n) { for (let i = 0; i < n; i++) new Item(i); }
const t = new ReferenceTracing({ filepath: 'se.log' });
make(4);
t.stop();
process.exit(0);
`);
    for (const drainable of CAN_DRAIN ? [true, false] : [false]) {
      const r = box.run('stop-exit.mjs', drainable ? {} : { JSMEMTRACE_NO_CLEANUP_SOME: '1' });
      assert.equal(r.status, 0, r.stderr);
      const log = await readOLog(box.path('se.log'));
      assert.equal(log.news.length, 4);
      const err = log.messages.filter((m) => m.tag === 'ERR');
      if (drainable) {
        assert.deepEqual([log.alive.length, err.length], [0, 0]);
      } else {
        assert.equal(err.length, 1);
        assert.match(err[0].text, /objects it freed show as live/);
      }
    }
  } finally {
    box.remove();
  }
});
