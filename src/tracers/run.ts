/** Running a function under a tracer, sync or async, and the wrappers and decorators built on it. */

interface Stoppable {
  stop(): void;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/**
 * Starts a tracer, runs `fn`, stops the tracer when `fn` returns or throws, or, when `fn` returns a
 * promise, when that promise settles (the result is then a promise of the same value).
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
  return Promise.resolve(result).then(
    (v) => { tracer.stop(); return v; },
    (e: unknown) => { tracer.stop(); throw e; },
  ) as R;
}
