/**
 * The Profile/Trace side of the probe: turns probe calls into events (docs/ARCHITECTURE.md, "Calls
 * into code that is not instrumented" and "Stack depth and resynchronisation") and hands them to
 * the attached sinks, at most one per kind. All state is module-level scalars and preallocated
 * arrays: a probe call allocates nothing, except a module's suspension counts at its first
 * `await` or `yield`, an `await using` declaration's disposable at its first run (`dOn`), and the
 * microtask queued at the first call a depth-0 stretch makes (or at a `for await` loop's step, or
 * a scope's disposal).
 */
import { SiteKind } from '../instrument/types.js';
import { clock } from './clock.js';
import { idle, installProbe, isStackOverflow, own, probe, publishProbe, setFlag, tracerFailed, uninlined } from './probe.js';
import { moduleOf, type ModuleKeyFn, type TracedModule } from './registry.js';
import { filled } from './safe.js';

/** Event codes: indexes into log/format.ts's `WHAT`. */
export const EV_CALL = 0;
export const EV_RETURN = 1;
export const EV_LINE = 2;
export const EV_EXCEPT = 3;
export const EV_C_CALL = 4;
export const EV_C_RETURN = 5;
export const EV_C_EXCEPT = 6;

/** What a tracer attaches to receive events. */
export interface EventSink {
  /** An event happening now: the sink reads the clock and, if it needs it, RSS. */
  ev(what: number, rec: TracedModule, site: number): void;
  /**
   * An event that happened earlier (a C_CALL written when its call is found to have been into code
   * that is not instrumented): at `at` seconds, with the RSS of the event before it.
   */
  evBefore(what: number, rec: TracedModule, site: number, at: number): void;
}

let P: EventSink | null = null;
let T: EventSink | null = null;

// Frames of instrumented functions entered while tracing, 1..depth (0 is the base: whatever was
// running when tracing started, and module top-level code).
let depth = 0;
let frameRec: (TracedModule | null)[] = filled<TracedModule | null>(256, null);
let frameFn = new Int32Array(256);
/**
 * Per frame: the last statement (LINE site) that ran in it, -1 before the first. Its RETURN shows
 * that line, as Python's does (the `return`, or the last statement of a body that ends): the
 * function's name is the same on both sites.
 */
let frameLine = new Int32Array(256);
/**
 * Per frame (0: the base, with `frameRec`/`frameFn` set for it): 1 + the site of the `for await`
 * loop whose iterator it is about to await (`qOn`), -(1 + the site) of the `await using`
 * declaration whose scope's disposal it is about to await (`dOn`), else 0; `waiting` counts the
 * frames so marked.
 */
let frameWait = new Int32Array(256);
let waiting = 0;
/**
 * Per frame: how its exit can go unseen (its entry probe says, rewrite.ts): 0 only by an exception
 * from a body that could not be wrapped; `UNSEEN_LEAF` or `UNSEEN_END`.
 */
let frameUnseen = new Uint8Array(256);
/**
 * A leaf (rewrite.ts `FnContext.calls`): left by an exception unseen. It calls nothing but
 * implicitly (a getter, a conversion), which enters a function: code of a function not on the
 * stack that runs while it is the top frame (top-level code included) runs after it exited.
 */
const UNSEEN_LEAF = 1;
/**
 * A body with no exit probe at its end or at some `return` (an open-ended derived constructor, a
 * `return` left as it is): popped unseen, it may have returned. RETURN only.
 */
const UNSEEN_END = 2;

// Calls made (probe `b`) whose callee has not shown itself yet.
let pcTop = 0;
let pcRec: (TracedModule | null)[] = filled<TracedModule | null>(64, null);
let pcSite = new Int32Array(64);
let pcDepth = new Int32Array(64);
let pcClock = new Float64Array(64);
let pcAnnounced = new Uint8Array(64);

function growFrames(): void {
  const n = frameFn.length * 2;
  const fr = filled<TracedModule | null>(n, null);
  for (let k = 0; k <= depth; k++) fr[k] = frameRec[k]!;
  frameRec = fr;
  const ff = new Int32Array(n);
  ff.set(frameFn);
  frameFn = ff;
  const fl = new Int32Array(n);
  fl.set(frameLine);
  frameLine = fl;
  const fw = new Int32Array(n);
  fw.set(frameWait);
  frameWait = fw;
  const fu = new Uint8Array(n);
  fu.set(frameUnseen);
  frameUnseen = fu;
}

