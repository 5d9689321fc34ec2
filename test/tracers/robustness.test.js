// The traced program ends badly or the log cannot be written: the program goes on (or ends as it
// would have), and the log is complete and readable wherever that is possible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { sandbox, readPTLog } from './helpers.js';

const WORK = `
function grow(n) {
  const blocks = [];
  for (let i = 0; i < n; i++) blocks.push(Buffer.alloc(1024 * 1024, 1));
  return blocks;
}
`;

async function onlyLog(box) {
  const logs = box.logs();
  assert.equal(logs.length, 1, logs.join());
  return readPTLog(box.path(logs[0]));
}

test('write failure mid-run (disk full): one warning, tracing stops, the program goes on', () => {
  const box = sandbox();
  try {
    box.write('full.mjs', `import { Profile, profileWrapperDepth } from 'jsmemtrace';${WORK}
const p = new Profile({ dRssTrigger: 0, filepath: '/dev/full' });
let kept = [];
for (let i = 0; i < 3000; i++) kept = grow(0);
console.log('depth', profileWrapperDepth());
p.writeMessageToLog('ignored after the failure');
p.stop();
console.log('after');
`);
    const r = box.run('full.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'depth 0\nafter\n');
    const warnings = r.stderr.split('\n').filter((l) => l.includes('jsmemtrace'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /writing the Profile log \/dev\/full failed \(ENOSPC\).*stopped tracing, the program goes on/);
  } finally {
    box.remove();
  }
});

for (const [what, ending, status] of [
  ['process.exit()', 'process.exit(3);', 3],
  ['an uncaught exception', "throw new Error('boom');", 1],
  ['a tracer left running', '', 0],
]) {
  test(`${what}: the log still ends with LAST and EOF`, async () => {
    const box = sandbox();
    try {
      box.write('end.mjs', `import { Profile, Trace } from 'jsmemtrace';${WORK}
const p = new Profile(0);
const t = new Trace();
grow(2);
${ending}
`);
      const r = box.node(['--import', 'jsmemtrace/register', 'end.mjs']);
      assert.equal(r.status, status, r.stderr);
      const logs = await Promise.all(box.logs().map((n) => readPTLog(box.path(n))));
      assert.deepEqual(logs.map((l) => l.name.kind).sort(), ['P', 'T']);
      const profile = logs.find((l) => l.name.kind === 'P');
      assert.ok(profile.logged.some((e) => e.what === 'CALL' && e.fn === 'grow'));
      assert.ok(profile.logged.some((e) => e.what === 'C_RETURN' && e.fn === 'alloc'));
    } finally {
      box.remove();
    }
  });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  test(`${signal}: the log is closed and the process still dies by the signal`, async () => {
    const box = sandbox();
    try {
      box.write('wait.mjs', `import { Trace } from 'jsmemtrace';${WORK}
const t = new Trace(0);
grow(1);
setInterval(() => {}, 1000);
console.log('ready');
`);
      const child = box.spawn(['--import', 'jsmemtrace/register', 'wait.mjs']);
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('ready')) child.kill(signal);
      });
      const [code, sig] = await once(child, 'exit');
      assert.deepEqual([code, sig], [null, signal]);
      const log = await onlyLog(box);
      assert.ok(log.logged.some((e) => e.what === 'LINE' && e.line === 5));
    } finally {
      box.remove();
    }
  });
}

test('a program with its own SIGINT handler keeps it; the log is flushed and closed at exit', async () => {
  const box = sandbox();
  try {
    box.write('own.mjs', `import { Profile } from 'jsmemtrace';
const p = new Profile(0);
process.on('SIGINT', () => { console.log('handled'); setTimeout(() => process.exit(0), 10); });
setInterval(() => {}, 1000);
console.log('ready');
`);
    const child = box.spawn(['--import', 'jsmemtrace/register', 'own.mjs']);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out === 'ready\n') child.kill('SIGINT');
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.equal(out, 'ready\nhandled\n');
    await onlyLog(box);
  } finally {
    box.remove();
  }
});

test('jsmemtrace run --profile traces the whole program from its first line; --trace too', async () => {
  const box = sandbox();
  try {
    box.write('app.mjs', `${WORK}
grow(2);
console.log('done');
`);
    const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
    for (const mode of ['--profile', '--trace']) {
      const r = box.node([cli, 'run', mode, '--d-rss-trigger', '0', '--message', `run ${mode}`, '--', 'app.mjs']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /done/);
      const said = r.stderr.match(/^jsmemtrace: (profile|trace) log: (.*)$/m);
      assert.equal(said[1], mode.slice(2));
      assert.ok(box.logs().some((n) => box.path(n) === said[2]), r.stderr);
    }
    const logs = await Promise.all(box.logs().map((n) => readPTLog(box.path(n))));
    assert.deepEqual(logs.map((l) => `${l.name.kind} ${l.intro[0]}`).sort(), ['P run --profile', 'T run --trace']);
    for (const log of logs) {
      const frst = log.events[0];
      assert.deepEqual([frst.file, frst.line, frst.fn], ['app.mjs', 1, '<module>']);
      assert.equal(log.logged.filter((e) => e.what === 'CALL' && e.fn === 'grow').length, 1);
    }
    const trace = logs.find((l) => l.name.kind === 'T');
    assert.ok(trace.logged.some((e) => e.what === 'LINE' && e.line === 8 && e.fn === '<module>'));
  } finally {
    box.remove();
  }
});

