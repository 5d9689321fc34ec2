/**
 * assertMemoryBelow(fn, limit): fails when one call of `fn` grows memory by more than `limit`.
 *
 * 'rss' (default): the peak resident set size during the call, minus RSS before it. The peak is
 * what a Profile logged at every call, return and call into native code whenever RSS moved a
 * page, and RSS after the call: what the machine had to provide. 'heap': V8's used heap after
 * the call minus before it, both after a full GC: what the call retains on the JavaScript heap
 * (a peak of garbage is not counted; RSS shows that). Either way the message names the function
 * and the line that grew RSS most, from the Profile log.
 */
import { AssertionError } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { EventAnalysis } from '../analyse/json.js';
import { collectGarbage } from '../runtime/gc.js';
import { rss } from '../runtime/rss.js';
import { Profile } from '../tracers/profile.js';
import { readEventLog } from './analysis.js';
import { formatBytes, parseBytes } from './bytes.js';
import { exclusive } from './exclusive.js';
import { checkInstrumented } from './instrumented.js';
import { checkFunction, checkOptions, describe, integerOption } from './options.js';

export interface MemoryBelowOptions {
  /** 'rss' (default): peak resident set size during the call; 'heap': V8 heap retained after a full GC. */
  measure?: 'rss' | 'heap';
  /** Calls of `fn` before the measured one (module loading, JIT, lazy caches). Default 0. */
  warmup?: number;
}

const CALLER = 'assertMemoryBelow()';

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

function growthNote(a: EventAnalysis): string[] {
  const lines: string[] = [];
  const f = a.functions.find((s) => s.growth > 0);
  if (f !== undefined) lines.push(`  function or call that grew RSS most: ${f.function} (${f.file}) +${formatBytes(f.growth)}`);
  const l = a.lineSites.find((s) => s.growth > 0);
  if (l !== undefined) lines.push(`  line that grew RSS most: ${l.file}:${l.line} ${l.function} +${formatBytes(l.growth)}`);
  if (lines.length === 0) lines.push('  no instrumented function or line of fn grew RSS (the growth happened in code that is not instrumented)');
  return lines;
}

/**
 * Runs `fn` (sync or async) once under a Profile and rejects with an AssertionError when it grew
 * RSS (or the V8 heap, `measure: 'heap'`) by more than `limit`: bytes, or a string such as
 * '10 MB' (10 000 000 bytes) or '512 KiB' (524 288 bytes).
 */
export async function assertMemoryBelow(fn: () => unknown, limit: number | string, opts?: MemoryBelowOptions): Promise<void> {
  checkFunction(CALLER, fn);
  const bytes = parseBytes(limit, `${CALLER}: limit`);
  const o = checkOptions(CALLER, opts, ['measure', 'warmup']);
  const { measure = 'rss' } = o;
  if (measure !== 'rss' && measure !== 'heap') throw new TypeError(`${CALLER}: option measure must be 'rss' or 'heap', got ${describe(measure)}`);
  const warmup = integerOption(CALLER, 'warmup', o.warmup, 0, 0);
  checkInstrumented(CALLER);
  return exclusive(CALLER, () => measureCall(fn, limit, bytes, measure, warmup));
}

async function measureCall(fn: () => unknown, limit: number | string, bytes: number, measure: 'rss' | 'heap', warmup: number): Promise<void> {
  for (let i = 0; i < warmup; i++) await fn();
  const dir = mkdtempSync(join(tmpdir(), 'jsmemtrace-test-'));
  try {
    const path = join(dir, 'assertMemoryBelow.log');
    collectGarbage('full');
    const before = measure === 'rss' ? rss() : heapUsed();
    const profile = new Profile({ filepath: path, message: 'jsmemtrace/test assertMemoryBelow' });
    let afterRss: number;
    try {
      await fn();
    } finally {
      afterRss = rss();
      profile.stop();
    }
    let heapAfter = 0;
    if (measure === 'heap') {
      collectGarbage('full');
      heapAfter = heapUsed();
    }
    const a = await readEventLog(path);
    const peakRss = Math.max(a.rss.peak ?? 0, afterRss);
    const growth = measure === 'rss' ? peakRss - before : heapAfter - before;
    if (growth <= bytes) return;
    const given = typeof limit === 'string' ? `'${limit.trim()}' = ${bytes.toLocaleString('en-US')} bytes` : `${bytes.toLocaleString('en-US')} bytes`;
    const head = measure === 'rss'
      ? `assertMemoryBelow: fn grew RSS by ${formatBytes(growth)}, more than the limit (${given}): ` +
        `from ${formatBytes(before)} to a peak of ${formatBytes(peakRss)}`
      : `assertMemoryBelow: fn grew the V8 heap by ${formatBytes(growth)} (retained after a full GC), more than the limit ` +
        `(${given}): from ${formatBytes(before)} to ${formatBytes(heapAfter)}; RSS peaked at ${formatBytes(peakRss)}`;
    throw new AssertionError({ message: [head, ...growthNote(a)].join('\n'), operator: 'fail', stackStartFn: measureCall });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
