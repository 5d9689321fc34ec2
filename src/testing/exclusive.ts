/**
 * One assertion at a time per thread: a tracer sees every allocation of the thread, so two
 * assertions running concurrently (`test.concurrent`, `{ concurrency: true }`) would count each
 * other's objects, and their tracers would nest out of order.
 */
let running: string | undefined;

export async function exclusive<T>(caller: string, body: () => Promise<T>): Promise<T> {
  if (running !== undefined) {
    throw new Error(`${caller}: ${running} is still running in this thread; memory assertions cannot run concurrently ` +
      '(run these tests sequentially, not with test.concurrent or { concurrency: true })');
  }
  running = caller;
  try {
    return await body();
  } finally {
    running = undefined;
  }
}
