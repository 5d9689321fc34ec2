// What a whole-program log says about the program's last moments and about code that runs after
// a module's top level has ended: calls left pending by top-level code end before the event loop
// runs anything else, an uncaught exception is named in every open log and ends the calls it went
// through, and LAST names the function where the program was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sandbox, readPTLog } from './helpers.js';

const cliOf = (box) => box.path('node_modules/jsmemtrace/dist/cli/main.js');

/** Index of the first logged event matching `what` and `fn` (after index `from`); -1 if none. */
function find(log, what, fn, from = 0) {
  return log.logged.findIndex((e, k) => k >= from && e.what === what && e.fn === fn);
}

test('a call that ends a module\'s top level returns before the callbacks the event loop runs later', async () => {
  const box = sandbox();
  try {
    // CommonJS and an ES module: neither has a probe after its last top-level statement.
    const program = `function work(n) { return n * 2; }
function later() { return work(21); }
console.log('start');
setTimeout(later, 20);
`;
    box.write('top.cjs', program);
    box.write('top.mjs', program);
    for (const file of ['top.cjs', 'top.mjs']) {
      const r = box.node([cliOf(box), 'run', '--profile', '--d-rss-trigger', '0', '--out-dir', 'logs-' + file.slice(4), '--', file]);
      assert.equal(r.status, 0, r.stderr);
      const log = await readPTLog(r.stderr.match(/profile log: (.*)$/m)[1]);
      const call = find(log, 'C_CALL', 'setTimeout');
      const ret = find(log, 'C_RETURN', 'setTimeout');
      const cb = find(log, 'CALL', 'later');
      assert.ok(call >= 0 && ret > call && cb > ret, `${file}: setTimeout returns before its callback runs:\n${readFileSync(log.path, 'utf8')}`);
      // Its callback is at the base, not inside setTimeout: nothing pending is announced before it.
      assert.equal(log.logged[cb - 1].what, 'C_RETURN', file);
      assert.ok(log.logged[ret].clock < log.logged[cb].clock - 0.01, `${file}: setTimeout returned at once`);
      assert.equal(log.logged.filter((e) => e.what === 'C_CALL' && e.fn === 'setTimeout').length, 1, file);
    }
  } finally {
    box.remove();
  }
});

