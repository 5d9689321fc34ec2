// The report's time series: exact when they fit, min/max per time slice when they do not, and
// the live-object series per type with the rest summed as `other`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { readLiveSeries, readRssSeries } from '../../dist/report/series.js';
import { tempDir, writeObjectLog, writeProfileLog } from './helpers.js';

test('RSS series: every event kept when it fits, with its site, dRSS and event number', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const rss = [10, 20, 15, 40, 40, 5].map((m) => m << 20);
  const path = writeProfileLog(join(dir, 'p.log'), rss.map((r, i) => ['CALL', 'a.js', 10 + i, i % 2 ? 'odd' : 'even', r]));
  const s = await readRssSeries(path, { first: 0.001, last: 0.006, buckets: 0 });
  assert.equal(s.points, 6);
  assert.equal(s.shown, 6);
  assert.equal(s.downsampled, false);
  assert.deepEqual(s.rss, rss);
  assert.deepEqual(s.event, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(s.dRss, rss.map((r, i) => r - (i ? rss[i - 1] : 0)));
  assert.deepEqual(s.site.map((i) => s.sites[i]), rss.map((_, i) => ['CALL', 'a.js', 10 + i, i % 2 ? 'odd' : 'even']));
});

test('RSS series: a long log keeps each time slice\'s lowest and highest event, in order', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  // 10,000 events: a sawtooth with one spike and one dip that must survive downsampling.
  const events = [];
  for (let i = 0; i < 10000; i++) {
    let r = (50 << 20) + (i % 100) * 4096;
    if (i === 4321) r = 900 << 20;
    if (i === 7777) r = 1 << 20;
    events.push(['LINE', 'big.js', i % 50, 'work', r]);
  }
  const path = writeProfileLog(join(dir, 'big.log'), events);
  const s = await readRssSeries(path, { first: 0.001, last: 10, buckets: 100 });
  assert.equal(s.points, 10000);
  assert.equal(s.downsampled, true);
  assert.ok(s.shown <= 200 && s.shown >= 100, `shown ${s.shown}`);
  assert.equal(s.clock.length, s.shown);
  assert.equal(Math.max(...s.rss), 900 << 20);
  assert.equal(Math.min(...s.rss), 1 << 20);
  assert.ok(s.event.includes(4321) && s.event.includes(7777));
  for (let i = 1; i < s.event.length; i++) assert.ok(s.event[i] > s.event[i - 1], 'points stay in event order');
  // Each kept point is the real event: its RSS is the one the log has for that event number.
  for (let i = 0; i < s.shown; i++) assert.equal(s.rss[i], events[s.event[i]][4]);
});

test('RSS series: pymemtrace\'s repeated PREV lines and message-only PREV lines are not points', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'py.log');
  writeFileSync(path, [
    'SOF',
    'HDR:  Event        dEvent  Clock        What     File                 Line Function          RSS          dRSS',
    'FRST: 0            +0      0.010000     CALL     a.py                    1 f                 1000000      1000000',
    'MSG:  1            +1      0.011000     # hello',
    'PREV: 1            +1      0.011000     # hello',
    'NEXT: 5            +4      0.012000     RETURN   a.py                    2 f                 2000000      1000000',
    'PREV: 5            +4      0.012000     RETURN   a.py                    2 f                 2000000      1000000',
    'NEXT: 9            +4      0.013000     CALL     a.py                    3 g                 3000000      1000000',
    'EOF', ''].join('\n'));
  const s = await readRssSeries(path, { first: 0.01, last: 0.013, buckets: 0 });
  assert.deepEqual(s.event, [0, 5, 9]);
  assert.deepEqual(s.rss, [1000000, 2000000, 3000000]);
});

test('live series: top types on their own, the others summed, RSS alongside', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const records = [
    ['NEW', 1, 'A', 'x.js', 1, 'f'], ['NEW', 2, 'B', 'x.js', 2, 'f'], ['NEW', 3, 'C', 'x.js', 3, 'f'],
    ['NEW', 4, 'A', 'x.js', 1, 'f'], ['DEL', 2, 'B', 'x.js', 2, 'f'], ['NEW', 5, 'C', 'x.js', 3, 'f'], ['DEL', 1, 'A', 'x.js', 1, 'f'],
  ];
  const path = writeObjectLog(join(dir, 'o.log'), records);
  const s = await readLiveSeries(path, { first: 0.5, last: 0.506, buckets: 0, topTypes: ['A'], hasOther: true });
  assert.deepEqual(s.labels, ['A', 'other']);
  assert.equal(s.points, 7);
  assert.equal(s.downsampled, false);
  assert.deepEqual(s.values[0], [1, 1, 1, 2, 2, 2, 1]);
  assert.deepEqual(s.values[1], [0, 1, 2, 2, 1, 2, 2]);
  assert.equal(s.rss.length, 7);
  assert.equal(s.rss[6], (20 << 20) + 5 * 4096);
});

test('live series: downsampled per time slice, keeping each type\'s peak', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const records = [];
  let id = 0;
  // Type Leak only grows; type Burst rises to 500 then falls back to 0; 3 cycles.
  for (let cycle = 0; cycle < 3; cycle++) {
    const burst = [];
    for (let i = 0; i < 500; i++) {
      burst.push(++id);
      records.push(['NEW', id, 'Burst', 'b.js', 1, 'f']);
      if (i % 10 === 0) records.push(['NEW', ++id, 'Leak', 'l.js', 2, 'g']);
    }
    for (const b of burst) records.push(['DEL', b, 'Burst', 'b.js', 1, 'f']);
  }
  const path = writeObjectLog(join(dir, 'o.log'), records);
  const last = 0.5 + (records.length - 1) * 0.001;
  const s = await readLiveSeries(path, { first: 0.5, last, buckets: 50, topTypes: ['Burst', 'Leak'], hasOther: false });
  assert.equal(s.hasOther, false);
  assert.equal(s.downsampled, true);
  assert.ok(s.shown <= 100);
  assert.equal(Math.max(...s.values[0]), 500);
  assert.equal(s.values[0].at(-1), 0);
  assert.equal(s.values[1].at(-1), 150);
  for (let i = 1; i < s.shown; i++) {
    assert.ok(s.clock[i] >= s.clock[i - 1]);
    assert.ok(s.values[1][i] >= s.values[1][i - 1], 'a count that only grows never shows a fall');
  }
});
