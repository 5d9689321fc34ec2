// Shared by the reference-tracing tests: O logs read back through the project's reader, with the
// invariants every such log must keep checked on the way.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { readLogRecords } from '../../dist/log/reader.js';

export { sandbox, ROOT } from '../tracers/helpers.js';

/**
 * Reads an O log strictly and checks: intro lines, SOF, HDR, rows, EOF last; ids unique; each
 * NEW's LiveCnt is its type's live count + 1 and each DEL's − 1; a DEL repeats its NEW's type and
 * site; dRSS is relative to the row before.
 */
export async function readOLog(path) {
  const records = await readLogRecords(path, { strict: true });
  assert.ok(!records.some((r) => r.kind === 'problem'), `problems in ${path}`);
  const intro = records.filter((r) => r.kind === 'intro').map((r) => r.text);
  const body = records.filter((r) => r.kind !== 'intro');
  assert.equal(body[0].kind, 'sof', 'SOF');
  assert.equal(body[1].kind, 'header', 'HDR');
  assert.equal(body[1].layout.format, 'object');
  assert.equal(body.at(-1).kind, 'eof', 'EOF last');
  const rows = body.filter((r) => r.kind === 'object');
  const messages = body.filter((r) => r.kind === 'message');
  const live = new Map();
  const byId = new Map();
  let lastRss = 0;
  for (const r of rows) {
    const n = live.get(r.type) ?? 0;
    if (r.tag === 'NEW') {
      assert.ok(!byId.has(r.address), `id ${r.address} used twice (line ${r.logLine})`);
      byId.set(r.address, r);
      assert.equal(r.liveCount, n + 1, `LiveCnt of NEW at line ${r.logLine}`);
      live.set(r.type, n + 1);
    } else {
      const made = byId.get(r.address);
      assert.ok(made !== undefined, `DEL of an unknown id at line ${r.logLine}`);
      assert.ok(!made.freed, `DEL twice at line ${r.logLine}`);
      made.freed = r;
      assert.deepEqual([r.type, r.file, r.line, r.fn], [made.type, made.file, made.line, made.fn], `DEL repeats its NEW (line ${r.logLine})`);
      assert.equal(r.liveCount, n - 1, `LiveCnt of DEL at line ${r.logLine}`);
      live.set(r.type, n - 1);
    }
    assert.equal(r.dRss, r.rss - lastRss, `dRSS at line ${r.logLine}`);
    lastRss = r.rss;
  }
  const named = basename(path).match(/^\d{8}_\d{6}_(\d+)_(\d+)_O_(\d+)_NODE([\d.]+)(?:_w(\d+))?\.log$/);
  return {
    path, intro, rows, messages,
    news: rows.filter((r) => r.tag === 'NEW'),
    dels: rows.filter((r) => r.tag === 'DEL'),
    /** NEW rows whose object has no DEL. */
    alive: rows.filter((r) => r.tag === 'NEW' && !r.freed),
    name: named && { ordinal: Number(named[1]), pid: Number(named[2]), depth: Number(named[3]) },
  };
}

/** `type file#line fn` of a row, for compact comparisons. */
export function where(r) {
  return `${r.type} ${r.file}#${r.line} ${r.fn}`;
}

/** Counts of `where(r)` over rows. */
export function tally(rows) {
  const out = {};
  for (const r of rows) out[where(r)] = (out[where(r)] ?? 0) + 1;
  return out;
}
