/** Running a function under a tracer, sync or async, and the wrappers and decorators built on it. */

interface Stoppable {
  stop(): void;
  /** Stops and resolves when the log is complete (a tracer that waits for finalizers). */
  stopAsync?(): Promise<void>;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/**
 * Starts a tracer, runs `fn`, stops the tracer when `fn` returns or throws, or, when `fn` returns a
 * promise, when that promise settles (the result is then a promise of the same value, settled
 * once the tracer's log is complete).
 */
export function runTraced<R>(make: () => Stoppable, fn: () => R): R {
  const tracer = make();
  let result: R;
  try {
    result = fn();
  } catch (e) {
    tracer.stop();
    throw e;
  }
  if (!isThenable(result)) {
    tracer.stop();
    return result;
  }
  const stop = (): Promise<void> => {
    if (tracer.stopAsync !== undefined) return tracer.stopAsync();
    tracer.stop();
    return Promise.resolve();
  };
  return Promise.resolve(result).then(
    (v) => stop().then(() => v),
    (e: unknown) => stop().then(() => { throw e; }),
  ) as R;
}
