import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { nextLogName, openGeneratedLog, timestamp } from '../../dist/log/names.js';
import { LogWriter } from '../../dist/log/writer.js';

const NAME = /^(\d{8}_\d{6})_(\d+)_(\d+)_([PTO])_(\d+)_NODE(\d+\.\d+\.\d+)(_w\d+)?\.log$/;

test('generated names: UTC time, one ordinal shared by every kind, pid, kind, depth, Node version', () => {
  const a = nextLogName('P', 0).match(NAME);
  const b = nextLogName('T', 2).match(NAME);
  const c = nextLogName('O', 1).match(NAME);
  assert.deepEqual([b[2] - a[2], c[2] - b[2]], [1, 1]);
  assert.deepEqual([a[3], a[4], a[5], a[6], a[7]], [String(process.pid), 'P', '0', process.versions.node, undefined]);
  assert.deepEqual([b[4], b[5], c[4], c[5]], ['T', '2', 'O', '1']);
  assert.equal(timestamp(new Date(Date.UTC(2024, 10, 7, 19, 58, 47))), '20241107_195847');
});

test('in a worker thread the name ends with _w<threadId>', async () => {
  const url = new URL('../../dist/log/names.js', import.meta.url).href;
  const w = new Worker(`import('${url}').then((m) => require('node:worker_threads').parentPort.postMessage(m.nextLogName('P', 0)))`, { eval: true });
  const threadId = w.threadId;
  const [name] = await new Promise((resolve, reject) => { w.once('message', (m) => resolve([m])); w.once('error', reject); });
  await w.terminate();
  assert.match(name, NAME);
  assert.equal(name.match(NAME)[7], `_w${threadId}`);
});

test('a generated name never overwrites an existing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-names-'));
  try {
    const taken = [];
    const writer = openGeneratedLog(dir, 'P', 0, (path) => {
      if (taken.length < 2) {
        taken.push(path);
        writeFileSync(path, 'someone else\n', { flag: 'wx' });
      }
      return new LogWriter(path, true, () => assert.fail('no error expected'));
    });
    writer.line('mine');
    writer.close();
    assert.ok(!taken.includes(writer.path));
    for (const p of taken) assert.equal(readFileSync(p, 'utf8'), 'someone else\n');
    const ordinals = [...taken, writer.path].map((p) => Number(basename(p).match(NAME)[2]));
    assert.deepEqual([ordinals[1] - ordinals[0], ordinals[2] - ordinals[1]], [1, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the writer buffers, writes long lines whole, and reports a failed write once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-writer-'));
  try {
    const path = join(dir, 'x.log');
    const w = new LogWriter(path, false, () => assert.fail('no error expected'));
    w.line('first é');
    assert.equal(statSync(path).size, 0, 'buffered');
    const long = 'x'.repeat(100_000);
    w.line(long);
    for (let i = 0; i < 5000; i++) w.line(`line ${i}`);
    w.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines[0], 'first é');
    assert.equal(lines[1], long);
    assert.equal(lines[5001], 'line 4999');
    assert.equal(lines.length, 5003);
    const errors = [];
    const full = new LogWriter('/dev/full', false, (e) => errors.push(e.code));
    for (let i = 0; i < 20_000; i++) full.line('a line that fills the buffer');
    full.close();
    assert.deepEqual(errors, ['ENOSPC']);
    assert.equal(full.ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
