// Profile/Trace analysis, checked against sums computed here straight from the log's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOF, EOF, formatPTEvent, formatPTHeader, formatPTMessage } from '../../dist/log/format.js';
import { FIXTURES, analyse, tempDir, writeLog } from './helpers.js';

/**
 * An independent reading of a pymemtrace/jsmemtrace event log: per File:Line Function, the sum of
 * RSS increases and decreases between consecutive distinct events, and CALL and C_CALL counts.
 */
function oracle(path) {
  const sites = new Map();
  let lastEvent = -1;
  let lastRss = null;
  let logged = 0;
  let seen = 0;
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    const f = line.trim().split(/ +/);
    if (!/^(FRST|NEXT|PREV|LAST):$/.test(f[0]) || f.length !== 10) continue;
    const event = Number(f[1]);
    seen = Math.max(seen, event + 1);
    if (event <= lastEvent) continue;
    lastEvent = event;
    logged++;
    const key = `${f[5]}#${f[6]} ${f[7]}`;
    const s = sites.get(key) ?? { growth: 0, shrink: 0, events: 0, calls: 0 };
    sites.set(key, s);
    s.events++;
    if (f[4] === 'CALL' || f[4] === 'C_CALL') s.calls++;
    const rss = Number(f[8]);
    if (lastRss !== null) {
      if (rss > lastRss) s.growth += rss - lastRss;
      else s.shrink += lastRss - rss;
    }
    lastRss = rss;
  }
  return { sites, logged, seen };
}

const PT_LOGS = ['20261129_050535_0_12030_P_0_PY3.11.7.log', '20261129_050535_1_12030_P_0_PY3.11.7.log',
  '20261129_050535_2_12030_T_0_PY3.11.7.log', '20261129_050535_3_12030_T_0_PY3.11.7.log'];

for (const name of PT_LOGS) {
  test(`${name}: growth, shrink, events and calls per line match the log`, async () => {
    const path = join(FIXTURES, 'py3.11.7', name);
    const { code, stdout, stderr } = await analyse([path, '--json']);
    assert.equal(code, 0);
    assert.equal(stderr, '');
    const [a] = JSON.parse(stdout).logs;
    const expected = oracle(path);
    assert.equal(a.kind, name.includes('_P_') ? 'P' : 'T');
    assert.equal(a.events.logged, expected.logged);
    assert.equal(a.events.seen, expected.seen);
    assert.equal(a.events.everyEventLogged, expected.seen === expected.logged);
    const every = a.events.everyEventLogged;
    const got = new Map(a.lineSites.map((l) => [`${l.file}#${l.line} ${l.function}`, l]));
    assert.equal(got.size, expected.sites.size);
    for (const [key, s] of expected.sites) {
      const l = got.get(key);
      assert.deepEqual([l.growth, l.shrink, l.net, l.events, l.calls], [s.growth, s.shrink, s.growth - s.shrink, s.events, every ? s.calls : null], key);
    }
    for (let i = 1; i < a.lineSites.length; i++) assert.ok(a.lineSites[i - 1].growth >= a.lineSites[i].growth);
    const totalGrowth = a.functions.reduce((sum, f) => sum + f.growth, 0);
    assert.equal(totalGrowth, [...expected.sites.values()].reduce((sum, s) => sum + s.growth, 0));
  });
}

