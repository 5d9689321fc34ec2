import type { TracerOptions } from './options.js';
import { PTTracer, stackOf } from './pt-tracer.js';
import { runTraced } from './run.js';

/**
 * Logs RSS at function calls and returns and at calls into code that is not instrumented
 * (CALL, RETURN, C_CALL, C_RETURN, C_EXCEPT), like pymemtrace's `cPyMemTrace.Profile`.
 * Tracing starts at construction; stop it with `stop()` or `using`.
 */
export class Profile extends PTTracer {
  constructor(opts?: TracerOptions | number) {
    super('P', 'Profile', opts);
  }

  /** Runs `fn` under a new Profile; for an async `fn`, until its promise settles. */
  static run<R>(opts: TracerOptions | number | undefined, fn: () => R): R {
    return runTraced(() => new Profile(opts), fn);
  }
}

/** How many Profiles are open (running or suspended by an inner one). */
export function profileWrapperDepth(): number {
  return stackOf('P').length;
}

/** The log file of the innermost open Profile, or undefined when none is open. */
export function profileLogPath(): string | undefined {
  const s = stackOf('P');
  return s[s.length - 1]?.logPath;
}

/** Writes a message into the innermost open Profile's log. */
export function profileWriteMessageToLog(text: string): void {
  const s = stackOf('P');
  const top = s[s.length - 1];
  if (top === undefined) throw new Error('profileWriteMessageToLog(): no Profile is running');
  top.writeMessageToLog(text);
}
