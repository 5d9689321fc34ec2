// What the writer formats, the reader reads back to the same values (the line layouts are
// defined once, in format.ts, for both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SOF, EOF, formatAddress, formatClock, formatObjectEvent, formatObjectHeader, formatObjectMessage,
  formatPTEvent, formatPTHeader, formatPTMessage, encodeName, decodeName, lineTag,
} from '../../dist/log/format.js';
import { readLogRecords } from '../../dist/log/reader.js';

const temp = mkdtempSync(join(tmpdir(), 'jsmemtrace-format-test-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));

const NAMES = ['main', 'Class.method', '<anonymous>', '<module>', 'a b\tc', '100%', 'ünïcode✓', '', '-x', 'node:internal/x y'];

test('Profile/Trace lines round trip through the reader', async () => {
  const events = [];
  for (let i = 0; i < 200; i++) {
    events.push({
      tag: i === 0 ? 'FRST' : i === 199 ? 'LAST' : i % 7 === 0 ? 'PREV' : 'NEXT',
      e: {
        event: i * 3, dEvent: i === 0 ? 0 : 3, clock: 0.015301 + i * 0.000117,
        what: ['CALL', 'RETURN', 'LINE', 'EXCEPT', 'C_CALL', 'C_RETURN', 'C_EXCEPT'][i % 7],
        file: `src/dir ${i % 3}/${NAMES[i % NAMES.length]}.ts`, line: i % 500, fn: NAMES[(i * 7) % NAMES.length],
        rss: 41463808 + i * 4096 * (i % 2 ? 1 : -1), dRss: (i % 2 ? 4096 * i : -4096 * i) || 0,
      },
    });
  }
  const messages = new Map([[50, 'a message'], [120, 'two\nlines # with a hash'], [130, '']]);
  const lines = ['opening message', 'over two lines', SOF, formatPTHeader()];
  for (let i = 0; i < events.length; i++) {
    if (messages.has(i)) lines.push(formatPTMessage(events[i].e.event, 1, events[i].e.clock, messages.get(i)));
    lines.push(formatPTEvent(events[i].tag, events[i].e));
  }
  lines.push(EOF);
  const path = join(temp, 'pt.log');
  writeFileSync(path, lines.join('\n') + '\n');
  const records = await readLogRecords(path);
  assert.deepEqual(records.filter((r) => r.kind === 'intro').map((r) => r.text), ['opening message', 'over two lines']);
  assert.deepEqual(records.filter((r) => r.kind === 'problem'), []);
  const read = records.filter((r) => r.kind === 'event');
  assert.equal(read.length, events.length);
  for (let i = 0; i < events.length; i++) {
    const { kind, logLine, tag, complete, ...values } = read[i];
    assert.equal(tag, events[i].tag);
    assert.equal(complete, true);
    assert.deepEqual(values, { ...events[i].e, clock: Number(formatClock(events[i].e.clock)) }, `event ${i}`);
  }
  const readMessages = records.filter((r) => r.kind === 'message');
  assert.deepEqual(readMessages.map((m) => [m.event, m.dEvent, m.text]), [...messages].map(([i, text]) => [events[i].e.event, 1, text]));
});

test('reference tracing lines round trip through the reader', async () => {
  const objects = [];
  for (let i = 1; i <= 300; i++) {
    objects.push({
      tag: i % 3 === 0 ? 'DEL' : 'NEW',
      e: {
        clock: 0.834382 + i / 1e6, address: formatAddress(i * 977), liveCount: i % 11, type: NAMES[i % NAMES.length] || 'Object',
        file: NAMES[(i + 3) % NAMES.length], line: i, fn: NAMES[(i + 5) % NAMES.length], rss: 17911808 + i, dRss: i % 2 ? -i : i,
      },
    });
  }
  const lines = [SOF, formatObjectHeader()];
  for (const o of objects) lines.push(formatObjectEvent(o.tag, o.e));
  lines.push(formatObjectMessage('MSG', 0.9, 'done\nreally'), formatObjectMessage('ERR', 0.95, 'could not trace x'), EOF);
  const path = join(temp, 'o.log');
  writeFileSync(path, lines.join('\n') + '\n');
  const records = await readLogRecords(path);
  assert.deepEqual(records.filter((r) => r.kind === 'problem'), []);
  const read = records.filter((r) => r.kind === 'object');
  assert.equal(read.length, objects.length);
  for (let i = 0; i < objects.length; i++) {
    const { kind, logLine, tag, address, ...values } = read[i];
    const { address: written, ...expected } = objects[i].e;
    assert.equal(tag, objects[i].tag);
    assert.equal(formatAddress(address), written);
    assert.deepEqual(values, { ...expected, clock: Number(formatClock(expected.clock)) }, `object ${i}`);
  }
  const messages = records.filter((r) => r.kind === 'message');
  assert.deepEqual(messages.map((m) => [m.tag, m.clock, m.text]), [['MSG', 0.9, 'done\nreally'], ['ERR', 0.95, 'could not trace x']]);
});

test('names: encodeName and decodeName are inverse, and an encoded name has no white space', () => {
  for (const name of NAMES) {
    const encoded = encodeName(name);
    assert.doesNotMatch(encoded, /\s/);
    assert.ok(encoded.length > 0);
    assert.equal(decodeName(encoded), name);
  }
});

test('lineTag', () => {
  assert.equal(lineTag('SOF'), 'SOF');
  assert.equal(lineTag('EOF'), 'EOF');
  assert.equal(lineTag('EOFX'), 'continuation');
  assert.equal(lineTag('HEDR: Clock'), 'HDR');
  assert.equal(lineTag('HDR: Clock'), 'HDR');
  assert.equal(lineTag(formatPTMessage(1, 1, 0.1, 'x')), 'MSG');
  assert.equal(lineTag('an embedded line'), 'continuation');
});
