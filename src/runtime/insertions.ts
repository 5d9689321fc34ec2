/**
 * The instrumenter's insertions ([offsetInOriginal, length, ...], ascending, InstrumentResult
 * `inserts`) seen from the probed code: what Function#toString cuts out of a function's text and
 * what a stack frame's column is moved back by.
 */

/** [startInCode, endInCode, ...] of each insertion, ascending. */
export function insertedRanges(inserts: readonly number[]): Int32Array {
  const ranges = new Int32Array(inserts.length);
  let shift = 0;
  for (let k = 0; k < inserts.length; k += 2) {
    const start = inserts[k]! + shift;
    shift += inserts[k + 1]!;
    ranges[k] = start;
    ranges[k + 1] = start + inserts[k + 1]!;
  }
  return ranges;
}

/** Index in `ranges` of the last insertion that starts at or before offset `at` of the probed code; -1: none. */
function lastStartingAt(ranges: Int32Array, at: number): number {
  let lo = 0;
  let hi = ranges.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[2 * mid]! <= at) lo = mid + 1; else hi = mid;
  }
  return 2 * (lo - 1);
}

/** Where the inserted text that holds offset `at` of the probed code starts; -1 when `at` is the original's. */
export function insertionAt(ranges: Int32Array, at: number): number {
  const k = lastStartingAt(ranges, at);
  return k >= 0 && at < ranges[k + 1]! ? ranges[k]! : -1;
}

/**
 * The original offset of offset `at` of the probed code (`ranges` from `insertedRanges(inserts)`):
 * inside inserted text, where that text was inserted.
 */
export function originalOffset(ranges: Int32Array, inserts: readonly number[], at: number): number {
  const k = lastStartingAt(ranges, at);
  if (k < 0) return at;
  const end = ranges[k + 1]!;
  return at < end ? inserts[k]! : at - (end - inserts[k]!);
}
