/**
 * Closing logs when the program ends without stopping its tracers: `process.exit()`, the end of
 * the event loop, an uncaught exception (Node emits 'exit' after printing it), SIGINT and SIGTERM.
 * Handlers are installed only while a tracer is open, so a program that traces nothing keeps its
 * own signal behaviour. While one is open its buffered lines also reach the file every second: a
 * process killed by SIGKILL or a worker ended by `terminate()` runs no exit code, and then loses
 * at most the last second of its log, which the analyser reads as truncated.
 */
import { setInterval, clearInterval } from 'node:timers';
import { isMainThread } from 'node:worker_threads';

export interface Closable {
  /** Writes the log's last lines and closes it; never throws. */
  closeAtExit(): void;
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
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const FLUSH_EVERY_MS = 1000;
/** node:timers' own, so that a program's fake timers (installed on the globals) cannot stop it. */
let flusher: ReturnType<typeof setInterval> | null = null;

function flushAll(): void {
  for (const c of open) c.flushLog();
}

function closeAll(): void {
  // Innermost first, so that a resumed tracer never writes after its inner one's log was cut.
  while (open.length > 0) open.pop()!.closeAtExit();
}

function onExit(): void {
  closeAll();
}

function onBeforeExit(): void {
  for (let k = open.length - 1; k >= 0; k--) open[k]!.closeBeforeExit?.();
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) {
    // The program handles this signal itself and may well go on: keep tracing, but make the log
    // complete up to here in case it exits.
    for (const c of open) c.flushLog();
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
  if (isMainThread) for (const s of SIGNALS) process.on(s, onSignal);
  // Unref'd: it never keeps the program alive.
  flusher = setInterval(flushAll, FLUSH_EVERY_MS);
  flusher.unref();
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  process.off('beforeExit', onBeforeExit);
  if (isMainThread) for (const s of SIGNALS) process.off(s, onSignal);
  if (flusher !== null) clearInterval(flusher);
  flusher = null;
}

export function opened(c: Closable): void {
  open.push(c);
  install();
}

export function closed(c: Closable): void {
  const k = open.lastIndexOf(c);
  if (k >= 0) open.splice(k, 1);
  if (open.length === 0) uninstall();
}

/**
 * Takes tracer `t` off its kind's `stack`. Returns the tracer to resume when `t` was the innermost
 * (undefined when none is left), or null when there is nothing to resume (`t` was not on top).
 */
export function leaveStack<T>(stack: T[], t: T): T | undefined | null {
  const k = stack.lastIndexOf(t);
  if (k < 0) return null;
  const wasTop = k === stack.length - 1;
  stack.splice(k, 1);
  return wasTop ? stack[stack.length - 1] : null;
}
