/** Seconds since the process started: the `Clock` column of every log (SPEC §4). */
export function clock(): number {
  return performance.now() / 1000;
}
