// The rows of a long run: DEL rows of collections during the run (written in batches at the end of
// each finalization task) keep counts, sites and ids right while freed slots are reused; the RSS
// of NEW rows is re-read at most every rssSampleMicros (DEFAULT_RSS_SAMPLE_MICROS by default),
// exactly with 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RSS_SAMPLE_MICROS } from '../../dist/tracers/ref-options.js';
import { sandbox, readOLog, where } from './helpers.js';

const PROGRAM = `import { ReferenceTracing } from 'jsmemtrace';
class Kept { constructor(i) { this.i = i; } }
class Dropped { constructor(i) { this.i = i; this.pad = new Array(8).fill(i); } }
const turn = () => new Promise((resolve) => setImmediate(resolve));
const micros = { exact: { rssSampleMicros: 0 }, fast: { rssSampleMicros: 20 } }[process.argv[3]] ?? {};
const t = new ReferenceTracing({ filepath: process.argv[2], gcOnExit: false, ...micros });
const kept = [];
const seen = [];
// In a function of its own: a suspended async module body would keep its last Dropped alive.
function make(round) {
  for (let i = 0; i < 2000; i++) {
    const d = new Dropped(i);
    if (i % 500 === 0) kept.push(new Kept(round * 10 + d.i / 500));
  }
}
for (let round = 0; round < 6; round++) {
  make(round);
  gc();
  await turn();
  await turn();
  seen.push(t.countDel() + ':' + JSON.stringify(t.liveObjectCounts()));
}
t.stop();
console.log(seen.join(' '));
`;

test('DEL rows during the run: counts right after each collection, freed slots reused, ids never', async () => {
  const box = sandbox();
  try {
    box.write('rows.mjs', PROGRAM);
    for (const env of [{}, { JSMEMTRACE_NO_CLEANUP_SOME: '1' }]) {
      const r = box.node(['--expose-gc', '--import', 'jsmemtrace/register', 'rows.mjs', 'rows.log'], env);
      assert.equal(r.status, 0, r.stderr);
      // After each round's collection every Dropped of the round is freed, no Kept is.
      assert.deepEqual(r.stdout.trim().split(' '),
        [1, 2, 3, 4, 5, 6].map((k) => `${2000 * k}:{"Kept":${4 * k}}`));
      const log = await readOLog(box.path('rows.log')); // checks ids, LiveCnt, DEL sites, dRSS
      assert.equal(log.news.length, 6 * 2004);
      assert.equal(log.dels.length, 6 * 2000);
      assert.ok(log.dels.every((d) => where(d) === 'Dropped rows.mjs#12 make'));
      assert.deepEqual(new Set(log.alive.map(where)), new Set(['Kept rows.mjs#13 make']));
      // Every round's DEL rows are written before the next round's first NEW.
      let round = 0;
      let delsSoFar = 0;
      for (const row of log.rows) {
        if (row.tag === 'DEL') delsSoFar++;
        else if (row.type === 'Dropped' && row.liveCount === 1) assert.equal(delsSoFar, 2000 * round++, `round ${round}`);
      }
      // One RSS reading per batch: a batch's rows share their clock and RSS.
      const batches = new Set(log.dels.map((d) => `${d.clock} ${d.rss}`));
      assert.ok(batches.size <= 12, `${batches.size} readings for 6 collections`);
    }
  } finally {
    box.remove();
  }
});

test('NEW rows re-read RSS at most every rssSampleMicros (default DEFAULT_RSS_SAMPLE_MICROS); 0 reads it for every row', async () => {
  assert.equal(DEFAULT_RSS_SAMPLE_MICROS, 1000);
  const box = sandbox();
  try {
    box.write('rows.mjs', PROGRAM);
    let exactChanges = 0;
    for (const mode of ['default', 'fast', 'exact']) {
      const interval = (mode === 'fast' ? 20 : DEFAULT_RSS_SAMPLE_MICROS) / 1e6;
      const r = box.node(['--expose-gc', '--import', 'jsmemtrace/register', 'rows.mjs', `${mode}.log`, mode]);
      assert.equal(r.status, 0, r.stderr);
      const log = await readOLog(box.path(`${mode}.log`));
      let readAt = -1;
      let value = -1;
      let changes = 0;
      for (const row of log.news) {
        if (row.rss === value) continue;
        // A new reading: the one before it was taken at least the interval (less the clock's rounding) earlier.
        if (mode !== 'exact' && readAt >= 0) assert.ok(row.clock - readAt >= interval - 0.0000015, `${mode}: line ${row.logLine}`);
        readAt = row.clock;
        value = row.rss;
        changes++;
      }
      if (mode === 'exact') exactChanges = changes;
      else {
        const span = log.news.at(-1).clock - log.news[0].clock;
        assert.ok(changes <= span / interval + 1, `${mode}: ${changes} readings in ${span} s`);
      }
    }
    // 12,000 objects with 8-element arrays grow the heap by megabytes: exact readings see it move.
    assert.ok(exactChanges > 10, `exact RSS changed ${exactChanges} times`);
  } finally {
    box.remove();
  }
});