function growPending(): void {
  const n = pcSite.length * 2;
  const r = filled<TracedModule | null>(n, null);
  for (let k = 0; k < pcTop; k++) r[k] = pcRec[k]!;
  pcRec = r;
  const s = new Int32Array(n); s.set(pcSite); pcSite = s;
  const d = new Int32Array(n); d.set(pcDepth); pcDepth = d;
  const c = new Float64Array(n); c.set(pcClock); pcClock = c;
  const a = new Uint8Array(n); a.set(pcAnnounced); pcAnnounced = a;
}

function pushFrame(rec: TracedModule, fn: number, unseen = 0): void {
  // Grown first: at the stack's limit the growth's calls can overflow, and a frame counted
  // before them would be left without its record.
  if (depth + 1 === frameFn.length) growFrames();
  frameRec[++depth] = rec;
  frameFn[depth] = fn;
  frameLine[depth] = -1;
  frameWait[depth] = 0;
  frameUnseen[depth] = unseen;
}

/** Writes C_CALL for the pending call at `k` (the callee turned out not to be instrumented). */
function announce(k: number): void {
  pcAnnounced[k] = 1;
  if (P !== null) P.evBefore(EV_C_CALL, pcRec[k]!, pcSite[k]!, pcClock[k]!);
}

/** Ends the pending calls made at depth `d` or deeper: they have finished, returning or throwing. */
function closePending(d: number, end: number): void {
  while (pcTop > 0 && pcDepth[pcTop - 1]! >= d) endCall(end);
}

/**
 * Ends the top pending call (`end`: how). A call that made a generator ran nothing of it: no
 * event (its body shows from its first `next()`).
 */
function endCall(end: number): void {
  const k = --pcTop;
  const rec = pcRec[k]!;
  pcRec[k] = null;
  if (P !== null) {
    if (pcAnnounced[k] === 0) {
      if (rec.makesGenerator[pcSite[k]!] === 1) return;
      P.evBefore(EV_C_CALL, rec, pcSite[k]!, pcClock[k]!);
    }
    P.ev(end, rec, pcSite[k]!);
  }
}

/**
 * Ends the pending calls made at depth `d` or deeper, which an exception ended. The last one made
 * may be what made the exception, not what threw it: in `throw new Error(m)` no probe runs
 * between the constructor's return and the throw. A constructor of errors returns (none throws),
 * so a pending `new …Error(…)` ends as C_RETURN.
 */
function closeThrown(d: number): void {
  endMadeError(d);
  closePending(d, EV_C_EXCEPT);
}

/** The last pending call made at depth `d` or deeper, when it made an error, ends as C_RETURN (see `closeThrown`). */
function endMadeError(d: number): void {
  if (pcTop > 0 && pcDepth[pcTop - 1]! >= d && madeError(pcRec[pcTop - 1]!, pcSite[pcTop - 1]!)) endCall(EV_C_RETURN);
}

function madeError(rec: TracedModule, site: number): boolean {
  const callee = rec.callees[site];
  return rec.kinds[site] === SiteKind.New && callee !== undefined && callee.endsWith('Error');
}

/**
 * Whether the frame running the probe (function `fn` of `rec`, -1 = top level; at its `site`) is
 * the top frame, after popping frames whose exits were not seen. At depth 0 every frame is the
 * base. A frame not found on the stack is left alone (popping on a guess could end live frames),
 * unless an activation of `fn` waits at a `yield` or an `await`: it was resumed there unseen
 * (`resumedUnseen`). A frame about to await its `for await` loop's iterator (`qOn`) has not
 * awaited when its own code runs on (unless `call`: a call site's probe, which may be in the
 * loop's iterable, evaluated after `q`), and has when code that it did not call runs.
 */
function isCurrent(rec: TracedModule, fn: number, site: number, call = false): boolean {
  if (depth !== 0 && frameFn[depth] === fn && frameRec[depth] === rec) {
    if (waiting !== 0 && !call && frameWait[depth] !== 0) noLoopWait(depth);
    return true;
  }
  if (depth !== 0 && popTo(rec, fn)) return true;
  if (fn >= 0 && suspended(rec, fn)) {
    resumedUnseen(rec, fn, site);
    return true;
  }
  // After `suspended`: a leaf's `for…of` left early resumes a generator unseen (`return()`).
  endLeaves();
  if (waiting !== 0 && frameWait[depth] !== 0) {
    if (depth === 0 && frameFn[0] === fn && frameRec[0] === rec) {
      if (!call) noLoopWait(0);
    } else {
      loopsSuspend();
    }
  }
  return depth === 0;
}

