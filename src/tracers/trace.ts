import type { TracerOptions } from './options.js';
import { PTTracer, stackOf } from './pt-tracer.js';
import { runTraced } from './run.js';

/**
 * Logs RSS at function calls and returns, at each statement on a new line and at exceptions
 * (CALL, RETURN, LINE, EXCEPT), like pymemtrace's `cPyMemTrace.Trace`.
 * Tracing starts at construction; stop it with `stop()` or `using`.
 */
export class Trace extends PTTracer {
  constructor(opts?: TracerOptions | number) {
    super('T', 'Trace', opts);
  }

  /** Runs `fn` under a new Trace; for an async `fn`, until its promise settles. */
  static run<R>(opts: TracerOptions | number | undefined, fn: () => R): R {
    return runTraced(() => new Trace(opts), fn);
  }
}

/** How many Traces are open (running or suspended by an inner one). */
export function traceWrapperDepth(): number {
  return stackOf('T').length;
}

/** The log file of the innermost open Trace, or undefined when none is open. */
export function traceLogPath(): string | undefined {
  const s = stackOf('T');
  return s[s.length - 1]?.logPath;
}

/** Writes a message into the innermost open Trace's log. */
export function traceWriteMessageToLog(text: string): void {
  const s = stackOf('T');
  const top = s[s.length - 1];
  if (top === undefined) throw new Error('traceWriteMessageToLog(): no Trace is running');
  top.writeMessageToLog(text);
}
