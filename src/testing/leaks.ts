/**
 * assertNoLeaks(fn): fails when objects that `fn` creates survive it, call after call.
 *
 * How a leak is told from a cache. `fn` runs `warmup` times untraced (lazy one-time setup: module
 * state, memoised constants, pools), then `repeat` times under a ReferenceTracing whose log marks
 * where each call starts. After the last call the timers and immediates that `fn` left pending
 * are given up to `settle` ms to run, then the tracer's final full GC (finalizers included)
 * decides what is really alive. Each surviving object is attributed to the call that created it.
 * An allocation site leaks when objects it created survive from EVERY call: what one call leaves
 * behind at least, `min over calls`, is its leak per call. A type fails when the leak per call of
 * its sites adds up to more than `allow[type]`. So a cache filled once, a "last value" memo, or a
 * bounded cache smaller than `repeat` is not a leak; storage that grows with every call is.
 */
import { AssertionError } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
// Node's own timers: fake timers installed on the globals must not stall the wait.
import { setImmediate, setTimeout } from 'node:timers';
import type { RefTraceAnalysis } from '../analyse/json.js';
import { ReferenceTracing } from '../tracers/ref-tracer.js';
import { readObjectLog } from './analysis.js';
import { exclusive } from './exclusive.js';
import { checkAllocationProbes, checkInstrumented } from './instrumented.js';
import { checkFunction, checkOptions, describe, integerOption } from './options.js';

export interface NoLeaksOptions {
  /** Trace only these types (constructor names). Default: every type. */
  types?: Iterable<string>;
  /** Never trace these types; wins over `types`. */
  excludeTypes?: Iterable<string>;
  /**
   * Also trace object and array literals, closures and builtins (Map, Set, Promise...) created by
   * instrumented code. Default true: a closure kept by an event emitter is a leak too.
   */
  includeBuiltins?: boolean;
  /** Traced calls of `fn` after the warm-up. Default 5. */
  repeat?: number;
  /** Untraced calls first, for one-time setup. Default 1. */
  warmup?: number;
  /** Objects of a type that each call may leave alive on purpose (an intentional cache): `{ Session: 1 }`. */
  allow?: Record<string, number>;
  /** Longest wait (ms) for timers and immediates that `fn` left pending, before the final GC. Default 1000. */
  settle?: number;
}

interface Resolved {
  types: string[] | undefined;
  excludeTypes: string[] | undefined;
  includeBuiltins: boolean;
  repeat: number;
  warmup: number;
  allow: Map<string, number>;
  settle: number;
}

const CALLER = 'assertNoLeaks()';
const KNOWN = ['types', 'excludeTypes', 'includeBuiltins', 'repeat', 'warmup', 'allow', 'settle'];
const MARK = 'jsmemtrace/test: call ';
const SETTLE_MARK = 'jsmemtrace/test: settling';

function typeList(name: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  const list = typeof v === 'object' && v !== null && Symbol.iterator in v ? [...(v as Iterable<unknown>)] : undefined;
  if (typeof v === 'string' || list === undefined || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(`${CALLER}: option ${name} must be a list of type names, got ${describe(v)}`);
  }
  return list as string[];
}

function resolveOptions(opts: unknown): Resolved {
  const o = checkOptions(CALLER, opts, KNOWN);
  const { includeBuiltins = true, allow } = o;
  if (typeof includeBuiltins !== 'boolean') {
    throw new TypeError(`${CALLER}: option includeBuiltins must be true or false, got ${describe(includeBuiltins)}`);
  }
  const allowed = new Map<string, number>();
  if (allow !== undefined) {
    if (allow === null || typeof allow !== 'object' || Array.isArray(allow)) {
      throw new TypeError(`${CALLER}: option allow must be an object such as { Session: 1 }, got ${describe(allow)}`);
    }
    for (const [type, n] of Object.entries(allow)) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw new TypeError(`${CALLER}: allow.${type} must be an integer >= 0 (objects each call may keep), got ${describe(n)}`);
      }
      allowed.set(type, n);
    }
  }
  return {
    types: typeList('types', o.types),
    excludeTypes: typeList('excludeTypes', o.excludeTypes),
    includeBuiltins,
    repeat: integerOption(CALLER, 'repeat', o.repeat, 5, 1),
    warmup: integerOption(CALLER, 'warmup', o.warmup, 1, 0),
    allow: allowed,
    settle: integerOption(CALLER, 'settle', o.settle, 1000, 0),
  };
}

/** Timers and immediates pending in this thread (what `fn` may still have to run). */
function pendingTasks(): number {
  let n = 0;
  for (const r of process.getActiveResourcesInfo()) if (r === 'Timeout' || r === 'Immediate') n++;
  return n;
}

async function settle(baseline: number, maxMs: number): Promise<void> {
  await new Promise<void>((done) => setImmediate(done));
  const end = performance.now() + maxMs;
  while (pendingTasks() > baseline && performance.now() < end) {
    await new Promise<void>((done) => setTimeout(done, 2));
  }
}

/** One allocation site's survivors, by the call that created them. */
interface SiteSurvivors {
  type: string;
  file: string;
  line: number;
  fn: string;
  allocated: number;
  perCall: number[];
  alive: number;
}

interface LeakedType {
  type: string;
  alive: number;
  perCall: number;
  allowed: number;
  sites: { file: string; line: number; function: string; alive: number; allocated: number }[];
}