function suspended(rec: TracedModule, fn: number): boolean {
  return (rec.yielding !== null && rec.yielding[fn]! > 0) || (rec.awaiting !== null && rec.awaiting[fn]! > 0);
}

/** Pops the frames above `fn` of `rec` (they exited unseen); false when it is not on the stack. */
function popTo(rec: TracedModule, fn: number): boolean {
  for (let k = depth - 1; k > 0; k--) {
    if (frameFn[k] === fn && frameRec[k] === rec) {
      popFrames(k, EV_C_RETURN);
      return true;
    }
  }
  return false;
}

/**
 * Pops the frames above depth `k`, ending their pending calls (`end`: how): their exits were not
 * seen (`exitedUnseen`), except that a frame about to await its `for await` loop's iterator
 * suspends there.
 */
function popFrames(k: number, end: number): void {
  while (depth > k) {
    if (waiting !== 0 && frameWait[depth] !== 0) loopSuspends(end);
    else exitedUnseen(end);
  }
}

/**
 * The top frame exited without its exit probe: an exception left a body that has none in a
 * `try` (a leaf's, see rewrite.ts `FnContext.calls`, or one that cannot be wrapped). Its EXCEPT
 * and RETURN are written now, at the last line it ran, as at an exit by exception
 * (`exceptIn`, `exitFrame`): later than it happened, but before any event of the code that
 * caught it. A generator's unseen exit is a suspension at a `yield*`, which has no probe (see
 * rewrite.ts `suspend`): RETURN only, and it counts as waiting at a `yield`, so that its next
 * probe, once the delegate is done, is its resumption (`resumedUnseen`: CALL), not a probe of a
 * function off the stack. That of a body with no exit probe at its end or at a `return`
 * (`UNSEEN_END`) is most likely a return: RETURN only.
 */
function exitedUnseen(end: number): void {
  const rec = frameRec[depth]!;
  const fn = frameFn[depth]!;
  if (pcTop !== 0) closePending(depth, end);
  const site = frameLine[depth]! >= 0 ? frameLine[depth]! : fn;
  const generator = rec.generators[fn] === 1;
  if (generator) (rec.yielding ?? yieldCounts(rec))[fn]!++;
  if (T !== null && !generator && frameUnseen[depth] !== UNSEEN_END) T.ev(EV_EXCEPT, rec, site);
  if (P !== null) P.ev(EV_RETURN, rec, site);
  if (T !== null) T.ev(EV_RETURN, rec, site);
  frameRec[depth--] = null;
}

/**
 * A `for await` loop of function `fn` of `rec` (at site `i`) is about to await its iterator's
 * `next()` (`return()` when left early). Its RETURN waits until the function has stopped
 * running: the iterator's step runs first, inside it (an async generator resumes within
 * `next()`), and when the loop awaits nothing (an iterator without `return()`, a step that
 * throws), the function's own next probe finds it running and nothing is written. It has stopped
 * once code runs that it did not call (an entry that is not an iterator's step, a probe of a
 * function below it or not on the stack, a resumption from the microtask queue), or at the
 * latest at the next microtask, queued here: microtasks run on an empty JavaScript stack.
 */
