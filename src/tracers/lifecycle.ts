/**
 * Closing logs when the program ends without stopping its tracers: `process.exit()`, the end of
 * the event loop, an uncaught exception (Node emits 'exit' after printing it), SIGINT, SIGTERM and
 * SIGHUP (a closed terminal or ssh session; `jsmemtrace run` passes it on too).
 * Handlers are installed only while a tracer is open, so a program that traces nothing keeps its
 * own signal behaviour. While one is open its buffered lines also reach the file every second: a
 * process killed by SIGKILL or a worker ended by `terminate()` runs no exit code, and then loses
 * at most the last second of its log (never its first lines), which the analyser reads as truncated.
 */
import { setInterval, clearInterval } from 'node:timers';
import { isMainThread } from 'node:worker_threads';
import { endLeaves, rejectionUnhandled, stackUnwound } from '../runtime/dispatch.js';
import { own } from '../runtime/probe.js';

export interface Closable {
  /** Writes the log's last lines and closes it; never throws. */
  closeAtExit(): void;
  /** Writes `text` as a message into the log while it is open (also suspended); never throws. */
  noteInLog(text: string): void;
  /** Writes buffered lines to the file; never throws. */
  flushLog(): void;
  /**
   * The event loop is empty (a normal end of the program): a tracer that must wait for something
   * asynchronous before closing (finalizers) starts doing so; the loop then runs again.
   */
  closeBeforeExit?(): void;
}

/** Open tracers of every kind, in the order they started. */
const open: Closable[] = [];
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const FLUSH_EVERY_MS = 1000;
/** node:timers' own, so that a program's fake timers (installed on the globals) cannot stop it. */
let flusher: ReturnType<typeof setInterval> | null = null;

// The lists here are walked by index and changed by hand, never through Array.prototype methods or
// iterators: this code runs among the program's, at exit and every second, and the program may
// have replaced or spied on those (see runtime/safe.ts).

function flushAll(): void {
  for (let k = 0; k < open.length; k++) open[k]!.flushLog();
}

function closeAll(): void {
  // Innermost first, so that a resumed tracer never writes after its inner one's log was cut.
  while (open.length > 0) {
    const c = open[open.length - 1]!;
    open.length--;
    c.closeAtExit();
  }
}

/** Removes the last occurrence of `item` from `list`; returns where it was, -1 when absent. */
function removeLast<T>(list: T[], item: T): number {
  let k = list.length - 1;
  while (k >= 0 && list[k] !== item) k--;
  if (k < 0) return -1;
  for (let j = k + 1; j < list.length; j++) list[j - 1] = list[j]!;
  list.length--;
  return k;
}

/**
 * Set when the program has ended: at 'exit', or at 'beforeExit' when only a tracer's wait can run
 * after it. Then tracers that close leave the listeners in place: removing them emits
 * 'removeListener', which a program may listen to, and they have nothing left to do.
 */
let ending = false;

function onExit(): void {
  ending = true;
  ownWork(endLeaves);
  closeAll();
}

function onBeforeExit(): void {
  // Waiting for something asynchronous keeps the loop alive one more turn, after which Node emits
  // 'beforeExit' again: a program listening to it would run its listener once more than plainly.
  // Then the tracers close at 'exit' instead (a reference tracer's log says what may be missing).
  if (process.listenerCount('beforeExit') > 1) return;
  ending = true;
  for (let k = open.length - 1; k >= 0; k--) open[k]!.closeBeforeExit?.();
}

/**
 * An exception no code of the program caught (also a promise rejection that no handler took): each
 * open log says so, before the LAST line that exit writes, so that a log that ends inside calls
 * tells why. A monitor changes nothing of what Node does next (a program that handles
 * 'uncaughtException' goes on, and its logs with it).
 */
function onUncaught(error: unknown, origin: string): void {
  ownWork(() => {
    let text: string;
    // Reading the error may run the program's code (a getter, a toString): not the program's events.
    try {
      const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      text = `${origin === 'unhandledRejection' ? 'Unhandled promise rejection' : 'Uncaught exception'}: ${what.split('\n', 1)[0]}`;
    } catch {
      text = 'Uncaught exception';
    }
    // Thrown synchronously: the stack has unwound through every call still pending. A rejection
    // is reported on an empty stack.
    if (origin !== 'unhandledRejection') stackUnwound();
    else rejectionUnhandled();
    for (let k = 0; k < open.length; k++) open[k]!.noteInLog(text);
  });
}

/**
 * Runs `work` as jsmemtrace's own (`own.busy`: no probe of the program's code that it runs, or
 * that the logs' writes reach, writes an event). A failure here is not the program's: the logs
 * close all the same. Restores what it found: 'exit' can come inside own work (a getter of the
 * error that calls `process.exit()`), and every other setter of `own.busy` clears it in a `finally`.
 */
function ownWork(work: () => void): void {
  const was = own.busy;
  own.busy = true;
  try {
    work();
  } catch { /* the program is exiting or failing already: nothing more to say */ } finally {
    own.busy = was;
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) {
    // The program handles this signal itself and may well go on: keep tracing, but make the log
    // complete up to here in case it exits.
    flushAll();
    return;
  }
  closeAll();
  uninstall();
  // The default action (terminate by this signal) gives the exit status the program would have had.
  process.kill(process.pid, signal);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  process.on('beforeExit', onBeforeExit);
  process.on('uncaughtExceptionMonitor', onUncaught);
  if (isMainThread) for (let k = 0; k < SIGNALS.length; k++) process.on(SIGNALS[k]!, onSignal);
  // Unref'd: it never keeps the program alive.
  flusher = setInterval(flushAll, FLUSH_EVERY_MS);
  flusher.unref();
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  process.off('beforeExit', onBeforeExit);
  process.off('uncaughtExceptionMonitor', onUncaught);
  if (isMainThread) for (let k = 0; k < SIGNALS.length; k++) process.off(SIGNALS[k]!, onSignal);
  if (flusher !== null) clearInterval(flusher);
  flusher = null;
}

/**
 * `c` has written its log's first lines: they reach the file at once, so that a log cut within its
 * first second (a worker that `terminate()` or the end of its process stops) is a truncated log
 * and not an empty file, which is no log at all.
 */
export function opened(c: Closable): void {
  open[open.length] = c;
  install();
  c.flushLog();
}

export function closed(c: Closable): void {
  removeLast(open, c);
  if (open.length === 0 && !ending) uninstall();
}

/**
 * Takes tracer `t` off its kind's `stack`. Returns the tracer to resume when `t` was the innermost
 * (undefined when none is left), or null when there is nothing to resume (`t` was not on top).
 */
export function leaveStack<T>(stack: T[], t: T): T | undefined | null {
  const k = removeLast(stack, t);
  if (k < 0) return null;
  return k === stack.length ? stack[k - 1] : null;
}
