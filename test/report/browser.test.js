// Reports opened in a real headless Chromium: the charts draw, hovering shows the event under the
// mouse, tables sort and filter, and a hostile log runs nothing. The logs come from a real program
// run under `jsmemtrace run --profile` / `--trace`, from pymemtrace, and from our own formatters.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHROMIUM_MISSING, FIXTURES, HOSTILE, HOSTILE_MESSAGE, jsmemtrace, launchBrowser, openReport, tempDir, writeObjectLog,
  writeProfileLog,
} from './helpers.js';

const skip = CHROMIUM_MISSING;
const ROOT_URL = new URL('../../dist/index.js', import.meta.url).href;
let browser = null;
let work = null;

const PROGRAM = `
import { profileWrapperDepth, profileWriteMessageToLog, traceWriteMessageToLog } from ${JSON.stringify(ROOT_URL)};
const say = (text) => (profileWrapperDepth() > 0 ? profileWriteMessageToLog : traceWriteMessageToLog)(text);
const kept = [];
class Chunk {
  constructor(n) { this.data = new Array(n).fill(n); }
}
function allocate(n) {
  const c = new Chunk(n);
  kept.push(c);
  return c;
}
function churn(k) {
  let s = 0;
  for (let i = 0; i < k; i++) s += allocate(4000).data.length;
  return s;
}
say('phase 1: allocate');
churn(150);
say('phase 2: release');
kept.length = 0;
churn(20);
`;

/** A jsmemtrace-style reference tracing log: a leaking Session type among short-lived ones. */
function objectLog(path) {
  const records = [];
  let id = 0;
  const sessions = [];
  for (let round = 0; round < 40; round++) {
    const temp = [];
    for (let i = 0; i < 30; i++) {
      temp.push([++id, i % 3 === 0 ? 'Map' : i % 3 === 1 ? 'Order' : 'Array']);
      records.push(['NEW', id, temp.at(-1)[1], 'src/shop.ts', 10 + (i % 3), 'handle']);
    }
    sessions.push(++id);
    records.push(['NEW', id, 'Session', 'src/session.ts', 7, 'Session.open']);
    for (const type of ['Cart', 'Item', 'Price', 'Tax', 'Discount', 'Customer', 'Address']) {
      records.push(['NEW', ++id, type, 'src/model.ts', 3, 'build']);
      records.push(['DEL', id, type, 'src/model.ts', 3, 'build']);
    }
    if (round === 20) records.push(['MSG', 'half way']);
    for (const [tid, type] of temp) records.push(['DEL', tid, type, 'src/shop.ts', 10, 'handle']);
  }
  return writeObjectLog(path, records, { intro: ['reference tracing of the shop'] });
}

