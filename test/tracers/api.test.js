// The public API's contract: options, misuse errors, the module-level functions, run() and the
// wrappers' transparency. Programs run under the loader in a sandbox; errors are printed as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox, readPTLog } from './helpers.js';
import * as api from '../../dist/index.js';

test('the package exports the API', () => {
  for (const name of ['Profile', 'Trace', 'profile', 'trace', 'profiled', 'traced', 'rss', 'rssPeak', 'pageSize',
    'profileWrapperDepth', 'profileLogPath', 'profileWriteMessageToLog', 'traceWrapperDepth', 'traceLogPath',
    'traceWriteMessageToLog', 'VERSION']) {
    assert.ok(name in api, name);
  }
});

test('invalid options are TypeErrors naming the option', () => {
  const cases = [
    [{ dRssTrigger: 1.5 }, /option dRssTrigger must be an integer/],
    [{ dRssTrigger: '0' }, /option dRssTrigger must be an integer.*got "0"/],
    [{ message: 42 }, /option message must be a string/],
    [{ filepath: '' }, /option filepath must be a non-empty string/],
    [{ rssSampleMicros: -1 }, /option rssSampleMicros must be a number of microseconds/],
    [{ dRSSTrigger: 0 }, /unknown option "dRSSTrigger"/],
    ['fast', /options must be an object or a dRssTrigger number/],
  ];
  for (const [opts, re] of cases) {
    assert.throws(() => new api.Profile(opts), (e) => e instanceof TypeError && re.test(e.message), JSON.stringify(opts));
    assert.throws(() => new api.Trace(opts), TypeError);
  }
  assert.throws(() => api.profiled(() => 1, { dRssTrigger: NaN }), /profiled\(\): option dRssTrigger/);
  assert.throws(() => api.profile({ nope: 1 }), /@profile: unknown option "nope"/);
  assert.throws(() => api.traced('f'), /traced\(\): the first argument must be a function/);
});

test('a tracer in a process without instrumented code says how to run instrumented', () => {
  assert.throws(() => new api.Profile(), /node --import jsmemtrace\/register app\.js.*jsmemtrace run --profile/);
  assert.throws(() => new api.Trace(), /no instrumented code is loaded in this process/);
});

test('misuse: start twice, stop twice or out of order, message to a closed tracer, bad filepath', async () => {
  const box = sandbox();
  try {
    box.write('misuse.mjs', `import { Profile, Trace, profileWriteMessageToLog, traceLogPath } from 'jsmemtrace';
function attempt(label, fn) {
  try { fn(); console.log(label + ': ok'); } catch (e) { console.log(label + ': ' + e.constructor.name + ': ' + e.message); }
}
attempt('bad filepath', () => new Profile({ filepath: '/nonexistent-dir/x.log' }));
attempt('no profile', () => profileWriteMessageToLog('x'));
console.log('trace path ' + traceLogPath());
const a = new Profile({ filepath: 'a.log' });
attempt('start once', () => a.start());
attempt('start twice', () => a.start());
const b = new Profile({ filepath: 'b.log' });
attempt('out of order', () => a.stop());
const t = new Trace({ filepath: 't.log' });
attempt('other kind in between', () => b.stop());
attempt('message suspended', () => a.writeMessageToLog('to a'));
attempt('stop a', () => a.stop());
t.stop();
attempt('stop twice', () => a.stop());
attempt('message closed', () => a.writeMessageToLog('late'));
attempt('start closed', () => a.start());
attempt('dispose closed', () => a[Symbol.dispose]());
`);
    const r = box.run('misuse.mjs');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const at = (label) => lines.find((l) => l.startsWith(label + ':'));
    assert.match(at('bad filepath'), /^bad filepath: Error: Profile: cannot create filepath "\/nonexistent-dir\/x.log": ENOENT: no such file or directory, open/);
    assert.equal(at('no profile'), 'no profile: Error: profileWriteMessageToLog(): no Profile is running');
    assert.ok(lines.includes('trace path undefined'));
    assert.equal(at('start once'), 'start once: ok');
    assert.match(at('start twice'), /Error: Profile.start\(\): this Profile was already started/);
    assert.match(at('out of order'), /Error: Profile.stop\(\): this Profile \(log .*a\.log\) is not the innermost running Profile; stop the inner one \(log .*b\.log\) first/);
    assert.equal(at('other kind in between'), 'other kind in between: ok');
    assert.equal(at('message suspended'), 'message suspended: ok');
    assert.equal(at('stop a'), 'stop a: ok');
    assert.match(at('stop twice'), /Error: Profile.stop\(\): this Profile is already stopped/);
    assert.match(at('message closed'), /Error: Profile.writeMessageToLog\(\): this Profile is stopped and its log .*a\.log is closed/);
    assert.match(at('start closed'), /Error: Profile.start\(\): this Profile is stopped/);
    assert.equal(at('dispose closed'), 'dispose closed: ok');
    const a = await readPTLog(box.path('a.log'));
    assert.deepEqual(a.messages.map((m) => m.text), [
      `Detaching this profile file wrapper. New file: ${box.path('b.log')}`, 'Re-attaching this profile file wrapper.', 'to a',
    ]);
    await readPTLog(box.path('b.log'));
    await readPTLog(box.path('t.log'));
  } finally {
    box.remove();
  }
});

