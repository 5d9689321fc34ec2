import { performance } from 'node:perf_hooks';

/**
 * Taken once (from perf_hooks: the global `performance` is a getter, run again on every read): a
 * program that replaces `performance.now` (fake timers in tests) changes its own clock, not the
 * logs', and one that replaces it with a function jsmemtrace instruments does not make a tracer
 * recurse through that function's probes.
 */
const now: () => number = performance.now.bind(performance);

/** Seconds since the process started: the `Clock` column of every log (SPEC §4). */
export function clock(): number {
  return now() / 1000;
}
