// Makes docs/report.png, the README's picture of a report: a small program run under
// `jsmemtrace run --profile`, its report opened in headless Chromium, a point hovered.
//   node test/report/make-screenshot.mjs [out.png] [light|dark]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_MISSING, ROOT, jsmemtrace, launchBrowser, openReport, tempDir } from './helpers.js';

const out = process.argv[2] ?? join(ROOT, 'docs/report.png');
const colorScheme = process.argv[3] ?? 'light';
if (CHROMIUM_MISSING) {
  console.error(CHROMIUM_MISSING);
  process.exit(1);
}

const PROGRAM = `
import { profileWriteMessageToLog as note } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};

class Cache {
  constructor() { this.entries = new Map(); }
  set(key, value) { this.entries.set(key, value); }
  trim(keep) {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= keep) break;
      this.entries.delete(key);
    }
  }
}

function loadRecords(n) {
  const records = [];
  for (let i = 0; i < n; i++) records.push({ id: i, name: 'record-' + i, tags: ['a', 'b', 'c'], score: i * 0.5 });
  return records;
}

function buildIndex(records) {
  const index = new Map();
  for (const r of records) index.set(r.name, r);
  return index;
}

function render(record) {
  return JSON.stringify(record).repeat(8);
}

const cache = new Cache();
note('load records');
const records = loadRecords(60000);
note('build index');
const index = buildIndex(records);
note('render pages');
for (let round = 0; round < 6; round++) {
  for (let i = 0; i < 4000; i++) cache.set(round * 4000 + i, render(records[(round * 4000 + i) % records.length]));
  if (round % 2 === 1) cache.trim(2000);
}
note('drop records');
records.length = 0;
index.clear();
cache.trim(0);
globalThis.gc?.();
`;

const { dir, cleanup } = tempDir('jsmemtrace-screenshot-');
try {
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'shop.mjs'), PROGRAM);
  const run = jsmemtrace(['run', '--profile', '--', 'shop.mjs'], { cwd: app });
  if (run.status !== 0) throw new Error(run.stderr);
  const log = readdirSync(app).find((n) => n.endsWith('.log'));
  const html = join(dir, 'report.html');
  const r = jsmemtrace(['report', log, '-o', html], { cwd: app });
  if (r.status !== 0) throw new Error(r.stderr);
  const browser = await launchBrowser();
  try {
    const { page, problems } = await openReport(browser, html, { colorScheme, width: 1200, height: 1400 });
    if (problems.length) throw new Error(problems.join('\n'));
    // Hover the biggest step up in the first half so the picture shows what a point tells.
    const at = await page.evaluate(() => {
      const { u } = globalThis.__jsmemtraceCharts[0];
      const y = u.data[1];
      let i = 1;
      for (let k = 1; k < y.length / 2; k++) if (y[k] - y[k - 1] > y[i] - y[i - 1]) i = k;
      const box = u.over.getBoundingClientRect();
      return { x: box.left + Math.min(u.valToPos(u.data[0][i], 'x'), box.width - 2), y: box.top + u.valToPos(y[i], 'y') };
    });
    await page.mouse.move(at.x, at.y);
    const bottom = await page.evaluate(() => {
      const tables = document.querySelectorAll('.table-box');
      return tables[0].getBoundingClientRect().bottom + 12;
    });
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1200, height: Math.min(1400, Math.ceil(bottom)) } });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${fileURLToPath(new URL(`file://${out}`))}`);
} finally {
  cleanup();
}