test('an uncaught exception is named in the log before LAST, and the native calls it went through end by it', async () => {
  const box = sandbox();
  try {
    box.write('throws.cjs', `function thrower(x) { if (x > 1) throw new TypeError('bad input ' + x); return x; }
[1, 2].forEach(thrower);
`);
    box.write('rejects.mjs', `async function fails() { await null; throw new RangeError('no luck'); }
fails();
`);
    box.write('handled.cjs', `process.on('uncaughtException', (e) => console.log('handled', e.message));
function boom() { throw new Error('first'); }
setTimeout(boom, 1);
setTimeout(() => console.log('still running'), 30);
`);
    const cli = cliOf(box);
    const t = box.node([cli, 'run', '--profile', '--d-rss-trigger', '0', '--out-dir', 'p', '--', 'throws.cjs']);
    assert.equal(t.status, 1);
    assert.match(t.stderr, /TypeError: bad input 2/);
    const log = await readPTLog(t.stderr.match(/profile log: (.*)$/m)[1]);
    assert.deepEqual(log.messages.filter((m) => !m.text.startsWith('jsmemtrace process')).map((m) => m.text),
      ['Uncaught exception: TypeError: bad input 2']);
    const lines = readFileSync(log.path, 'utf8').split('\n');
    const msg = lines.findIndex((l) => l.includes('# Uncaught exception'));
    assert.ok(lines[msg + 1].startsWith('LAST:'), 'the message comes right before LAST');
    // forEach ended by the exception thrown from its callback, before the message.
    const exc = find(log, 'C_EXCEPT', 'forEach');
    assert.ok(exc >= 0 && log.logged[exc].event < log.events.at(-1).event, readFileSync(log.path, 'utf8'));
    assert.equal(find(log, 'C_RETURN', 'forEach'), -1);
    // LAST names the function it was in, not the callee of the last event's call site.
    assert.deepEqual([log.events.at(-1).fn, log.events.at(-1).what], ['<module>', 'LINE']);

    for (const mode of ['--trace', '--reftrace']) {
      const r = box.node([cli, 'run', mode, '--out-dir', mode, '--', 'rejects.mjs']);
      assert.equal(r.status, 1);
      const text = readFileSync(r.stderr.match(/(?:trace|reftrace) log: (.*)$/m)[1], 'utf8');
      assert.match(text, /# Unhandled promise rejection: RangeError: no luck\n(LAST|EOF|ERR)/, mode);
    }

    // A program that handles it goes on: the log says it happened and goes on too. Every event
    // logged: by default the later callback's CALL is logged only if RSS moved a page by then.
    const h = box.node([cli, 'run', '--trace', '--d-rss-trigger', '0', '--out-dir', 'h', '--', 'handled.cjs']);
    assert.equal(h.status, 0, h.stderr);
    assert.equal(h.stdout, 'handled first\nstill running\n');
    const handled = await readPTLog(h.stderr.match(/trace log: (.*)$/m)[1]);
    const note = handled.messages.find((m) => m.text === 'Uncaught exception: Error: first');
    assert.ok(note !== undefined);
    assert.ok(handled.logged.some((e) => e.event > note.event && e.what === 'CALL' && e.line === 4), 'tracing goes on after it');
  } finally {
    box.remove();
  }
});

test('what the tracers do at an uncaught exception is not the program\'s: a builtin it replaced, called then, writes no event', async () => {
  const box = sandbox();
  try {
    // Writing the message formats it with String.prototype.repeat (padding), here the program's.
    const spy = `const repeat = String.prototype.repeat;
String.prototype.repeat = function spiedRepeat(n) { return repeat.call(this, n); };
'-'.repeat(2);
`;
    box.write('handled.cjs', `${spy}process.on('uncaughtException', (e) => console.log('handled', e.message));
setTimeout(() => { throw new Error('first'); }, 1);
setTimeout(() => console.log('still running'), 30);
`);
    box.write('rejects.cjs', `${spy}Promise.reject(new RangeError('no luck'));
`);
    const cli = cliOf(box);
    for (const [file, status, text] of [['handled.cjs', 0, 'Uncaught exception: Error: first'], ['rejects.cjs', 1, 'Unhandled promise rejection: RangeError: no luck']]) {
      const r = box.node([cli, 'run', '--trace', '--d-rss-trigger', '0', '--out-dir', `out-${file}`, '--', file]);
      assert.equal(r.status, status, r.stderr);
      const log = await readPTLog(r.stderr.match(/trace log: (.*)$/m)[1]);
      assert.ok(log.messages.some((m) => m.text === text), file);
      // The program's own call only (which shows that the replacement is traced).
      assert.deepEqual(log.logged.filter((e) => e.fn === 'spiedRepeat').map((e) => [e.what, e.line]),
        [['CALL', 2], ['RETURN', 2]], readFileSync(log.path, 'utf8'));
    }
  } finally {
    box.remove();
  }
});

test('LAST at exit names the function of the last event when that event was a call into native code', async () => {
  const box = sandbox();
  try {
    box.write('last.mjs', `function main() { return [3, 1, 2].sort().join(','); }
main();
console.log(main());
`);
    const r = box.node([cliOf(box), 'run', '--profile', '--d-rss-trigger', '0', '--', 'last.mjs']);
    assert.equal(r.status, 0, r.stderr);
    const log = await readPTLog(box.path(box.logs()[0]));
    const last = log.events.at(-1);
    assert.equal(log.logged.at(-1).fn, 'log');
    assert.deepEqual([last.what, last.file, last.line, last.fn], ['LINE', 'last.mjs', 3, '<module>']);
  } finally {
    box.remove();
  }
});