test('Profile(0): every event logged, so calls are counted; the text shows the tables', async () => {
  const path = join(FIXTURES, 'py3.11.7/20261129_050535_1_12030_P_0_PY3.11.7.log');
  const [a] = JSON.parse((await analyse([path, '--json'])).stdout).logs;
  assert.deepEqual(a.events, { seen: 33, logged: 33, everyEventLogged: true, byWhat: { CALL: 1, C_CALL: 15, C_RETURN: 14, LINE: 2, RETURN: 1 } });
  assert.deepEqual(a.functions.find((f) => f.function === 'populate_list').calls, 1);
  assert.deepEqual(a.rss, { first: 15556608, last: 15519744, min: 15519744, peak: 19582976, peakClock: 0.248101, peakPath: path, peakLine: 12 });
  assert.deepEqual(a.clock, { first: 0.246515, last: 0.248596, duration: 0.002081 });
  const { stdout } = await analyse([path, '--top', '1']);
  assert.match(stdout, /^Profile log \(P\) from pymemtrace \(Python 3\.11\.7\), pid 12030: 37 lines, complete\.$/m);
  assert.match(stdout, /^Events: 33 seen, 33 logged \(every event: call counts are exact\)/m);
  assert.match(stdout, /^Lines by RSS growth \[1\]:\n +Growth +Shrink +Net +Events +Calls +File#Line +Function\n +3\.8 MiB +0 B +3\.8 MiB +8 +4 +gen_pt\.py#16 +append$/m);
  assert.match(stdout, /^Functions by RSS shrink \[1\]:$/m);
  for (const line of stdout.split('\n')) assert.ok(line.length <= 120, line);
});

test('Profile() default trigger: not every event, so no call counts; messages with their clock', async () => {
  const path = join(FIXTURES, 'py3.11.7/20261129_050535_0_12030_P_0_PY3.11.7.log');
  const [a] = JSON.parse((await analyse([path, '--json'])).stdout).logs;
  assert.equal(a.events.everyEventLogged, false);
  assert.equal(a.events.seen, 40127);
  assert.ok(a.functions.every((f) => f.calls === null));
  assert.deepEqual(a.messages.map((m) => [m.line, m.clock, m.event, m.text]), [
    [6, 0.028646, 2, 'Before 4 x populate_list()'], [59, 0.035973, 116, 'After 4 x populate_list()'],
    [60, 0.035985, 118, 'Module level profile_write_message_to_log()'],
  ]);
  const { stdout } = await analyse([path]);
  assert.match(stdout, /^Events: 40,127 seen, 819 logged \(call counts need every event/m);
  assert.match(stdout, /^ {4}0\.035973 +#116 After 4 x populate_list\(\)$/m);
});

test('nested logs are noted; --recurse-files analyses them, found beside the parent', async () => {
  const path = join(FIXTURES, 'py3.11.7/20261129_050535_4_12030_P_0_PY3.11.7.log');
  const alone = JSON.parse((await analyse([path, '--json'])).stdout);
  assert.equal(alone.logs.length, 1);
  assert.deepEqual(alone.logs[0].nested, [{
    line: 35, clock: 0.256012, recordedPath: '/home/dev/pmt/py3.11.7/20261129_050535_5_12030_P_1_PY3.11.7.log',
    resolvedPath: join(FIXTURES, 'py3.11.7/20261129_050535_5_12030_P_1_PY3.11.7.log'), reattachedClock: 0.261751, followed: false,
  }]);
  const { code, stdout } = await analyse([path, '--recurse-files']);
  assert.equal(code, 0);
  const paths = [...stdout.matchAll(/^File path: (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(paths, [4, 5, 6].map((i) => join(FIXTURES, `py3.11.7/20261129_050535_${i}_12030_P_${i - 4}_PY3.11.7.log`)));
  assert.match(stdout, /^Summary \[3 logs analysed\]:$/m);
  assert.match(stdout, /^ {4}0\.256012 line 35: 20261129_050535_5_12030_P_1_PY3\.11\.7\.log \(found as .*, analysed\), re-attached at 0\.261751$/m);
});

test('our own PREV lines (the event before a logged one) count as events; RSS change is per site', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ev = (tag, event, dEvent, what, line, fn, rss) => formatPTEvent(tag, { event, dEvent, clock: event / 1000, what, file: 'src/app.ts', line, fn, rss, dRss: 0 });
    const path = writeLog(dir, '20260101_000000_0_9_T_0_NODE20.20.2.log', [SOF, formatPTHeader(),
      ev('FRST', 0, 0, 'LINE', 9, 'main', 1000000),
      ev('NEXT', 1, 1, 'CALL', 3, 'grow', 1000000),
      ev('PREV', 4, 3, 'LINE', 4, 'grow', 1004096),
      ev('NEXT', 5, 4, 'LINE', 5, 'grow', 2052672),
      formatPTMessage(5, 0, 0.0055, 'grown'),
      ev('NEXT', 9, 4, 'RETURN', 6, 'grow', 1004096),
      ev('LAST', 10, 1, 'LINE', 12, 'main', 1004096), EOF,
    ]);
    const [a] = JSON.parse((await analyse([path, '--json'])).stdout).logs;
    assert.equal(a.kind, 'T');
    assert.deepEqual([a.events.seen, a.events.logged, a.events.everyEventLogged], [11, 6, false]);
    const grow = a.functions.find((f) => f.function === 'grow');
    assert.deepEqual([grow.growth, grow.shrink, grow.events, grow.calls], [4096 + 1048576, 1048576, 4, null]);
    assert.deepEqual(a.lineSites[0], { file: 'src/app.ts', line: 5, function: 'grow', growth: 1048576, shrink: 0, net: 1048576, events: 1, calls: null });
    assert.equal(a.file.pid, 9);
    assert.equal(a.complete, true);
  } finally {
    cleanup();
  }
});

test('Calls counts calls: resuming a generator or an async function after yield or await is no call', async (t) => {
  const { tempProject, runCli } = await import('../loader/helpers.js');
  // The program counts its own calls: the analysis must find the same numbers.
  const p = tempProject(t, {
    'app.mjs': `const calls = {};
const count = (name) => { calls[name] = (calls[name] ?? 0) + 1; };
function* gen(n) {
  count('gen');
  for (let i = 0; i < n; i++) {
    yield i;
  }
}
function* walk(depth) {
  count('walk');
  yield depth;
  if (depth > 0) for (const d of walk(depth - 1)) yield d;
}
async function load(i) {
  count('load');
  await null;
  const v = await Promise.resolve(i);
  return v;
}
class Store {
  async save(x) {
    count('Store.save');
    await load(x);
  }
}
const inc = (x) => { count('inc'); return x + 1; };
let total = 0;
for (const v of gen(10)) total += v;
for (const v of gen(3)) total += v;
for (const d of walk(3)) total += d;
await Promise.all([load(1), load(2), load(3)]);
await new Store().save(4);
for (let i = 0; i < 5; i++) total = inc(total);
console.log(JSON.stringify(calls));
`,
  });
  const logs = join(p.base, 'logs');
  const r = runCli(['run', '--profile', '--d-rss-trigger', '0', '--out-dir', logs, 'app.mjs'], { cwd: p.dir, env: p.env });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(expected).sort(), ['Store.save', 'gen', 'inc', 'load', 'walk']);
  const { code, stdout } = await analyse([logs, '--json']);
  assert.equal(code, 0);
  const [a] = JSON.parse(stdout).logs;
  assert.equal(a.events.everyEventLogged, true);
  const found = Object.fromEntries(a.functions.filter((f) => f.function in expected).map((f) => [f.function, f.calls]));
  assert.deepEqual(found, expected);
  // The rows are there: each generator and async function did resume (CALL rows beyond its calls).
  const callRows = a.functions.filter((f) => f.function === 'gen')[0].events;
  assert.ok(callRows > 2 * (10 + 3), String(callRows));
});

test('Calls: a CALL where the function returned before is a call where it starts there, or in <anonymous>', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // `<anonymous>` factory (line 1) returning, on line 3, the `<anonymous>` handler that starts
    // there, later called twice on its own; `once` a one-line function called twice.
    const rows = [['CALL', 1, '<anonymous>'], ['RETURN', 3, '<anonymous>'], ['CALL', 3, '<anonymous>'], ['RETURN', 3, '<anonymous>'],
      ['CALL', 3, '<anonymous>'], ['RETURN', 3, '<anonymous>'], ['CALL', 5, 'once'], ['RETURN', 5, 'once'], ['CALL', 5, 'once'], ['RETURN', 5, 'once']];
    const lines = [SOF, formatPTHeader()];
    rows.forEach(([what, line, fn], event) => {
      lines.push(formatPTEvent(event === 0 ? 'FRST' : 'NEXT', { event, dEvent: 1, clock: 0.1 + event / 1000, what, file: 'app.js', line, fn, rss: 1000, dRss: 0 }));
    });
    lines.push(EOF);
    const path = writeLog(dir, '20260101_000000_0_79_P_0_NODE20.20.2.log', lines);
    const [a] = JSON.parse((await analyse([path, '--json'])).stdout).logs;
    assert.deepEqual(Object.fromEntries(a.functions.map((f) => [f.function, f.calls])), { '<anonymous>': 3, once: 2 });
  } finally {
    cleanup();
  }
});