function qOn(m: ModuleKeyFn, i: number): void {
  if (own.busy) return;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return;
  own.busy = true;
  try {
    aboutToAwait(rec, i, i + 1);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

/** The function of site `i` of `rec` is about to await where no probe can go (`qOn`, `dOn`): `mark` goes on its frame (`frameWait`). */
function aboutToAwait(rec: TracedModule, i: number, mark: number): void {
  const fn = rec.owners[i]!;
  if (isCurrent(rec, fn, i)) {
    if (pcTop !== 0) closePending(depth, EV_C_RETURN);
    if (frameWait[depth] === 0) waiting++;
    frameWait[depth] = mark;
    if (depth === 0) {
      frameRec[0] = rec;
      frameFn[0] = fn;
    }
    queueStackEnd();
  } else {
    awaited(rec, fn, i);
  }
}

/**
 * Whether entering Function site `fn` can be part of what the top frame, about to await, runs
 * first: a call that the function made (in a `for await` loop's iterable); for a loop (`qOn`), a
 * generator's body or a method that a loop calls on its iterator; for a scope's disposal
 * (`dOn`), a dispose method, which the disposal calls before it awaits its result.
 */
function stepsLoop(rec: TracedModule, fn: number): boolean {
  if (pcTop !== 0 && pcDepth[pcTop - 1] === depth) return true;
  const name = rec.callees[fn];
  if (frameWait[depth]! < 0) return name === '[Symbol.asyncDispose]' || name === '[Symbol.dispose]';
  return rec.generators[fn] === 1 || name === 'next' || name === 'return' || name === 'throw' || name === '[Symbol.asyncIterator]' || name === '[Symbol.iterator]';
}

/**
 * The disposal probe (rewrite.ts `disposalProbe`): Await site `i`'s `await using` declaration
 * was just made, and the `using` declaration after it takes the disposable returned here. Its
 * scope, when it ends, disposes it first (`disposing`), then calls the declaration's dispose
 * methods and awaits their results: no probe can go between a dispose method's call and that
 * await. One disposable per site, kept.
 */
function dOn(m: ModuleKeyFn, i: number): object | null {
  if (own.busy) return null;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return null;
  const disposers = rec.disposers ?? (rec.disposers = new Array<object | undefined>(rec.kinds.length));
  return disposers[i] ?? (disposers[i] = disposer(rec, i));
}

const SymbolDispose = Symbol.dispose;

function disposer(rec: TracedModule, i: number): object {
  return { [SymbolDispose]() { disposing(rec, i); } };
}

/**
 * A scope is being disposed, and about to call and await the dispose methods of the `await
 * using` declaration at Await site `i` (`dOn`): its function is marked about to await, as a `for
 * await` loop's is (`qOn`), and its suspension written once it has stopped running. The dispose
 * methods that the disposal calls before it awaits run inside it; when it awaits nothing (every
 * dispose method threw before returning), its own next probe takes the mark away.
 */
function disposing(rec: TracedModule, i: number): void {
  // Kept by a declaration made while a tracer listened: it may have gone since.
  if (own.busy || (P === null && T === null)) return;
  own.busy = true;
  try {
    aboutToAwait(rec, i, -(i + 1));
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

/** The frame at depth `d` runs on without awaiting its loop's iterator (`qOn`) or its scope's disposal (`dOn`). */
function noLoopWait(d: number): void {
  frameWait[d] = 0;
  waiting--;
  if (d === 0) frameRec[0] = null;
}

/** The top frame, about to await its `for await` loop's iterator or its scope's disposal, has done so (`qOn`, `dOn`): its RETURN. */
function loopSuspends(end: number): void {
  const d = depth;
  const mark = frameWait[d]!;
  const site = (mark < 0 ? -mark : mark) - 1;
  const rec = frameRec[d]!;
  const fn = frameFn[d]!;
  noLoopWait(d);
  if (pcTop !== 0) closePending(d, end);
  awaited(rec, fn, site);
  if (d > 0) frameRec[depth--] = null;
}

/** Function `fn` of `rec` awaits at `site` (a `for await` loop's or an `await using` declaration's: `qOn`, `dOn`): counted, and its RETURN. */
function awaited(rec: TracedModule, fn: number, site: number): void {
  if (fn >= 0) (rec.awaiting ?? awaitCounts(rec))[fn]!++;
  if (P !== null) P.ev(EV_RETURN, rec, site);
  if (T !== null) T.ev(EV_RETURN, rec, site);
}

/** Code that the top frames about to await (their loops' iterators, their scopes' disposal) did not call runs: they have awaited. */
function loopsSuspend(): void {
  while (waiting !== 0 && frameWait[depth] !== 0) loopSuspends(EV_C_RETURN);
}

/**
 * A probe of `fn`, which is not on the stack while one of its activations waits, ran: that one
 * resumed where the resumption probe (which reads the value sent in) does not see it. A generator
 * waiting at a `yield`: `return()` or `throw()` (a `for…of` left by `break`, an explicit call)
 * runs its `finally` or `catch`, a call from its caller; at a `yield*` (`exitedUnseen`), it goes
 * on once its delegate is done, inside its caller's `next()`. An async function waiting at an `await`:
 * the promise rejected and it goes on in a `catch` or `finally`, or throws out, resumed from the
 * microtask queue on an empty stack (as at `resume`); also after a `for await` loop's last step
 * or its `return()`, which have no resumption probe. Its CALL is at the probe's statement (a line,
 * or an `await`: the code that runs is there), or at the function when the probe is not a
 * statement's.
 */
function resumedUnseen(rec: TracedModule, fn: number, site: number): void {
  const kind = rec.kinds[site];
  const at = kind === SiteKind.Line || kind === SiteKind.Await ? site : fn;
  if (rec.yielding !== null && rec.yielding[fn]! > 0) {
    generatorResumed(rec, fn, at);
  } else {
    rec.awaiting![fn]!--;
    resumeOnEmptyStack(rec, fn, at);
  }
  if (at !== fn) frameLine[depth] = at;
}

/**
 * Function `fn` of `rec` (-1: top level) resumes from the microtask queue, on an empty JavaScript
 * stack: every frame still on ours exited unseen, and every pending call has finished. Its CALL at `at`.
 */
function resumeOnEmptyStack(rec: TracedModule, fn: number, at: number): void {
  unwind(EV_C_RETURN);
  if (fn >= 0) pushFrame(rec, fn);
  if (P !== null) P.ev(EV_CALL, rec, at);
  if (T !== null) T.ev(EV_CALL, rec, at);
}

/** A function exit (RETURN, or the RETURN of a suspension at `site`) of function `fn`. */
function exitFrame(rec: TracedModule, fn: number, site: number): void {
  if (isCurrent(rec, fn, site)) {
    if (pcTop !== 0) closePending(depth, EV_C_RETURN);
    // At depth 0 the frame is not on the stack (entered before tracing started): its lines unknown.
    if (site === fn && depth > 0 && frameLine[depth]! >= 0) site = frameLine[depth]!;
    if (P !== null) P.ev(EV_RETURN, rec, site);
    if (T !== null) T.ev(EV_RETURN, rec, site);
    if (depth > 0) frameRec[depth--] = null;
  } else {
    if (P !== null) P.ev(EV_RETURN, rec, site);
    if (T !== null) T.ev(EV_RETURN, rec, site);
  }
}

/**
 * A function entry: claims the caller's pending call when it is this function's call site.
 * `unseen`: how its exit can go unseen (`frameUnseen`).
 */
function enterFrame(rec: TracedModule, fn: number, site: number, unseen = 0): void {
  if (pcTop !== 0) {
    const k = pcTop - 1;
    if (pcDepth[k] === depth && pcAnnounced[k] === 0) {
      const callee = pcRec[k]!.callees[pcSite[k]!];
      if (callee === undefined || callee === rec.callees[fn] || (callee === 'super' && isConstructor(rec, fn))) pcRec[--pcTop] = null;
      else announce(k);
    }
  }
  pushFrame(rec, fn, unseen);
  if (P !== null) P.ev(EV_CALL, rec, site);
  if (T !== null) T.ev(EV_CALL, rec, site);
}

/**
 * Whether Function site `fn` is a class constructor: what `super(…)` calls (a base class's own
 * name is not the call's). A method entered there is a native base class calling back.
 */
function isConstructor(rec: TracedModule, fn: number): boolean {
  return rec.fns[fn]!.endsWith('.constructor');
}

// Each probe below ignores what fires while jsmemtrace's own code runs (`own.busy`, probe.ts),
// and marks its own work so. A sink that throws is detached: tracing stops, the program goes
// on (`failed`).

function fOn(m: ModuleKeyFn, i: number, u?: number): void {
  if (own.busy) return;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return;
  own.busy = true;
  try {
    if (waiting !== 0 && frameWait[depth] !== 0 && !stepsLoop(rec, i)) loopsSuspend();
    enterFrame(rec, i, i, u);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

function rOn(m: ModuleKeyFn, i: number, d?: number): void {
  if (own.busy) return;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return;
  own.busy = true;
  try {
    if (d === 0) exceptIn(rec, i);
    exitFrame(rec, i, i);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

function xOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  if (own.busy) return v;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return v;
  own.busy = true;
  try {
    exitFrame(rec, i, i);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
  return v;
}

function tOn(m: ModuleKeyFn, i: number): void {
  if (own.busy) return;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return;
  own.busy = true;
  try {
    exceptIn(rec, i);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

/**
 * An exception leaves function `i`: its pending calls end as C_EXCEPT, then EXCEPT, at the line it
 * left from (the one its RETURN shows), as Python's exception event is.
 */
function exceptIn(rec: TracedModule, i: number): void {
  let site = i;
  if (isCurrent(rec, i, i)) {
    if (pcTop !== 0) closeThrown(depth);
    if (depth > 0 && frameLine[depth]! >= 0) site = frameLine[depth]!;
  }
  if (T !== null) T.ev(EV_EXCEPT, rec, site);
}

function lOn(m: ModuleKeyFn, i: number): void {
  if (own.busy) return;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return;
  own.busy = true;
  try {
    if (isCurrent(rec, rec.owners[i]!, i)) {
      if (pcTop !== 0) closePending(depth, EV_C_RETURN);
      frameLine[depth] = i;
    }
    if (T !== null) T.ev(EV_LINE, rec, i);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

/**
 * A `catch` or `finally` clause of function `rec.owners[i]` (rewrite.ts `resyncProbe`): what its
 * `try` block called has exited, as at a line probe (`lOn`), with no LINE.
 */
function cOn(m: ModuleKeyFn, i: number): void {
  if (own.busy) return;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return;
  own.busy = true;
  try {
    if (isCurrent(rec, rec.owners[i]!, i) && pcTop !== 0) closePending(depth, EV_C_RETURN);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

function bOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  if (own.busy) return v;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return v;
  own.busy = true;
  try {
    callMade(rec, i);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
  return v;
}

function callMade(rec: TracedModule, i: number): void {
  if (isCurrent(rec, rec.owners[i]!, i, true) && pcTop !== 0) closePending(depth, EV_C_RETURN);
  if (depth === 0) queueStackEnd();
  // Every call first (see `pushFrame`): the growth's and the clock's can overflow.
  if (pcTop + 1 === pcSite.length) growPending();
  const at = clock();
  const k = pcTop++;
  pcRec[k] = rec;
  pcSite[k] = i;
  pcDepth[k] = depth;
  pcClock[k] = at;
  pcAnnounced[k] = 0;
}

// A call made at depth 0 (module top-level code, or the code that started the tracer) has no exit
// probe after it when it is that code's last: a module's top level has none. Left pending, it
// would take the next callback from the event loop (a timer, a request) for its own, and every
// later event would nest inside it until exit. Microtasks run on an empty JavaScript stack, so a
// microtask queued at such a call ends it, and every frame, before any later task runs. Not a
// `process.nextTick` too, although Node runs the ticks a task queued before its microtasks
// (`server.listen(0, cb)` calls `cb` from a tick, which then nests in `listen`): a tick queued by
// the main module makes Node run the program's first microtasks inside
// `processTicksAndRejections`, a frame their stack traces do not show plainly. A `for await`
// loop's step queues it too (`qOn`). Not an entry at depth 0: Node calls builtins after each
// microtask (`Array.prototype.pop`), and a program's own replacement of one, entered there, would
// queue the next microtask for ever.
let stackEndQueued = false;
const enqueueMicrotask = globalThis.queueMicrotask;

function queueStackEnd(): void {
  if (stackEndQueued) return;
  stackEndQueued = true;
  enqueueMicrotask(stackEnded);
}

function stackEnded(): void {
  stackEndQueued = false;
  own.busy = true;
  try {
    unwind(EV_C_RETURN);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
}

function sOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  if (own.busy) return v;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return v;
  own.busy = true;
  try {
    const fn = rec.owners[i]!;
    if (fn >= 0) {
      if (rec.kinds[i] === SiteKind.Await) (rec.awaiting ?? awaitCounts(rec))[fn]!++;
      else (rec.yielding ?? yieldCounts(rec))[fn]!++;
    } else if (depth !== 0) {
      // A top-level await (an ES module's) runs at the base, as its resumption does
      // (`resumeOnEmptyStack`): every frame still on ours exited unseen (an async generator
      // awaiting its `return` value, say) and ends before the module's RETURN, not after it.
      popFrames(0, EV_C_RETURN);
    }
    exitFrame(rec, fn, i);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
  return v;
}

function uOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  if (own.busy) return v;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return v;
  own.busy = true;
  try {
    resume(rec, i);
  } catch (e) {
    try { failed(e); } catch { /* no stack left even for that: see `failed` */ }
  } finally {
    own.busy = false;
  }
  return v;
}

function resume(rec: TracedModule, i: number): void {
  const fn = rec.owners[i]!;
  if (rec.kinds[i] === SiteKind.Await) {
    // An await resumes from the microtask queue, on an empty JavaScript stack.
    const awaiting = rec.awaiting;
    if (fn >= 0 && awaiting !== null && awaiting[fn]! > 0) awaiting[fn]!--;
    resumeOnEmptyStack(rec, fn, i);
  } else {
    generatorResumed(rec, fn, i);
  }
  // The statement it resumes in is the last one that ran in it (its RETURN, when it ends
  // without another, shows that line, not the function's first).
  if (fn >= 0 && depth > 0) frameLine[depth] = i;
}

/** A generator of `fn` resumes inside its caller's `next()`, at `site`: a call like any other. */
function generatorResumed(rec: TracedModule, fn: number, site: number): void {
  const yielding = rec.yielding;
  if (fn >= 0 && yielding !== null && yielding[fn]! > 0) yielding[fn]!--;
  if (pcTop !== 0) endedBeforeNext(rec, fn);
  enterFrame(rec, fn, site);
}

/**
 * A generator of `fn` resumes: the caller's last call, when it is not the generator's `next()`
 * (`return()`, `throw()`) and did not announce itself when the generator was first entered in it,
 * has returned: a `for…of` (spread, destructuring) resumes its generator with no call of its
 * own, and `out.push(x)` at the end of its body is the last call made. (A builtin given a
 * generator started before it, `Array.from(it)`, is then written as returned before it resumes it.)
 */
function endedBeforeNext(rec: TracedModule, fn: number): void {
  const k = pcTop - 1;
  if (pcDepth[k] !== depth || pcAnnounced[k] !== 0) return;
  const callee = pcRec[k]!.callees[pcSite[k]!];
  if (callee === undefined || callee === 'next' || callee === 'return' || callee === 'throw' || callee === rec.callees[fn]) return;
  closePending(depth, EV_C_RETURN);
}

/** The allocation probes' call probe of `new` sites (runtime/alloc.ts), while a reference tracer listens. */
let newSiteProbe: (<V>(m: ModuleKeyFn, i: number, v: V, c?: unknown) => V) | null = null;

/** A `new` site's call probe while a Profile (C_CALL) and a reference tracer listen. */
function wBoth<V>(m: ModuleKeyFn, i: number, v: V, c?: unknown): V {
  newSiteProbe!(m, i, v, c);
  return bOn(m, i, v);
}

/**
 * The modules whose suspension counts (`TracedModule.awaiting`, `yielding`) a tracer made: they
 * count only while a tracer listens, so a tracer attached later must not find the counts of
 * activations that suspended or resumed unseen meanwhile (it would make up a CALL for them).
 */
const counting: TracedModule[] = [];

/** A module's first suspension counts, of `await`s (cold: once per module while tracing). */
function awaitCounts(rec: TracedModule): Int32Array {
  if (rec.yielding === null) counting[counting.length] = rec;
  return (rec.awaiting = new Int32Array(rec.kinds.length));
}

/** The same for `yield`s. */
function yieldCounts(rec: TracedModule): Int32Array {
  if (rec.awaiting === null) counting[counting.length] = rec;
  return (rec.yielding = new Int32Array(rec.kinds.length));
}

function reset(): void {
  for (let k = 0; k <= depth; k++) frameRec[k] = null;
  frameWait.fill(0);
  waiting = 0;
  depth = 0;
  for (let k = 0; k < pcTop; k++) pcRec[k] = null;
  pcTop = 0;
  for (let k = 0; k < counting.length; k++) {
    counting[k]!.awaiting = null;
    counting[k]!.yielding = null;
  }
  counting.length = 0;
}

/**
 * A sink threw inside a probe: every sink is detached, and the program never sees the exception.
 * A stack overflow only loses the event (probe.ts `isStackOverflow`). Callers call this in a
 * `try` of its own: at the stack's limit the call itself overflows, and that RangeError, escaping
 * the probe, would replace the program's own (a recursion that catches its overflow at every
 * level caught hundreds of times instead of once).
 */
function failed(e: unknown): void {
  if (isStackOverflow(e)) return;
  P = null;
  T = null;
  rewire();
  tracerFailed(e);
}

/** The methods above as instrumented code calls them (probe.ts `uninlined`). */
const O = {
  f: uninlined(fOn), r: uninlined(rOn), x: uninlined(xOn), t: uninlined(tOn), l: uninlined(lOn), c: uninlined(cOn),
  s: uninlined(sOn), u: uninlined(uOn), q: uninlined(qOn), d: uninlined(dOn), b: uninlined(bOn), w: uninlined(wBoth),
};

/** Swaps the probe's function, line and call methods and flags to match the attached sinks. */
function rewire(): void {
  const any = P !== null || T !== null;
  if (any) {
    installProbe();
    probe.f = O.f; probe.r = O.r; probe.x = O.x; probe.t = O.t;
    probe.l = O.l; probe.c = O.c; probe.s = O.s; probe.u = O.u; probe.q = O.q; probe.d = O.d;
  } else {
    probe.f = idle.f; probe.r = idle.r; probe.x = idle.x; probe.t = idle.t;
    probe.l = idle.l; probe.c = idle.c; probe.s = idle.s; probe.u = idle.u; probe.q = idle.q; probe.d = idle.d;
    reset();
  }
  // Profile needs call sites for C_CALL; Trace does not, so its `b` stays the identity. Profile
  // also needs statement probes: they end the pending calls of their frame.
  // A reference tracer needs the call sites of `new` only (which `new` a constructor was entered
  // from): they have their own probe `w`, and the zero-argument form also runs on `__jsmtA`.
  probe.b = P !== null ? O.b : idle.b;
  probe.w = P !== null ? (newSiteProbe !== null ? O.w : O.b) : (newSiteProbe ?? idle.w);
  publishProbe();
  if (P === null) {
    for (let k = 0; k < pcTop; k++) pcRec[k] = null;
    pcTop = 0;
  }
  setFlag('F', any);
  setFlag('L', any);
  setFlag('C', P !== null);
}

/** Sets (or with null removes) the call probe that the `new` sites run for the allocation probes. */
export function setNewSiteProbe(hook: (<V>(m: ModuleKeyFn, i: number, v: V, c?: unknown) => V) | null): void {
  newSiteProbe = hook;
  rewire();
}

/** Attaches (or with null detaches) the sink of one kind: 'P' Profile, 'T' Trace. */
export function attachSink(kind: 'P' | 'T', sink: EventSink | null): void {
  if (kind === 'P') P = sink; else T = sink;
  rewire();
}

/**
 * Writes C_CALL now for every pending call not yet written, so that a message written from inside
 * a call (`p.writeMessageToLog(...)`) follows its call in the log, as in pymemtrace.
 */
export function announcePending(): void {
  for (let k = 0; k < pcTop; k++) if (pcAnnounced[k] === 0) announce(k);
}

/**
 * An exception went uncaught: the stack has unwound, every pending call ended by it and every
 * frame still on the stack exited (their exits not seen: a leaf, or a body that cannot be wrapped,
 * has no exception probe).
 */
export function stackUnwound(): void {
  // Frame by frame, each with its pending calls (`exitedUnseen`): a leaf still on the stack
  // threw through the calls below it, whose C_EXCEPT follows its RETURN. Only the last call
  // made first (see `closeThrown`).
  endMadeError(0);
  unwind(EV_C_EXCEPT);
}

/**
 * A promise rejection that no handler took is reported (an ES module's uncaught error included):
 * the JavaScript stack is empty. Under Trace, with no call probe to end the stack at the next
 * microtask (`queueStackEnd`), a leaf that threw there is still on it.
 */
export function rejectionUnhandled(): void {
  unwind(EV_C_RETURN);
}

/**
 * Leaf frames still on top (their exceptions caught by code that is not instrumented, with no
 * probe of their callers since) end: at a probe of a function not on the stack (`isCurrent`), and
 * when the program exits. Not other frames: `process.exit()` leaves its callers running.
 */
export function endLeaves(): void {
  while (depth !== 0 && frameUnseen[depth] === UNSEEN_LEAF) exitedUnseen(EV_C_RETURN);
}

/**
 * The stack is empty: every pending call ends (`end`: how) and every frame is gone (one about to
 * await its `for await` loop's iterator has: `qOn`).
 */
function unwind(end: number): void {
  popFrames(0, end);
  if (waiting !== 0 && frameWait[0] !== 0) loopSuspends(end);
  if (pcTop !== 0) closePending(0, end);
}

/** Ends every pending call as returned (the program is exiting: nothing runs any more). */
export function endPendingCalls(): void {
  closePending(0, EV_C_RETURN);
}

/** The current frame depth above the base (for tests). */
export function frameDepth(): number {
  return depth;
}
