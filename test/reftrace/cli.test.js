// `jsmemtrace run --reftrace | --reftrace-simple` on whole programs, and `jsmemtrace analyse` on
// the logs: the leaks of the examples are found (live, with the line that allocated them) while
// objects freed correctly are not live. Also the exit paths: the log is complete whatever way
// the program ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox, readOLog, where, tally } from './helpers.js';

function cli(box) {
  return box.path('node_modules/jsmemtrace/dist/cli/main.js');
}

function runLogPath(r) {
  const said = r.stderr.match(/^jsmemtrace: reftrace log: (.*)$/m);
  assert.ok(said, r.stderr);
  return said[1];
}

function analyse(box, path) {
  const r = box.node([cli(box), 'analyse', '--json', path]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.logs.length, 1);
  return json.logs[0];
}

test('a leak through a module-level array: analyse shows the 50 Sessions live at their new expression, no Token', async () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-leak-array.mjs');
    const r = box.node([cli(box), 'run', '--reftrace', '--', 'reftrace-leak-array.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /served 150 tokens/);
    const path = runLogPath(r);
    const log = await readOLog(path);
    assert.deepEqual(tally(log.news), {
      'Session reftrace-leak-array.mjs#25 handleRequest': 50,
      'Token reftrace-leak-array.mjs#27 handleRequest': 150,
    });
    const a = analyse(box, path);
    assert.equal(a.complete, true);
    assert.deepEqual(a.counts, { new: 200, del: 150, msg: 0, err: 0, untrackedDel: 0 });
    assert.deepEqual(a.liveBySite.map((s) => `${s.type} ${s.file}#${s.line} ${s.function} ${s.live}/${s.allocated}`),
      ['Session reftrace-leak-array.mjs#25 handleRequest 50/50']);
    assert.ok(a.liveObjects.every((o) => o.type === 'Session' && o.line === 25));
    assert.deepEqual(a.typeCounts.map((t) => [t.type, t.new, t.del]), [['Session', 50, 0], ['Token', 150, 150]]);
  } finally {
    box.remove();
  }
});

test('a leak through an event listener\'s closure: the Connections and their Payloads are live, no Request', async () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-leak-listener.mjs');
    const r = box.node([cli(box), 'run', '--reftrace', '--', 'reftrace-leak-listener.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /listeners left: 20/);
    const a = analyse(box, runLogPath(r));
    assert.deepEqual(a.liveBySite.map((s) => `${s.type} ${s.file}#${s.line} ${s.function} ${s.live}/${s.allocated}`).sort(), [
      'Connection reftrace-leak-listener.mjs#30 connect 20/20',
      'EventEmitter reftrace-leak-listener.mjs#10 <module> 1/1',
      'Payload reftrace-leak-listener.mjs#20 Connection.constructor 20/20',
    ]);
    assert.deepEqual(a.typeCounts.find((t) => t.type === 'Request'), { ...a.typeCounts.find((t) => t.type === 'Request'), new: 100, del: 100 });

    // With builtins, the listeners themselves (closures) are live too, at the line that made them.
    const b = box.node([cli(box), 'run', '--reftrace', '--include-builtins', '--include-type', 'Function',
      '--include-type', 'Connection', '--exclude-type', 'Connection', '--', 'reftrace-leak-listener.mjs']);
    assert.equal(b.status, 0, b.stderr);
    const withClosures = analyse(box, runLogPath(b));
    assert.deepEqual(withClosures.liveBySite.map((s) => `${s.type} #${s.line} ${s.live}`), ['Function #31 20']);
    assert.deepEqual(withClosures.typeCounts.map((t) => t.type), ['Function']);
  } finally {
    box.remove();
  }
});

test('jsmemtrace run --reftrace-simple prints the counts on stderr at exit, after a final collection', () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-leak-array.mjs');
    const r = box.node([cli(box), 'run', '--reftrace-simple', '--', 'reftrace-leak-array.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^jsmemtrace: reftrace-simple: NEW: 200 DEL: 150 live: 50$/m);
    assert.deepEqual(box.logs(), []);
  } finally {
    box.remove();
  }
});

// V8 can run finalizers on demand (FinalizationRegistry#cleanupSome) up to V8 12 (Node 20, 22);
// V8 13 (Node 24) removed it, so only the asynchronous path exists there.
const CAN_DRAIN = Number(process.versions.v8.split('.')[0]) <= 12;
const EXITS = `class Item { constructor(i) { this.i = i; } }
function make(n) { for (let i = 0; i < n; i++) new Item(i); }
make(5);
const how = process.argv[2];
if (how === 'exit') process.exit(3);
if (how === 'throw') throw new Error('boom');
if (how === 'timer') setTimeout(() => make(2), 10);
`;

test('however the program ends, the log is complete with the final collection\'s DEL rows', async () => {
  const box = sandbox();
  try {
    box.write('exits.mjs', EXITS);
    // Without a synchronous drain of finalizers (JSMEMTRACE_NO_CLEANUP_SOME=1) a normal end still
    // waits for them; an abrupt one says what is missing in an ERR row.
    for (const [how, status, drainable, complete] of [
      ['end', 0, true, true], ['timer', 0, true, true], ['exit', 3, true, true], ['throw', 1, true, true],
      ['end', 0, false, true], ['timer', 0, false, true], ['exit', 3, false, false], ['throw', 1, false, false],
    ].filter(([, , drainable]) => CAN_DRAIN || !drainable)) {
      const env = drainable ? {} : { JSMEMTRACE_NO_CLEANUP_SOME: '1' };
      const r = box.node([cli(box), 'run', '--reftrace', '--', 'exits.mjs', how], env);
      assert.equal(r.status, status, `${how}: ${r.stderr}`);
      const log = await readOLog(runLogPath(r));
      const made = how === 'timer' ? 7 : 5;
      assert.equal(log.news.length, made, how);
      const err = log.messages.filter((m) => m.tag === 'ERR');
      if (complete) {
        assert.equal(log.alive.length, 0, `${how} drainable=${drainable}: ${log.alive.map(where)}`);
        assert.deepEqual(err, []);
      } else {
        assert.equal(err.length, 1, `${how}: ERR row`);
        assert.match(err[0].text, /exited before the finalizers of the final garbage collection could run/);
      }
    }
  } finally {
    box.remove();
  }
});
