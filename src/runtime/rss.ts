/**
 * Resident set size readers. On Linux the exact read is a kept-open `/proc/self/statm` fd read at
 * position 0 into a preallocated buffer, digits parsed by hand: about 5× cheaper than
 * `process.memoryUsage.rss()`, which opens, reads and closes `/proc/self/stat` on every call.
 * Elsewhere (macOS, Windows) `process.memoryUsage.rss()` is the exact read.
 */
import { isStackOverflow } from './probe.js';

const { closeSync, openSync, readFileSync, readSync } = process.getBuiltinModule('node:fs');
const { isMainThread } = process.getBuiltinModule('node:worker_threads');

const statmBuf = Buffer.alloc(128);
let statmFd = -1;
let bytesPerPage = 0;

function openStatm(): void {
  if (process.platform !== 'linux') return;
  try {
    statmFd = openSync('/proc/self/statm', 'r');
  } catch {
    statmFd = -1;
    return;
  }
  bytesPerPage = detectPageSize();
  if (bytesPerPage === 0) {
    closeSync(statmFd);
    statmFd = -1;
  }
}

/** statm's second field (resident pages); -1 when the text is not what statm looks like. */
function readStatmPages(): number {
  const n = readSync(statmFd, statmBuf, 0, statmBuf.length, 0);
  let i = 0;
  while (i < n && statmBuf[i] !== 32) i++;
  i++;
  let pages = 0;
  let digits = 0;
  for (; i < n; i++) {
    const c = statmBuf[i]! - 48;
    if (c < 0 || c > 9) break;
    pages = pages * 10 + c;
    digits++;
  }
  return digits === 0 ? -1 : pages;
}

/**
 * The kernel reports statm in pages but exposes no page size to JavaScript: the candidate whose
 * product best matches `process.memoryUsage.rss()` (which Node computes from the same kernel
 * counter, in bytes) is the page size. Both reads are taken twice, around each other, so that
 * growth between them cannot tip the choice.
 */
function detectPageSize(): number {
  const before = readStatmPages();
  const bytes = process.memoryUsage.rss();
  const after = readStatmPages();
  if (before <= 0 || after <= 0) return 0;
  let best = 0;
  let bestErr = Infinity;
  for (const size of [4096, 16384, 65536]) {
    const err = Math.min(Math.abs(before * size - bytes), Math.abs(after * size - bytes));
    if (err < bestErr) { bestErr = err; best = size; }
  }
  // A wrong guess is off by a factor of 4 or more; a right one by at most a few pages of growth.
  return bestErr < bytes / 4 ? best : 0;
}

openStatm();

/** The exact resident set size of this process, in bytes. */
export function rss(): number {
  if (statmFd >= 0) {
    try {
      const pages = readStatmPages();
      if (pages >= 0) return pages * bytesPerPage;
    } catch (e) {
      // The fd was closed under us (a program closing every descriptor): stop using it. A stack
      // overflow (a probe's work on top of the program's deepest frame) says nothing about it.
      if (!isStackOverflow(e)) statmFd = -1;
    }
  }
  return process.memoryUsage.rss();
}

/** The memory page size in bytes (what `dRssTrigger: -1` means). */
export function pageSize(): number {
  if (bytesPerPage !== 0) return bytesPerPage;
  // macOS on Apple silicon uses 16 KiB pages; every other platform Node runs on here uses 4 KiB.
  return process.platform === 'darwin' && process.arch === 'arm64' ? 16384 : 4096;
}

/** Peak resident set size of this process, in bytes (Linux: VmHWM; elsewhere maxRSS). */
export function rssPeak(): number {
  if (process.platform === 'linux') {
    try {
      // Its line `VmHWM:\t  1234 kB`, read without a regular expression, whose match would replace
      // the program's `RegExp.$1`… (loader/regexp-statics.ts).
      const status = readFileSync('/proc/self/status', 'latin1');
      const at = status.indexOf('\nVmHWM:');
      // (parseInt skips the white space and stops at ` kB`.)
      const kB = at < 0 ? NaN : parseInt(status.slice(at + 7, at + 40), 10);
      // The kernel raises VmHWM lazily (when RSS is about to fall), so it can trail the current RSS.
      if (kB >= 0) return Math.max(kB * 1024, rss());
    } catch {
      // /proc not mounted (some containers): fall through to getrusage.
    }
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Sampled RSS: re-read only when the last read is at least `intervalSeconds` older than `now`
 * (the caller's clock reading, which it needs anyway). The value returned can be stale by up to
 * the interval: memory touched since the last read shows up at the first event after the
 * interval has passed, so dRSS lands on a later event than the one that allocated.
 * One cache per thread, shared by every tracer that samples.
 */
let sampledValue = 0;
let sampledAt = -Infinity;

export function sampledRss(now: number, intervalSeconds: number): number {
  if (now - sampledAt >= intervalSeconds) {
    sampledValue = rss();
    sampledAt = now;
  }
  return sampledValue;
}

/** Whether `rss()` uses the kept-open statm fd (for the benchmark's report). */
export function rssSource(): 'statm' | 'memoryUsage' {
  return statmFd >= 0 ? 'statm' : 'memoryUsage';
}

// Worker threads share the process's fd table; each thread keeps its own statm fd, closed with it.
// Tracers may still read RSS in later 'exit' listeners: they fall back to memoryUsage().
if (!isMainThread && statmFd >= 0) {
  process.once('exit', () => {
    const fd = statmFd;
    statmFd = -1;
    try { closeSync(fd); } catch { /* already closed */ }
  });
}
