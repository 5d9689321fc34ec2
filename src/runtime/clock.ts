import { performance } from 'node:perf_hooks';

/**
 * Seconds since the process started: the `Clock` column of every log (SPEC §4). `performance`
 * comes from perf_hooks because the global one is a getter, run again on every call (~5 ns).
 */
export function clock(): number {
  return performance.now() / 1000;
}
