// The log writer at the stack's limit: a probe there fills the buffer, and `writeSync` runs out of
// stack where the program's code did not. That is no write error (which turns the writer off):
// the lines stay for the next write. `writeSync` is replaced through node:fs (the writer's import
// follows it after syncBuiltinESMExports) to throw as V8 does there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogWriter } from '../../dist/log/writer.js';

const temp = mkdtempSync(join(tmpdir(), 'jsmemtrace-writer-test-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));

const realWriteSync = fs.writeSync;
/** Makes `writeSync` run `plan`'s steps in turn ('overflow', 'error', a byte count to write at most), then write normally. */
function faultyWrites(t, plan) {
  fs.writeSync = (fd, data, off, len) => {
    const step = plan.shift();
    if (step === 'overflow') throw new RangeError('Maximum call stack size exceeded');
    if (step === 'error') throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    return realWriteSync(fd, data, off, step === undefined ? len : Math.min(len, step));
  };
  syncBuiltinESMExports();
  t.after(() => { fs.writeSync = realWriteSync; syncBuiltinESMExports(); });
}

function writer(name) {
  const errors = [];
  const path = join(temp, name);
  return { w: new LogWriter(path, false, (e) => errors.push(e)), errors, text: () => readFileSync(path, 'utf8') };
}

test('a stack overflow in a flush keeps the lines for the next one', (t) => {
  const { w, errors, text } = writer('overflow.log');
  faultyWrites(t, ['overflow']);
  w.line('one');
  w.flush();
  assert.equal(w.ok, true);
  w.line('two');
  w.close();
  assert.deepEqual(errors, []);
  assert.equal(text(), 'one\ntwo\n');
});

test('a stack overflow after part of the buffer was written: the rest follows once, in order', (t) => {
  const { w, errors, text } = writer('partial.log');
  faultyWrites(t, [2, 'overflow']);
  w.line('abcdef');
  w.flush();
  w.line('g');
  w.close();
  assert.deepEqual(errors, []);
  assert.equal(text(), 'abcdef\ng\n');
});

test('a full buffer that the stack left no room to write: the line that did not fit is dropped, none other', (t) => {
  const { w, errors, text } = writer('full.log');
  const line = 'x'.repeat(999);
  // 64 KiB hold 65 such lines (1,000 bytes with the newline) before the check for the next.
  const fit = Math.floor(64 * 1024 / 1000) - 2;
  for (let k = 0; k < fit; k++) w.line(line);
  faultyWrites(t, ['overflow']);
  w.line('dropped'.padEnd(3000, '.'));
  w.line('kept');
  w.close();
  assert.deepEqual(errors, []);
  assert.equal(text(), `${line}\n`.repeat(fit) + 'kept\n');
});

test('a write error still turns the writer off, reported once', (t) => {
  const { w, errors, text } = writer('error.log');
  faultyWrites(t, ['error']);
  w.line('one');
  w.flush();
  w.line('two');
  w.close();
  assert.equal(w.ok, false);
  assert.deepEqual(errors.map((e) => e.code), ['EIO']);
  assert.equal(text(), '');
});