before(async () => {
  if (skip) return;
  work = tempDir();
  const programDir = join(work.dir, 'program');
  mkdirSync(programDir);
  writeFileSync(join(programDir, 'app.mjs'), PROGRAM);
  for (const mode of ['--profile', '--trace']) {
    const r = jsmemtrace(['run', mode, '--out-dir', join(work.dir, 'logs'), '--', 'app.mjs'], { cwd: programDir });
    assert.equal(r.status, 0, r.stderr);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  work?.cleanup();
});

/** The page's charts: series count, points drawn, and how much of each canvas has been painted. */
function chartFacts(page) {
  return page.evaluate(() => globalThis.__jsmemtraceCharts.map(({ u }) => {
    const canvas = u.ctx.canvas;
    const pixels = u.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
    return { series: u.series.length, points: u.data[0].length, painted, width: canvas.width };
  }));
}

/** Moves the mouse over chart `c` at data index `i` (or at clock `x`, mid-height); returns the tooltip's text. */
async function hover(page, c, { i = null, x = null }) {
  const at = await page.evaluate(([c, i, x]) => {
    const { u } = globalThis.__jsmemtraceCharts[c];
    u.over.scrollIntoView({ block: 'center' });
    const box = u.over.getBoundingClientRect();
    const left = u.valToPos(i === null ? x : u.data[0][i], 'x');
    const top = i === null ? box.height / 2 : u.valToPos(u.data[1][i], u.series[1].scale);
    // The first and last points lie on the plot's edges: stay a pixel inside.
    return { x: box.left + Math.min(Math.max(left, 1), box.width - 1), y: box.top + Math.min(Math.max(top, 2), box.height - 2) };
  }, [c, i, x]);
  await page.mouse.move(at.x, at.y);
  return page.evaluate((c) => {
    const { u } = globalThis.__jsmemtraceCharts[c];
    const tip = u.over.querySelector('.tooltip');
    return { idx: u.cursor.idx, text: tip.style.display === 'block' ? tip.innerText : '' };
  }, c);
}

/** The text of each cell of column `col` of the table titled `title`. */
function column(page, title, col) {
  return page.evaluate(([title, col]) => {
    const box = [...document.querySelectorAll('.table-box')].find((b) => b.querySelector('h3').textContent === title);
    return [...box.querySelectorAll('tbody tr')].map((tr) => tr.children[col].textContent);
  }, [title, col]);
}

function tableBox(page, title, nth = 0) {
  return page.locator('.table-box', { has: page.locator('h3', { hasText: title }) }).nth(nth);
}

const UNITS = { B: 1, KiB: 1024, MiB: 1048576, GiB: 1073741824 };
const bytes = (text) => {
  const [n, unit] = text.split(' ');
  return Number(n.replace('+', '')) * UNITS[unit];
};

test('Profile and Trace logs of a real program: charts, hover, markers, sorting, filtering', { skip }, async () => {
  const out = join(work.dir, 'pt.html');
  const r = jsmemtrace(['report', join(work.dir, 'logs'), '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  const { page, problems } = await openReport(browser, out);
  const data = await page.evaluate(() => JSON.parse(document.getElementById('report-data').textContent));
  assert.deepEqual(data.logs.map((l) => l.kind), ['P', 'T']);

  const charts = await chartFacts(page);
  assert.deepEqual(charts.map((c) => c.series), [2, 2], 'x and RSS');
  for (const [k, c] of charts.entries()) {
    assert.equal(c.points, data.logs[k].series.shown);
    assert.ok(c.points > 10, `log ${k} has points`);
    assert.ok(c.painted > c.width * 20, `chart ${k} is drawn (${c.painted} pixels painted)`);
  }

  // Hover the highest point of the Profile chart: the tooltip names the event the log has there.
  const s = data.logs[0].series;
  const peak = s.rss.indexOf(Math.max(...s.rss));
  const { idx, text } = await hover(page, 0, { i: peak });
  assert.notEqual(idx, null);
  const [what, file, line, fn] = s.sites[s.site[idx]];
  const event = s.event[idx];
  assert.ok(text.includes(`${what}  ·  event ${event.toLocaleString('en-US')}`), text);
  assert.ok(text.includes(`${file}:${line}`) && text.includes(fn), text);
  assert.match(text, /RSS \d+\.\d\d MiB {3}dRSS [+-]?\d/);
  const logLine = readFileSync(data.logs[0].path, 'utf8').split('\n')
    .find((l) => /^(NEXT|PREV|FRST|LAST):/.test(l) && l.split(/\s+/)[1] === String(event));
  const fields = logLine.split(/\s+/);
  assert.deepEqual([fields[4], fields[5], fields[6], fields[7]], [what, file, String(line), fn], 'the tooltip shows the log\'s event');
  assert.ok(text.includes(`RSS ${(Number(fields[8]) / 1048576).toFixed(2)} MiB`), text);

  // A message is a marker: hovering its line shows its text.
  const message = data.logs[0].messages.find((m) => m.text === 'phase 2: release');
  assert.ok(message);
  assert.match((await hover(page, 0, { x: message.clock })).text, /Message: phase 2: release/);

  // Sorting: by name ascending, then by growth descending.
  const functions = tableBox(page, 'Functions that grew RSS most');
  await functions.locator('th button', { hasText: 'Function' }).click();
  assert.equal(await functions.locator('th').first().getAttribute('aria-sort'), 'ascending');
  const names = await column(page, 'Functions that grew RSS most', 0);
  assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.ok(names.includes('allocate') && names.includes('churn'), names.join());
  await functions.locator('th button', { hasText: 'Growth' }).click();
  assert.equal(await functions.locator('th').nth(2).getAttribute('aria-sort'), 'descending');
  const growth = (await column(page, 'Functions that grew RSS most', 2)).map(bytes);
  for (let i = 1; i < growth.length; i++) assert.ok(growth[i] <= growth[i - 1], growth.join());

  // Filtering: only matching rows, and the count says so.
  await functions.locator('input.filter').fill('alloc');
  const filtered = await column(page, 'Functions that grew RSS most', 0);
  assert.ok(filtered.length >= 1 && filtered.every((n) => n.includes('alloc')), filtered.join());
  assert.match(await functions.locator('.count').textContent(), new RegExp(`^${filtered.length} of ${names.length} rows match`));

  assert.deepEqual(problems, []);
  await page.close();
});

test('pymemtrace logs and reference tracing logs: a section each, live objects by type, tables', { skip }, async () => {
  const logs = join(work.dir, 'o-logs');
  mkdirSync(logs);
  objectLog(join(logs, '20261129_060000_0_4242_O_0_NODE20.20.2.log'));
  // A log a failed tracer left empty: skipped, and listed as such.
  writeFileSync(join(logs, '20261129_060001_1_4242_P_0_NODE20.20.2.log'), '');
  const out = join(work.dir, 'o.html');
  const r = jsmemtrace(['report', join(FIXTURES, 'py3.11.7'), join(FIXTURES, 'py3.13.0'), logs, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  const { page, problems } = await openReport(browser, out);
  const data = await page.evaluate(() => JSON.parse(document.getElementById('report-data').textContent));
  assert.equal(data.logs.length, readdirSync(join(FIXTURES, 'py3.11.7')).length + 2);
  assert.equal(await page.locator('section.log').count(), data.logs.length);
  assert.equal(await page.locator('.summary-table tbody tr').count(), data.logs.length);
  assert.equal(await page.locator('h3', { hasText: 'Skipped' }).count(), 1);
  assert.match(await page.locator('ul.failed').last().innerText(), /20261129_060001_1_4242_P_0_NODE20\.20\.2\.log: /);

  const charts = await chartFacts(page);
  assert.equal(charts.length, data.logs.length);
  data.logs.forEach((log, k) => {
    // x, then RSS (P/T); x, one line per type shown (the rest as "other"), RSS (O).
    assert.equal(charts[k].series, log.kind === 'O' ? log.series.labels.length + 2 : 2, log.name);
    assert.ok(charts[k].painted > 0, `${log.name} drawn`);
  });
  const ours = data.logs.findIndex((l) => l.producer === 'jsmemtrace');
  const o = data.logs[ours];
  // Still alive at the end first, then the most created (ties by name).
  assert.deepEqual(o.series.labels, ['Session', 'Array', 'Map', 'Order', 'Address', 'Cart', 'Customer', 'Discount', 'other']);
  assert.equal(o.series.values[0].at(-1), 40, 'Session never comes down');

  // Hovering the live-object chart lists each type's count at that moment.
  const { idx, text } = await hover(page, ours, { x: o.series.clock[Math.floor(o.series.shown / 2)] });
  assert.notEqual(idx, null);
  assert.ok(text.includes(`Session: ${o.series.values[0][idx]}`), text);
  assert.ok(text.includes(`other types: ${o.series.values[8][idx]}`), text);
  const rss = o.series.rss[idx];
  assert.ok(text.includes(`RSS ${rss === null ? '—' : `${(rss / 1048576).toFixed(2)} MiB`}`), text);
  const legend = await page.evaluate((c) => globalThis.__jsmemtraceCharts[c].u.root.querySelector('.u-legend').innerText, ours);
  assert.ok(legend.includes('Session') && legend.includes('other types'), legend);

  // The live objects by site: only Session is left; filtering and sorting work on the type table.
  const section = page.locator(`#${o.id}`);
  assert.deepEqual(await section.locator('.table-box').first().locator('tbody tr td:first-child').allTextContents(), ['Session']);
  const types = section.locator('.table-box', { has: page.locator('h3', { hasText: 'Objects by type' }) });
  await types.locator('th button', { hasText: 'Type' }).click();
  const names = await types.locator('tbody tr td:first-child').allTextContents();
  assert.deepEqual(names, [...names].sort());
  assert.equal(names.length, 11);
  await types.locator('input.filter').fill('ss');
  assert.deepEqual(await types.locator('tbody tr td:first-child').allTextContents(), ['Address', 'Session']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a hostile log runs nothing: type, function, file names, messages and its own file name are text', { skip }, async () => {
  const dir = join(work.dir, 'hostile');
  mkdirSync(dir);
  const p = writeProfileLog(join(dir, '<img src=x onerror=alert(1)>.log'), HOSTILE.map((h, i) => ['CALL', h, i + 1, h, (i + 10) << 20]),
    { intro: HOSTILE, messages: { 1: HOSTILE[0], 3: HOSTILE_MESSAGE } });
  const o = writeObjectLog(join(dir, 'o"onerror=alert(2).log'), [...HOSTILE.map((h, i) => ['NEW', i + 1, h, h, 1, h]), ['MSG', HOSTILE_MESSAGE]]);
  const out = join(dir, 'r.html');
  const r = jsmemtrace(['report', p, o, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  const { page, problems } = await openReport(browser, out);
  // Hover both charts (tooltips and legends are built from log strings too).
  for (const c of [0, 1]) {
    const { text } = await hover(page, c, { i: 2 });
    assert.ok(HOSTILE.some((h) => text.includes(h)), text);
  }
  await page.locator('input.filter').first().fill('<img');
  const facts = await page.evaluate(() => ({
    pwned: globalThis.__pwned,
    scripts: document.scripts.length,
    markup: document.querySelectorAll('img, svg, iframe, object, embed').length,
    text: document.body.innerText,
  }));
  assert.equal(facts.pwned, undefined);
  assert.equal(facts.scripts, 3);
  assert.equal(facts.markup, 0);
  for (const h of [...HOSTILE, '<img src=x onerror=alert(1)>.log', 'o"onerror=alert(2).log']) assert.ok(facts.text.includes(h), h);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a long log is downsampled for display, keeping its extremes, and says so', { skip }, async (t) => {
  const events = [];
  for (let i = 0; i < 200_000; i++) events.push(['LINE', 'loop.js', 1 + (i % 40), 'step', (100 << 20) + ((i * 7919) % 997) * 4096]);
  events[123_456][4] = 700 << 20;
  const log = writeProfileLog(join(work.dir, 'long.log'), events);
  const out = join(work.dir, 'long.html');
  const r = jsmemtrace(['report', log, '--max-points', '4000', '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  const started = performance.now();
  const { page, problems } = await openReport(browser, out);
  t.diagnostic(`report of 200,000 events opened in ${Math.round(performance.now() - started)} ms`);
  const [chart] = await chartFacts(page);
  assert.ok(chart.points <= 4000 && chart.points > 1000, `${chart.points} points`);
  const note = await page.locator('.chart-box .note').textContent();
  assert.match(note, new RegExp(`^${chart.points.toLocaleString('en-US')} points shown of 200,000 logged events: downsampled`));
  const peak = await page.evaluate(() => Math.max(...globalThis.__jsmemtraceCharts[0].u.data[1]));
  assert.equal(peak, 700);
  assert.deepEqual(problems, []);
  await page.close();
});
