import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rss, rssPeak, pageSize, sampledRss, rssSource } from '../../dist/runtime/rss.js';

test('rss() is the exact resident set size, from the kept-open statm fd on Linux', () => {
  if (process.platform === 'linux') assert.equal(rssSource(), 'statm');
  const mine = rss();
  const node = process.memoryUsage.rss();
  assert.ok(Math.abs(mine - node) < node * 0.05, `${mine} vs ${node}`);
  assert.equal(mine % pageSize(), 0);
});

test('rss() sees pages as they are touched', () => {
  const before = rss();
  const block = Buffer.alloc(32 * 1024 * 1024, 1);
  const after = rss();
  assert.ok(after - before >= 30 * 1024 * 1024, `${after - before}`);
  assert.equal(block[block.length - 1], 1);
});

test('pageSize() is the kernel page size; rssPeak() is at least the current RSS', () => {
  const size = pageSize();
  assert.ok([4096, 16384, 65536].includes(size), String(size));
  assert.ok(rssPeak() >= rss() - size);
});

test('sampledRss() re-reads only when the interval has passed since the last read', () => {
  const first = sampledRss(1000, 10);
  const block = Buffer.alloc(96 * 1024 * 1024, 1);
  assert.ok(rss() >= first + 64 * 1024 * 1024);
  assert.equal(sampledRss(1009, 10), first, 'stale inside the interval');
  assert.ok(sampledRss(1010, 10) >= first + 64 * 1024 * 1024, 'fresh once it has passed');
  assert.equal(block[0], 1);
});