test('run --profile/--trace of an ES module whose imports capture a stack as they load (depd, under express 4): the tracer starts, at the main module', async () => {
  // On Node 20 run's tracer starts when the first instrumented ES module is registered, which
  // happened inside the dependency's Error.captureStackTrace: V8 then formats the stack as text,
  // and the tracer's own frame reading failed ("f.getFileName is not a function"): the program
  // ran untraced and left an empty log.
  const box = sandbox();
  try {
    mkdirSync(box.path('node_modules/stacky'));
    box.write('node_modules/stacky/index.js', `function getStack() {
  const prep = Error.prepareStackTrace;
  Error.prepareStackTrace = (e, frames) => frames;
  const holder = {};
  Error.captureStackTrace(holder);
  const frames = holder.stack;
  Error.prepareStackTrace = prep;
  return frames;
}
module.exports = Array.isArray(getStack());
`);
    box.write('app.mjs', `import framesSeen from 'stacky';${WORK}
grow(1);
console.log('frames', framesSeen);
`);
    const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
    for (const mode of ['--profile', '--trace']) {
      const r = box.node([cli, 'run', mode, '--d-rss-trigger', '0', '--', 'app.mjs']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'frames true\n');
      assert.match(r.stderr, /^jsmemtrace: (profile|trace) log: [^\n]*\n$/);
    }
    const logs = await Promise.all(box.logs().map((n) => readPTLog(box.path(n))));
    assert.deepEqual(logs.map((l) => l.name.kind).sort(), ['P', 'T']);
    for (const log of logs) {
      const frst = log.events[0];
      assert.deepEqual([frst.file, frst.line, frst.fn], ['app.mjs', 1, '<module>']);
      assert.equal(log.logged.filter((e) => e.what === 'CALL' && e.fn === 'grow').length, 1);
    }
  } finally {
    box.remove();
  }
});

test('a program that replaces Math.floor, Math.round, performance.now and String#charCodeAt with its own functions: same output, the logs keep their clock', async () => {
  const box = sandbox();
  try {
    // Its replacements are instrumented: were the tracers to call them, their probes would call
    // the tracers again (Profile recursed until the stack overflowed).
    box.write('patch.mjs', `const floor = Math.floor, round = Math.round;
let calls = 0;
Math.floor = function (x) { calls++; return floor(x); };
Math.round = function (x) { calls++; return round(x); };
performance.now = function () { calls++; return 1e9; };
// A spy on a method the tracers call too: the calls it counts are not compared.
const charCodeAt = String.prototype.charCodeAt;
String.prototype.charCodeAt = function (i) { return charCodeAt.call(this, i); };
class Item { constructor(i) { this.i = Math.floor(i / 2); } }
const kept = [];
for (let i = 0; i < 300; i++) kept.push(new Item(i));
console.log('done', kept.length, Math.round(2.5), performance.now(), calls);
`);
    const plain = box.node(['patch.mjs']);
    assert.equal(plain.stdout, 'done 300 3 1000000000 302\n');
    const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
    for (const mode of ['--profile', '--trace', '--reftrace']) {
      const r = box.node([cli, 'run', mode, '--', 'patch.mjs']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, plain.stdout, mode);
    }
    const logs = box.logs();
    assert.equal(logs.length, 3);
    for (const name of logs.filter((n) => !n.includes('_O_'))) {
      const log = await readPTLog(box.path(name));
      // The program's clock would read 1e9 ms, a million seconds.
      assert.ok(log.events.every((e) => e.clock < 1000), `${name}: a clock from the program's performance.now`);
    }
  } finally {
    box.remove();
  }
});

test('jsmemtrace run --out-dir puts the log there', async () => {
  const box = sandbox();
  try {
    box.write('app.mjs', `${WORK}
grow(1);
`);
    const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
    const r = box.node([cli, 'run', '--profile', '--out-dir', 'logs', '--', 'app.mjs']);
    assert.equal(r.status, 0, r.stderr);
    const said = r.stderr.match(/^jsmemtrace: profile log: (.*)$/m)[1];
    assert.ok(said.startsWith(box.path('logs') + '/'), said);
    const log = await readPTLog(said);
    assert.deepEqual([log.name.kind, log.name.depth], ['P', 0]);
    assert.deepEqual(box.logs(), []);
  } finally {
    box.remove();
  }
});

test('a tracer in a worker thread writes its own _w<threadId> log, closed when the worker ends', async () => {
  const box = sandbox();
  try {
    box.write('main.mjs', `import { Worker } from 'node:worker_threads';
const w = new Worker(new URL('./child.mjs', import.meta.url));
const id = w.threadId;
w.on('exit', (code) => console.log('worker', id, code));
`);
    box.write('child.mjs', `import { Profile } from 'jsmemtrace';${WORK}
const p = new Profile(0);
grow(1);
`);
    const r = box.run('main.mjs');
    assert.equal(r.status, 0, r.stderr);
    const [, threadId, code] = r.stdout.match(/^worker (\d+) (\d+)$/m);
    assert.equal(code, '0');
    const log = await onlyLog(box);
    assert.match(log.path, new RegExp(`_P_0_NODE${process.versions.node.replace(/\./g, '\\.')}_w${threadId}\\.log$`));
    assert.ok(log.logged.some((e) => e.what === 'C_RETURN' && e.fn === 'alloc' && e.dRss >= 1024 * 1024));
  } finally {
    box.remove();
  }
});
