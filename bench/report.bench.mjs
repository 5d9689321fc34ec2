// `jsmemtrace report` on generated multi-million-event logs (a Profile log and a reference
// tracing log): time to write the report, the report process's peak RSS (it streams: it should
// not follow the log's size), the HTML's size, and the time headless Chromium takes to open it
// and draw the charts (skipped without /usr/bin/chromium). Logs go to the OS temp dir and are
// deleted afterwards.
//   node bench/report.bench.mjs [events]      (default 3,000,000 per log)
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  EOF, SOF, formatAddress, formatObjectEvent, formatObjectHeader, formatObjectMessage, formatPTEvent, formatPTHeader, formatPTMessage,
} from '../dist/log/format.js';

const EVENTS = Number(process.argv[2] ?? 3_000_000);
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

/** Writes lines from `next()` (null ends) through a 1 MiB buffer. */
function writeLog(path, head, next) {
  const fd = openSync(path, 'w');
  let buf = head.join('\n') + '\n';
  for (let line = next(); line !== null; line = next()) {
    buf += line + '\n';
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf + EOF + '\n');
  closeSync(fd);
}

function profileLog(path) {
  const fns = ['parse', 'render', 'Cache.get', 'Cache.set', 'handle', 'serialize', '<anonymous>'];
  let i = 0;
  let messaged = false;
  let rss = 60 << 20;
  writeLog(path, [SOF, formatPTHeader()], () => {
    if (i >= EVENTS) return null;
    const clock = 0.05 + i * 2e-6;
    if (i % 500_000 === 250_000 && !messaged) {
      messaged = true;
      return formatPTMessage(i, 1, clock, `checkpoint ${i}`);
    }
    messaged = false;
    // A slow climb with a sawtooth (collections) on top.
    const d = (i % 1000 < 990 ? 4096 : -990 * 4096) + (i % 10_000 === 0 ? 4096 * 50 : 0);
    rss += d;
    const what = i % 2 === 0 ? 'CALL' : 'RETURN';
    const tag = i === 0 ? 'FRST' : i === EVENTS - 1 ? 'LAST' : 'NEXT';
    const line = formatPTEvent(tag, { event: i, dEvent: 1, clock, what, file: `src/mod${i % 13}.ts`, line: 1 + (i % 400), fn: fns[i % fns.length], rss, dRss: d });
    i++;
    return line;
  });
}

function objectLog(path) {
  const types = ['Map', 'Order', 'Session', 'Array', 'Promise', 'Buffer', 'Item', 'Cart', 'Tax', 'Price', 'Address', 'Customer'];
  const live = new Map();
  const ids = [];
  let i = 0;
  let id = 0;
  let rss = 80 << 20;
  writeLog(path, [SOF, formatObjectHeader()], () => {
    if (i >= EVENTS) return null;
    const clock = 0.05 + i * 2e-6;
    i++;
    if (i % 500_000 === 0) return formatObjectMessage('MSG', clock, `checkpoint ${i}`);
    let tag = 'NEW';
    let address;
    let type;
    if (ids.length > 20_000 && i % 2 === 0) {
      const k = (i * 7919) % ids.length;
      [address, type] = ids[k];
      ids[k] = ids[ids.length - 1];
      ids.pop();
      tag = 'DEL';
    } else {
      address = ++id;
      type = types[(i * 31) % types.length];
      ids.push([address, type]);
      rss += 4096;
    }
    const count = (live.get(type) ?? 0) + (tag === 'NEW' ? 1 : -1);
    live.set(type, count);
    return formatObjectEvent(tag, { clock, address: formatAddress(address), liveCount: count, type, file: 'src/app.ts', line: 10 + (address % 50), fn: 'make', rss, dRss: 4096 });
  });
}

async function openInChromium(html) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const started = performance.now();
    await page.goto(`file://${html}`);
    await page.waitForFunction(() => Array.isArray(globalThis.__jsmemtraceCharts));
    return performance.now() - started;
  } finally {
    await browser.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'jsmemtrace-report-bench-'));
try {
  for (const [kind, make] of [['P', profileLog], ['O', objectLog]]) {
    const log = join(dir, `20260101_000000_0_4242_${kind}_0_NODE20.20.2.log`);
    make(log);
    const html = join(dir, `${kind}.html`);
    const started = performance.now();
    // /usr/bin/time is not everywhere: the child reports its own peak RSS through the CLI's exit.
    const r = spawnSync(process.execPath, ['--import', 'data:text/javascript,process.on("exit",()=>process.stderr.write("PEAK "+process.resourceUsage().maxRSS+"\\n"))', CLI, 'report', log, '-o', html], { encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(r.stderr);
    const peak = Number(/PEAK (\d+)/.exec(r.stderr)[1]) / 1024;
    const size = statSync(log).size / (1 << 20);
    console.log(`${kind} log: ${EVENTS.toLocaleString('en-US')} events, ${size.toFixed(0)} MiB: report in ${seconds.toFixed(2)} s ` +
      `(${(EVENTS / seconds / 1e6).toFixed(2)} M events/s), peak RSS ${peak.toFixed(0)} MiB, HTML ${(statSync(html).size / (1 << 20)).toFixed(2)} MiB`);
    if (existsSync(CHROMIUM)) console.log(`  opened and drawn by Chromium in ${(await openInChromium(html)).toFixed(0)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
