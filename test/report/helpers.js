// Shared by the report tests: the CLI as a process, logs written with the project's own
// formatters, and one headless Chromium (skipped, with the reason, when it is not installed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatObjectEvent, formatObjectHeader, formatObjectMessage, formatPTEvent, formatPTHeader, formatPTMessage, formatAddress,
} from '../../dist/log/format.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
export const FIXTURES = join(ROOT, 'test/fixtures/logs/pymemtrace');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_MISSING = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium): browser tests skipped`;

export function jsmemtrace(args, options = {}) {
  const env = { ...process.env };
  for (const k of ['NODE_OPTIONS', 'JSMEMTRACE_CONFIG', 'JSMEMTRACE_DEBUG', 'NODE_TEST_CONTEXT']) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env, ...options });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'jsmemtrace-report-test-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A Profile log: `events` are [what, file, line, fn, rss] (every event logged); `messages` maps
 * an event index to the message written before it.
 */
export function writeProfileLog(path, events, { intro = [], messages = {} } = {}) {
  const lines = [...intro, 'SOF', formatPTHeader()];
  let lastRss = 0;
  events.forEach(([what, file, line, fn, rss], i) => {
    if (messages[i] !== undefined) lines.push(formatPTMessage(i, 1, i * 0.001, messages[i]));
    const tag = i === 0 ? 'FRST' : i === events.length - 1 ? 'LAST' : 'NEXT';
    lines.push(formatPTEvent(tag, { event: i, dEvent: i === 0 ? 0 : 1, clock: 0.001 * (i + 1), what, file, line, fn, rss, dRss: rss - lastRss }));
    lastRss = rss;
  });
  lines.push('EOF');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** A reference-tracing log: `records` are ['NEW'|'DEL', id, type, file, line, fn] or ['MSG', text]. */
export function writeObjectLog(path, records, { intro = [] } = {}) {
  const lines = [...intro, 'SOF', formatObjectHeader()];
  const live = new Map();
  let rss = 20 << 20;
  records.forEach((r, i) => {
    const clock = 0.5 + i * 0.001;
    if (r[0] === 'MSG') {
      lines.push(formatObjectMessage('MSG', clock, r[1]));
      return;
    }
    const [tag, id, type, file, line, fn] = r;
    const count = (live.get(type) ?? 0) + (tag === 'NEW' ? 1 : -1);
    live.set(type, count);
    rss += tag === 'NEW' ? 4096 : 0;
    lines.push(formatObjectEvent(tag, { clock, address: formatAddress(id), liveCount: count, type, file, line, fn, rss, dRss: tag === 'NEW' ? 4096 : 0 }));
  });
  lines.push('EOF');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Strings that would run script if a report ever parsed log data as HTML. */
export const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '</script><script>window.__pwned=2</script>',
  '"onerror=window.__pwned=3 x="',
  '<img src=x onerror="window.__pwned=4">',
  '<svg onload=window.__pwned=5>',
];
/** For messages only: names cannot hold U+2028 (log names %-encode white space). */
export const HOSTILE_MESSAGE = '\u2028</script>\u2029<img src=x onerror="window.__pwned=6">';

/** One browser for a test file; null (and the test skips) without Chromium. */
export async function launchBrowser() {
  if (CHROMIUM_MISSING) return null;
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Opens a report; `problems` collects console errors, page errors, dialogs and any request
 * that leaves the file (a self-contained report makes none).
 */
export async function openReport(browser, path, { colorScheme = 'light', width = 1280, height = 900 } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme });
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    problems.push(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
  });
  await page.goto(`file://${path}`);
  await page.waitForFunction(() => Array.isArray(globalThis.__jsmemtraceCharts));
  return { page, problems };
}