test('run(), wrappers and decorators keep this, arguments, results, exceptions and async-ness', async () => {
  const box = sandbox();
  try {
    box.write('wrap.mjs', `import { Profile, Trace, profiled, traced, profile, profileWrapperDepth, traceWrapperDepth } from 'jsmemtrace';
const obj = { k: 10, add(a, b) { return this.k + a + b; } };
const add = profiled(obj.add, 0);
console.log('name', add.name, add.length, add.call(obj, 1, 2));
const boom = traced(function boom() { throw new RangeError('no'); }, 0);
try { boom(); } catch (e) { console.log('threw', e.constructor.name, traceWrapperDepth()); }
const later = profiled(async (x) => { await null; return x + 1; });
const p = later(1);
console.log('promise', p instanceof Promise, profileWrapperDepth());
console.log('resolved', await p, profileWrapperDepth());
const rejected = traced(async () => { throw new Error('async no'); });
await rejected().catch((e) => console.log('rejected', e.message, traceWrapperDepth()));
console.log('run', Profile.run({ dRssTrigger: 0 }, () => 'value'), await Trace.run(0, async () => 'async value'));
// What a TC39 decorator receives and returns (the example decorators.ts runs the real syntax).
class C {}
C.prototype.m = profile({ message: 'decorated' })(function m(x) { return [this instanceof C, x]; }, { kind: 'method', name: 'm' });
console.log('decorated', JSON.stringify(new C().m(5)), C.prototype.m.name);
`);
    const r = box.run('wrap.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, [
      'name add 2 13', 'threw RangeError 0', 'promise true 1', 'resolved 2 0', 'rejected async no 0',
      'run value async value', 'decorated [true,5] m', '',
    ].join('\n'));
    const logs = await Promise.all(box.logs().map((n) => readPTLog(box.path(n))));
    assert.equal(logs.length, 7);
    const boomLog = logs.find((l) => l.name.kind === 'T' && l.logged.some((e) => e.what === 'EXCEPT'));
    assert.deepEqual(boomLog.logged.map((e) => `${e.what} ${e.fn}`), ['CALL boom', 'EXCEPT boom', 'RETURN boom']);
    assert.ok(logs.some((l) => l.intro[0] === 'decorated'));
    assert.throws(() => api.profile()(function f() {}, { kind: 'field', name: 'f' }), /@profile decorates methods; for a function use profiled\(fn, opts\)/);
  } finally {
    box.remove();
  }
});

test('dRssTrigger N: an event is logged when RSS moved by N bytes or more since the last logged one', async () => {
  const box = sandbox();
  try {
    box.write('trigger.mjs', `import { Profile } from 'jsmemtrace';
const p = new Profile({ dRssTrigger: ${3 * 1024 * 1024}, filepath: 'n.log' });
const kept = [];
for (let i = 0; i < 8; i++) kept.push(Buffer.alloc(1024 * 1024, 1));
p.stop();
`);
    const r = box.run('trigger.mjs');
    assert.equal(r.status, 0, r.stderr);
    const log = await readPTLog(box.path('n.log'));
    assert.ok(log.logged.length >= 2 && log.logged.length <= 3, JSON.stringify(log.logged));
    for (const e of log.logged) assert.ok(Math.abs(e.dRss) >= 3 * 1024 * 1024);
    assert.ok(log.events.filter((e) => e.tag === 'PREV').length >= 2);
  } finally {
    box.remove();
  }
});