/** The types whose sites keep objects from every call, beyond what `allow` permits. */
function findLeaks(a: RefTraceAnalysis, repeat: number, allow: ReadonlyMap<string, number>): LeakedType[] {
  // Call boundaries: the log line of each call's marker; objects after the settle marker belong to no call.
  const starts: number[] = [];
  let settleLine = Infinity;
  for (const m of a.messages) {
    if (m.tag !== 'MSG') continue;
    if (m.text.startsWith(MARK)) starts.push(m.line);
    else if (m.text === SETTLE_MARK) settleLine = m.line;
  }
  if (starts.length !== repeat) throw new Error(`${CALLER}: the tracer's log has ${starts.length} call markers, expected ${repeat}`);
  const allocated = new Map<string, number>();
  for (const s of a.liveBySite) allocated.set(key(s.type, s.file, s.line, s.function), s.allocated);
  const sites = new Map<string, SiteSurvivors>();
  for (const o of a.liveObjects) {
    if (o.logLine > settleLine) continue;
    let call = -1;
    while (call + 1 < starts.length && starts[call + 1]! < o.logLine) call++;
    if (call < 0) continue;
    const k = key(o.type, o.file, o.line, o.function);
    let s = sites.get(k);
    if (s === undefined) {
      s = { type: o.type, file: o.file, line: o.line, fn: o.function, allocated: allocated.get(k) ?? 0, perCall: new Array<number>(repeat).fill(0), alive: 0 };
      sites.set(k, s);
    }
    s.perCall[call]!++;
    s.alive++;
  }
  const byType = new Map<string, LeakedType>();
  for (const s of sites.values()) {
    const perCall = Math.min(...s.perCall);
    if (perCall === 0) continue;
    let t = byType.get(s.type);
    if (t === undefined) {
      t = { type: s.type, alive: 0, perCall: 0, allowed: allow.get(s.type) ?? 0, sites: [] };
      byType.set(s.type, t);
    }
    t.alive += s.alive;
    t.perCall += perCall;
    t.sites.push({ file: s.file, line: s.line, function: s.fn, alive: s.alive, allocated: s.allocated });
  }
  const leaks = [...byType.values()].filter((t) => t.perCall > t.allowed);
  for (const t of leaks) t.sites.sort((x, y) => y.alive - x.alive || (x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line));
  return leaks.sort((x, y) => y.perCall - x.perCall || y.alive - x.alive || (x.type < y.type ? -1 : 1));
}

function key(type: string, file: string, line: number, fn: string): string {
  return `${type}\0${file}\0${line}\0${fn}`;
}

function leakMessage(leaks: LeakedType[], o: Resolved): string {
  const calls = `${o.repeat} call${o.repeat === 1 ? '' : 's'}`;
  const warm = o.warmup === 0 ? 'no warm-up' : `${o.warmup} warm-up call${o.warmup === 1 ? '' : 's'}`;
  const lines = [`assertNoLeaks: objects created by fn survive every call (${calls} after ${warm}, then a full GC):`];
  for (const t of leaks) {
    const allowed = t.allowed > 0 ? `, allowed ${t.allowed}` : '';
    lines.push(`  ${t.type}: ${t.alive} alive, ${t.perCall} per call${allowed}`);
    for (const s of t.sites) {
      lines.push(`    ${s.file}:${s.line} ${s.function}: ${s.alive} alive of ${s.allocated} allocated`);
    }
  }
  lines.push(`If a type is kept on purpose (a cache), allow it: assertNoLeaks(fn, { allow: { ${leaks[0]!.type}: ${leaks[0]!.perCall} } }).`);
  return lines.join('\n');
}

/**
 * Runs `fn` (sync or async) `warmup` times, then `repeat` times under reference tracing, and
 * rejects with an AssertionError listing the leaked types, counts and allocation sites when
 * objects it created survive every call (see the module comment for the rule).
 */
export async function assertNoLeaks(fn: () => unknown, opts?: NoLeaksOptions): Promise<void> {
  checkFunction(CALLER, fn);
  const o = resolveOptions(opts);
  checkInstrumented(CALLER);
  checkAllocationProbes(CALLER);
  return exclusive(CALLER, () => traceCalls(fn, o));
}

async function traceCalls(fn: () => unknown, o: Resolved): Promise<void> {
  const baseline = pendingTasks();
  for (let i = 0; i < o.warmup; i++) await fn();
  const dir = mkdtempSync(join(tmpdir(), 'jsmemtrace-test-'));
  try {
    const path = join(dir, 'assertNoLeaks.log');
    const tracer = new ReferenceTracing({
      filepath: path, includeTypes: o.types, excludeTypes: o.excludeTypes, includeBuiltins: o.includeBuiltins,
      gcOnExit: 'full', message: 'jsmemtrace/test assertNoLeaks',
    });
    try {
      for (let i = 1; i <= o.repeat; i++) {
        tracer.writeMessageToLog(`${MARK}${i} of ${o.repeat}`);
        await fn();
      }
      tracer.writeMessageToLog(SETTLE_MARK);
      await settle(baseline, o.settle);
    } finally {
      await tracer.stopAsync();
    }
    const leaks = findLeaks(await readObjectLog(path), o.repeat, o.allow);
    if (leaks.length > 0) throw new AssertionError({ message: leakMessage(leaks, o), operator: 'fail', stackStartFn: traceCalls });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
