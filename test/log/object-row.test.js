// The reference tracer's fast line encoder (a site's template + numbers) writes exactly the bytes of
// the general one (formatObjectEvent with formatAddress), through the writer too, for every width
// of number and every kind of name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OBJECT_ROW_FIXED_BYTES, encodeObjectRow, encodeObjectSite, formatAddress, formatObjectEvent,
} from '../../dist/log/format.js';
import { LogWriter } from '../../dist/log/writer.js';

const temp = mkdtempSync(join(tmpdir(), 'jsmemtrace-object-row-test-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));

const SITES = [
  ['Record', 'src/app.ts', 21, 'parseLine'],
  ['A', 'a', 0, ''],
  ['My Class', '/a dir/ü€😀.ts', 1234567, 'fn%1\tx'],
  ['Weird\u2028Type\u3000', 'node:internal/x y', 7, 'Class.method'],
  ['T'.repeat(40), 'f'.repeat(90), 99999, 'g'.repeat(30)],
];

// A deterministic generator, so that a failure can be replayed.
let seed = 12345;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function values(k) {
  return {
    tag: k % 2 ? 'NEW' : 'DEL',
    clock: [0, 1e-6, 0.5, 99999.999999, 100000, 123456.7][k % 6] + (k % 5 === 0 ? 0 : random() * 10 ** (k % 7)),
    id: k % 11 === 0 ? [0, 1, 2 ** 24 - 1, 2 ** 24, 2 ** 48 - 1, 2 ** 48, 2 ** 53 - 1][k % 7] : Math.floor(random() * 2 ** (k % 53)),
    liveCount: k % 13 === 0 ? [0, 9999999, 10000000][k % 3] : Math.floor(random() * 10 ** (k % 10)),
    rss: k % 17 === 0 ? [0, 2 ** 31 - 1, 2 ** 31, 999999999999, 1e12, 2 ** 53 - 1][k % 6] : Math.floor(random() * 10 ** (k % 15)),
    dRss: k % 19 === 0 ? [0, -0, -1, -(1e11 - 1), -1e11, 1e12, -(2 ** 40)][k % 7] : Math.floor((random() - 0.5) * 10 ** (k % 14)),
  };
}

test('encodeObjectRow writes the bytes of formatObjectEvent, numbers that fit their columns and ones that widen them', () => {
  const buf = Buffer.alloc(4096, 0x7e);
  for (const [type, file, line, fn] of SITES) {
    const site = encodeObjectSite(type, file, line, fn);
    for (let k = 0; k < 4000; k++) {
      const v = values(k);
      const at = k % 7; // not always at the start of the buffer
      const end = encodeObjectRow(buf, at, v.tag, v.clock, v.id, v.liveCount, site, v.rss, v.dRss);
      const expected = formatObjectEvent(v.tag, {
        clock: v.clock, address: formatAddress(v.id), liveCount: v.liveCount, type, file, line, fn, rss: v.rss, dRss: v.dRss,
      });
      assert.equal(buf.toString('utf8', at, end), expected, JSON.stringify(v));
      // Both share the digit writers: the numbers are also checked against JavaScript's own.
      const cols = expected.split(/ +/);
      assert.deepEqual([cols[3], cols.at(-2), cols.at(-1)], [String(v.liveCount), String(v.rss), String(v.dRss)], JSON.stringify(v));
      if (k % 5 !== 0) assert.equal(cols[1], v.clock.toFixed(6), JSON.stringify(v));
      assert.ok(end - at <= site.length + OBJECT_ROW_FIXED_BYTES, 'within the writer\'s bound');
    }
  }
});

test('LogWriter.objectRow writes the lines of formatObjectEvent, also one longer than the buffer', () => {
  const rows = [];
  for (let k = 0; k < 3000; k++) rows.push({ ...values(k), site: SITES[k % SITES.length] });
  const huge = ['Huge', 'x/'.repeat(40000), 3, 'h'];
  rows.push({ ...values(1), site: huge }, { ...values(2), site: SITES[0] });
  const fast = new LogWriter(join(temp, 'fast.log'), false, (e) => { throw e; });
  const general = new LogWriter(join(temp, 'general.log'), false, (e) => { throw e; });
  const templates = new Map();
  for (const r of rows) {
    const [type, file, line, fn] = r.site;
    if (!templates.has(r.site)) templates.set(r.site, encodeObjectSite(type, file, line, fn));
    fast.objectRow(r.tag, r.clock, r.id, r.liveCount, templates.get(r.site), r.rss, r.dRss);
    general.line(formatObjectEvent(r.tag, { clock: r.clock, address: formatAddress(r.id), liveCount: r.liveCount, type, file, line, fn, rss: r.rss, dRss: r.dRss }));
  }
  fast.close();
  general.close();
  const written = readFileSync(join(temp, 'fast.log'), 'utf8');
  assert.equal(written.split('\n').length, rows.length + 1);
  assert.equal(written, readFileSync(join(temp, 'general.log'), 'utf8'));
});
